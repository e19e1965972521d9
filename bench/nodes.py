"""Two app nodes on one PostgreSQL: two gunicorn servers (config/gunicorn.conf.py, each on its
own port) behind no balancer but the clients themselves, each client sending its requests to
the nodes in turn, so that every other request reads what the other node wrote. The usual
scenarios run at 10 and 50 clients with the database reached directly, then at 50 through each
process's connection pool (DATABASE_POOL=1) and through PgBouncer in transaction mode
(DATABASE_PGBOUNCER=1); after every run the invariants are read back (bench/invariants.py).
Exits non-zero on any violation or 5xx.

    uv run python -m bench.nodes --database-url postgres://postgres@127.0.0.1:5432/worklog_nodes \
        [--seconds 3] [--clients 10,50] [--modes direct,pooled,pgbouncer] [--only toggle]
"""

import argparse
import json
import logging
import os
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import replace
from itertools import count
from pathlib import Path

from bench import invariants, seed
from bench import pgbouncer as bouncer
from bench.load import Request, run_load
from bench.server import gunicorn, manage, recreate_database

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/worklog_nodes"
WARM_UP_REQUESTS = 40
DRAFTS_PER_RUN = 400
# How each mode reaches PostgreSQL: the nodes' extra environment.
MODES = {
    "direct": {},
    "pooled": {"DATABASE_POOL": "1"},
    "pgbouncer": {"DATABASE_PGBOUNCER": "1"},
}
# The scenarios of bench/scenarios.py that write, and the pages that read what they wrote.
SCENARIOS = (
    "timer toggle (HTMX)",
    "timer toggle (API)",
    "dashboard GET",
    "decision create",
    "add to basket",
    "basket commit",
    "procedure check",
)


class Alternating:
    """Sends client `i`'s requests to the nodes in turn (an absolute URL overrides the client's
    base URL); a request maker's `observe` still sees every answer."""

    def __init__(self, make_request, nodes: list[str], clients: int) -> None:
        self.make_request, self.nodes = make_request, nodes
        self.sent = [count(index) for index in range(clients)]
        observe = getattr(make_request, "observe", None)
        if observe:
            self.observe = observe

    def __call__(self, index: int) -> Request:
        request = self.make_request(index)
        node = self.nodes[next(self.sent[index]) % len(self.nodes)]
        return replace(request, path=f"{node}{request.path}")


def levels_for(mode: str, levels: list[int]) -> list[int]:
    """Every level directly; the pooled and PgBouncer runs at the top one only."""
    return levels if mode == "direct" else [max(levels)]


def one_run(scenario, members, run_id: int, nodes: list[str], **limits):
    if scenario.prepare:
        scenario.prepare(members, run_id)
    return run_load(
        scenario.name,
        nodes[0],
        len(members),
        Alternating(scenario.start(members, run_id), nodes, len(members)),
        # Plain HTTP: no client loads the CA bundle, which at 50 clients on a busy machine
        # took longer than a short run lasts.
        lambda i: {**scenario.client_kwargs(members[i]), "verify": False},
        expected=scenario.expected,
        **limits,
    )


def run_mode(mode: str, database_url: str, users, item_ids, levels: list[int], options) -> list:
    from bench.scenarios import scenarios

    run_ids = count(1 + 1000 * list(MODES).index(mode))
    rows = []
    with ExitStack() as stack:
        if mode == "pgbouncer":
            database_url = stack.enter_context(bouncer.pgbouncer(database_url))
        env = MODES[mode]
        nodes = [
            stack.enter_context(gunicorn(database_url, workers=options.workers, env=env))[0]
            for _ in range(2)
        ]
        for scenario in scenarios(item_ids, DRAFTS_PER_RUN, users[0].pk):
            if scenario.name not in SCENARIOS or (
                options.only and not any(part in scenario.name for part in options.only)
            ):
                continue
            # Warm both nodes' workers (templates, content types, connections) first.
            warm_up = one_run(
                scenario,
                users[: min(10, max(levels))],
                next(run_ids),
                nodes,
                max_requests=WARM_UP_REQUESTS,
                max_seconds=options.seconds,
            )
            runs = [(warm_up, invariants.check(warm_up))]
            for clients in levels_for(mode, levels):
                result = one_run(
                    scenario,
                    users[:clients],
                    next(run_ids),
                    nodes,
                    max_requests=options.requests,
                    max_seconds=options.seconds,
                )
                runs.append((result, invariants.check(result)))
            for index, (result, violations) in enumerate(runs):
                if index == 0 and not violations:
                    continue  # a warm-up is reported only when something went wrong in it
                row = {"mode": mode, **result.as_dict(), "violations": violations}
                rows.append(row)
                print(line(row), flush=True)
    return rows


