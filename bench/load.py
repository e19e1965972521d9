"""Drives HTTP load from asynchronous httpx clients; bounded in request count and time."""

import asyncio
import gc
import multiprocessing
import random
import statistics
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field

import httpx


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    data: dict | None = None
    json: dict | None = None
    # An Idempotency-Key the request carries, so the run can count how often each key executed.
    idempotency_key: str | None = None
    # For a scenario of several kinds of request: the kind, under which the run also counts and
    # times these requests on their own.
    label: str = ""


@dataclass
class LoadResult:
    name: str
    clients: int
    requests: int
    errors: int
    server_errors: int
    seconds: float
    latencies_ms: list[float]
    # Requests that got no HTTP answer at all, by the exception httpx raised.
    transport_errors: dict[str, int] = field(default_factory=dict)
    # Per idempotency key: how many 2xx answers were executions rather than replays.
    executions_per_key: dict[str, int] = field(default_factory=dict)
    # Per request label: the answers' latencies, the first answer of each client left out.
    latencies_by_label: dict[str, list[float]] = field(default_factory=dict)
    requests_by_label: dict[str, int] = field(default_factory=dict)
    # The load generator's own CPU time for the run, where it was measured.
    client_cpu_seconds: float | None = None

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: int, latencies: list[float] | None = None) -> float:
        latencies = self.latencies_ms if latencies is None else latencies
        if len(latencies) < 2:
            return latencies[0] if latencies else 0.0
        return statistics.quantiles(latencies, n=100, method="inclusive")[p - 1]

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "clients": self.clients,
            "requests": self.requests,
            "errors": self.errors,
            "server_errors": self.server_errors,
            "seconds": round(self.seconds, 3),
            "rps": round(self.throughput, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "transport_errors": self.transport_errors,
            **({"by_label": self._by_label()} if self.requests_by_label else {}),
        }

    def _by_label(self) -> dict[str, dict]:
        return {
            label: {
                "requests": requests,
                "rps": round(requests / self.seconds, 1) if self.seconds else 0.0,
                "p50_ms": round(self.percentile(50, self.latencies_by_label.get(label, [])), 2),
                "p99_ms": round(self.percentile(99, self.latencies_by_label.get(label, [])), 2),
            }
            for label, requests in self.requests_by_label.items()
        }

    @property
    def keys_executed_twice(self) -> int:
        return sum(1 for executions in self.executions_per_key.values() if executions > 1)


async def _client_loop(
    client: httpx.AsyncClient,
    make_request: Callable[[int], Request],
    client_index: int,
    budget: list[int],
    deadline: float,
    result: LoadResult,
    expected: set[int],
    think_seconds: float,
    observe: Callable[[int, httpx.Response | None], None] | None,
) -> None:
    if think_seconds:
        await asyncio.sleep(random.uniform(0, think_seconds))  # spread the clients' first requests
    first = True
    while budget[0] > 0 and time.monotonic() < deadline:
        budget[0] -= 1
        request = make_request(client_index)
        headers = dict(request.headers)
        if request.idempotency_key:
            headers["Idempotency-Key"] = request.idempotency_key
        started = time.perf_counter()
        try:
            response = await client.request(
                request.method,
                request.path,
                headers=headers,
                data=request.data,
                json=request.json,
            )
            status = response.status_code
        except httpx.HTTPError as error:
            response = None
            status = 599  # no answer: counted with the 5xx, and by kind below
            kind = type(error).__name__
            result.transport_errors[kind] = result.transport_errors.get(kind, 0) + 1
        else:
            if request.idempotency_key and 200 <= status < 300:
                replayed = response.headers.get("Idempotent-Replayed") == "true"
                executions = result.executions_per_key.setdefault(request.idempotency_key, 0)
                result.executions_per_key[request.idempotency_key] = executions + (not replayed)
        if not first:  # the first request also opens the client's connection: not timed
            latency = (time.perf_counter() - started) * 1000
            result.latencies_ms.append(latency)
            if request.label:
                result.latencies_by_label.setdefault(request.label, []).append(latency)
        first = False
        if request.label:
            requests = result.requests_by_label.get(request.label, 0)
            result.requests_by_label[request.label] = requests + 1
        if observe:
            observe(client_index, response)
        result.requests += 1
        if status >= 500:
            result.server_errors += 1
        if status not in expected:
            result.errors += 1
        if think_seconds:
            # Think times vary, as people's do: a fixed pause would keep clients that were once
            # delayed together in lock-step, and their requests would go on arriving in bursts.
            await asyncio.sleep(random.uniform(0.5, 1.5) * think_seconds)


