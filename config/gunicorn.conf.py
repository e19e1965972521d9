"""gunicorn's settings, shared by `make serve` and the benchmark (bench/server.py) so that the
benchmark measures the server as it is deployed. The address and the number of workers come from
the command line."""

import gc
import os

worker_class = "gthread"
threads = 4
# A worker is replaced now and then, so that a slow leak cannot grow without bound; the jitter
# keeps the workers from all restarting at once.
max_requests = 2000
max_requests_jitter = 200
timeout = 30

# The app is imported and warmed (config/wsgi.py: views, URL tables, templates) once, in the
# master, and the workers are forked from it: a worker that replaces a recycled one answers its
# first request without first building what the others built long ago. The app's objects are
# frozen out of the garbage collector's reach first: a worker's collections then scan only what
# the worker made (shorter pauses), and they do not write to the shared pages (less memory).
preload_app = True


def pre_fork(server, worker):
    gc.freeze()


def post_request(worker, req, environ, resp):
    # max_requests counts requests as a measure of what a worker may have gathered. Open tabs'
    # state checks keep nothing, yet they can be most of the requests: counted, they would
    # replace workers about twice as often at the benchmark's load, and a new worker's first
    # requests open new database connections (the README's Performance section has the
    # figures). gunicorn counted the request once it had built its environ; without one
    # (a request it could not read) it counted nothing.
    from worklog.timer.state_check import is_state_check

    if environ and is_state_check(environ):
        worker.nr -= 1


def child_exit(server, worker):
    # With PROMETHEUS_MULTIPROC_DIR, a worker's metrics live in files there; a gone worker's
    # gauges are dropped (its counters stay counted).
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