def line(row: dict) -> str:
    violations = ", ".join(f"{name}: {n}" for name, n in row["violations"].items()) or "none"
    return (
        f"  {row['mode']:<9} {row['name']:<22} {row['clients']:>3} clients "
        f"{row['requests']:>6} req {row['rps']:>7.1f}/s p50 {row['p50_ms']:>7.1f} ms "
        f"p99 {row['p99_ms']:>7.1f} ms 5xx {row['server_errors']} violations: {violations}"
    )


def markdown(results: dict) -> str:
    lines = [
        f"Two nodes x {results['workers_per_node']} gunicorn workers "
        f"({results['seconds']:g} s or {results['requests']} requests per run)",
        "",
        "| mode | scenario | clients | requests | req/s | p50 ms | p99 ms | 5xx | violations |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in results["rows"]:
        violations = ", ".join(f"{k}: {v}" for k, v in row["violations"].items()) or "none"
        lines.append(
            f"| {row['mode']} | {row['name']} | {row['clients']} | {row['requests']} | "
            f"{row['rps']:.1f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{row['server_errors']} | {violations} |"
        )
    return "\n".join(lines) + "\n"


def failures(results: dict) -> list[str]:
    return [
        f"two nodes, {row['mode']}, {row['name']} at {row['clients']} clients: {row['violations']}"
        for row in results["rows"]
        if row["violations"]
    ]


def measure_separately(database_url: str, seconds: float, requests: int, only: str) -> dict:
    """For `make bench` (bench/run.py): this benchmark in a process of its own, on a database
    of its own next to the main run's."""
    output = RESULTS / ("nodes-only.json" if only else "nodes.json")
    output.unlink(missing_ok=True)
    finished = subprocess.run(
        [sys.executable, "-m", "bench.nodes", "--database-url", f"{database_url}_nodes"]
        + ["--seconds", str(seconds), "--requests", str(requests), "--output", str(output)]
        + ["--only", only],
        check=False,
    )
    if not output.exists():
        return {"failures": [f"two nodes: the run ended without figures ({finished.returncode})"]}
    results = json.loads(output.read_text())
    return {**results, "failures": failures(results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--seconds", type=float, default=3, help="per load run")
    parser.add_argument("--requests", type=int, default=1500, help="per load run")
    parser.add_argument("--clients", default="10,50")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers per node"
    )
    parser.add_argument("--only", default="", help="comma-separated parts of scenario names")
    parser.add_argument("--output", type=Path, default=RESULTS / "nodes.json")
    args = parser.parse_args()
    levels = [int(n) for n in args.clients.split(",")]
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    args.only = [part.strip() for part in args.only.split(",") if part.strip()]
    if "pgbouncer" in modes and not bouncer.available():
        print(f"Skipping the PgBouncer runs: {bouncer.MISSING}.", file=sys.stderr)
        modes.remove("pgbouncer")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    recreate_database(args.database_url)
    manage(args.database_url, "migrate", "--no-input", "-v", "0")
    manage(args.database_url, "collectstatic", "--no-input", "-v", "0")
    seed.setup_django(args.database_url)
    users = seed.create_load_users(max(levels))
    item_ids = seed.create_catalog_items(users[0].pk)

    print(f"== Two nodes: {modes}, {levels} clients, {args.seconds:g} s per run", flush=True)
    results = {
        "workers_per_node": args.workers,
        "seconds": args.seconds,
        "requests": args.requests,
        "rows": [
            row
            for mode in modes
            for row in run_mode(mode, args.database_url, users, item_ids, levels, args)
        ],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    args.output.with_suffix(".md").write_text(markdown(results))
    print(markdown(results))
    print(f"Figures written to {args.output} and {args.output.with_suffix('.md')}")
    if failures(results):
        print("FAILED:\n  " + "\n  ".join(failures(results)), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