@dataclass
class ClientGroup:
    """Clients that send the same kind of request; groups in one run load the server together."""

    name: str
    clients: int
    make_request: Callable[[int], Request]
    make_client_kwargs: Callable[[int], dict]
    expected: frozenset[int] = frozenset({200})
    think_seconds: float = 0


def run_load(
    name: str,
    base_url: str,
    clients: int,
    make_request: Callable[[int], Request],
    make_client_kwargs: Callable[[int], dict],
    *,
    max_requests: int,
    max_seconds: float,
    expected: set[int] = frozenset({200}),
    think_seconds: float = 0,
) -> LoadResult:
    """`clients` concurrent connections, each with its own cookies/headers from
    `make_client_kwargs(i)`, sending `make_request(i)` until the request or time budget is spent.
    With `think_seconds`, each client pauses that long after every answer, as a person would:
    the load is then paced rather than as fast as the server answers. A request maker with an
    `observe(i, response)` method sees each answer before it makes client `i`'s next request."""
    group = ClientGroup(
        name, clients, make_request, make_client_kwargs, frozenset(expected), think_seconds
    )
    return run_groups(base_url, [group], max_requests=max_requests, max_seconds=max_seconds)[0]


def run_groups(
    base_url: str, groups: list[ClientGroup], *, max_requests: int, max_seconds: float
) -> list[LoadResult]:
    """Every group's clients at once, each group with its own request budget and result."""

    async def run_group(group: ClientGroup, deadline: float) -> LoadResult:
        result = LoadResult(group.name, group.clients, 0, 0, 0, 0.0, [])
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        budget = [max_requests]
        observe = getattr(group.make_request, "observe", None)
        sessions = [
            httpx.AsyncClient(
                base_url=base_url, timeout=30, limits=limits, **group.make_client_kwargs(i)
            )
            for i in range(group.clients)
        ]
        started = time.perf_counter()
        try:
            await asyncio.gather(
                *(
                    _client_loop(
                        session,
                        group.make_request,
                        i,
                        budget,
                        deadline,
                        result,
                        set(group.expected),
                        group.think_seconds,
                        observe,
                    )
                    for i, session in enumerate(sessions)
                )
            )
        finally:
            result.seconds = time.perf_counter() - started
            await asyncio.gather(*(session.aclose() for session in sessions))
        return result

    async def main() -> list[LoadResult]:
        deadline = time.monotonic() + max_seconds
        return list(await asyncio.gather(*(run_group(group, deadline) for group in groups)))

    # The generator's own garbage collections would pause every client at once and show up as
    # server latency: the run keeps its few objects until it ends.
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        return asyncio.run(main())
    finally:
        gc.enable()
        gc.unfreeze()


def run_groups_beside[T](
    base_url: str,
    groups: list[ClientGroup],
    load_beside: Callable[[], T],
    *,
    max_requests: int,
    max_seconds: float,
) -> tuple[list[LoadResult], T]:
    """`groups` as run_groups runs them, while `load_beside()` loads the server from a process
    of its own. One event loop times every answer it waits for: a second load sharing it would
    delay the timing of the first one's answers by its own client-side work (parsing,
    bookkeeping), and that delay would be counted as the server's. The clients of people's
    other tabs are not in the server's process either; here they still share its two CPUs."""
    receiving, sending = multiprocessing.Pipe(duplex=False)

    def send_beside() -> None:
        sending.send(load_beside())

    # Forked: the groups' request makers are closures, which a spawned process could not take.
    process = multiprocessing.get_context("fork").Process(target=send_beside, daemon=True)
    process.start()
    # The child has its own end: with this one closed, a child that dies without sending
    # ends the wait below instead of prolonging it for ever.
    sending.close()
    beside_results = None
    try:
        results = run_groups(base_url, groups, max_requests=max_requests, max_seconds=max_seconds)
        with suppress(EOFError):
            beside_results = receiving.recv()
    finally:
        process.join(timeout=60)
    if process.exitcode != 0 or beside_results is None:
        raise RuntimeError(f"the load beside ended with exit code {process.exitcode}")
    return results, beside_results
