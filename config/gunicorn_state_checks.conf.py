"""gunicorn for the open tabs' state checks (`GET /timer/state/`) alone, beside the app's own
(config/gunicorn.conf.py): the proxy in front sends that one path here (README, The proxy in
front). Shared by `make serve` and the benchmark.

Every open tab asks twice a minute and on every focus. Answered by the app's workers, the
checks share their threads and their GIL with the requests people wait for. In one comparison,
in one of the benchmark's slower hours, the checks moved those requests' p99 by a third when
the app's workers answered them and by a twelfth when a gunicorn of their own did (README, What
was measured and fixed). The app's settings hold here too; only the number of workers, the
priority and the control socket differ."""

import os
import runpy
from pathlib import Path

from gunicorn.config import ControlSocket

globals().update(
    (name, value)
    for name, value in runpy.run_path(str(Path(__file__).with_name("gunicorn.conf.py"))).items()
    if not name.startswith("__")
)

# A check takes about a millisecond of the server's CPU, and a tab asks twice a minute: two
# workers keep up with many thousands of open tabs, and one goes on answering while the
# master replaces the other after a crash or a timeout.
workers = 2
# Its own socket for gunicornc, beside the app's gunicorn's rather than in its place.
control_socket = str(Path(ControlSocket.default).with_name("gunicorn-state-checks.ctl"))
# A check can wait a few milliseconds; a person's click should not wait for one. At 10 the
# kernel gives a busy CPU to the app's workers about nine times as much as to these. The
# workers, forked from the master, keep its priority.
NICENESS = 10


def on_starting(server):
    # Set, not added: a new master forked from the old one for a hot upgrade already has it.
    current = os.getpriority(os.PRIO_PROCESS, 0)
    os.setpriority(os.PRIO_PROCESS, 0, max(current, NICENESS))
