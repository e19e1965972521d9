"""Open tabs' state checks, sent by a client that costs the load generator little.

A tab's check is a browser's work on the user's machine, not the server's. httpx spends more
CPU on a check (1.3-1.9 ms, measured in the CPU table) than the app does, and here the load
generator shares the server's two CPUs: with httpx, fifty checking tabs slowed the other
actions mostly by the bench's own client work. This client writes each tab's request as bytes
it built once, over a kept-alive HTTP/1.1 connection, and reads the status line and the body's
length.

It connects only when it has a request to send, as a browser does for a fetch. gunicorn's
threaded worker gives a new connection a thread that waits (up to 5 s) for the first request:
connections opened ahead of their requests would hold the worker's threads and stall the
requests the run times (seen: answers of about a second with clients that connected early)."""

import asyncio
import random
import time
from urllib.parse import urlparse

from bench.load import ClientGroup, LoadResult

RESPONSE_HEAD_END = b"\r\n\r\n"
NO_CONTENT = frozenset({204, 304})
# As long as the httpx clients wait for an answer.
ANSWER_TIMEOUT_SECONDS = 30


def _request_bytes(host: str, method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {host}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _exchange(connection, request: bytes) -> tuple[int, bool]:
    """Sends the request; returns the answer's status and whether the server keeps the
    connection open. The state check's answers name their length, or have no content."""
    reader, writer = connection
    writer.write(request)
    head = await reader.readuntil(RESPONSE_HEAD_END)
    status = int(head[9:12])
    length, keep_alive = None, True
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            raise ValueError("an answer in chunks, which this client does not read")
        elif name == b"connection" and value.strip().lower() == b"close":
            keep_alive = False
    if status in NO_CONTENT:
        length = 0
    elif length is None:
        raise ValueError("an answer that does not name its length")
    if length:
        await reader.readexactly(length)
    return status, keep_alive


async def _tab(host, port, request: bytes, deadline, think_seconds, result, expected, budget):  # noqa: PLR0913
    await asyncio.sleep(random.uniform(0, think_seconds))  # tabs opened at different times
    connection = None
    first = True
    while budget[0] > 0 and time.monotonic() < deadline:
        budget[0] -= 1
        started = time.perf_counter()
        status = 599  # no answer: counted with the 5xx, and by kind
        for reused in (connection is not None, False):
            try:
                async with asyncio.timeout(ANSWER_TIMEOUT_SECONDS):
                    if connection is None:
                        connection = await asyncio.open_connection(host, port)
                    status, keep_alive = await _exchange(connection, request)
            except (OSError, EOFError, asyncio.LimitOverrunError, ValueError) as error:
                if connection is not None:
                    connection[1].close()
                    connection = None
                # A kept-alive connection the server closed meanwhile (its keep-alive timeout,
                # or a worker being replaced) fails at once: the check is sent again on a new
                # one, as a browser resends an idempotent request.
                if reused and isinstance(error, (asyncio.IncompleteReadError, ConnectionError)):
                    continue
                kind = type(error).__name__
                result.transport_errors[kind] = result.transport_errors.get(kind, 0) + 1
                break
            if not keep_alive:
                connection[1].close()
                connection = None
            break
        if not first:  # the first check also opens the connection: not timed
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
        first = False
        result.requests += 1
        result.server_errors += status >= 500
        result.errors += status not in expected
        await asyncio.sleep(random.uniform(0.5, 1.5) * think_seconds)
    if connection is not None:
        connection[1].close()


def run_tab_checks(
    base_url: str, group: ClientGroup, *, max_requests: int, max_seconds: float
) -> LoadResult:
    """`group`'s clients as open tabs, each sending its request every `think_seconds` or so.
    The requests carry their credentials in the URL and headers (no cookies)."""
    url = urlparse(base_url)
    requests = []
    for index in range(group.clients):
        request = group.make_request(index)
        requests.append(_request_bytes(url.netloc, request.method, request.path, request.headers))

    async def main() -> LoadResult:
        result = LoadResult(group.name, group.clients, 0, 0, 0, 0.0, [])
        deadline = time.monotonic() + max_seconds
        started = time.perf_counter()
        budget = [max_requests]
        await asyncio.gather(
            *(
                _tab(
                    url.hostname,
                    url.port,
                    request,
                    deadline,
                    group.think_seconds,
                    result,
                    group.expected,
                    budget,
                )
                for request in requests
            )
        )
        result.seconds = time.perf_counter() - started
        return result

    cpu_before = time.process_time()
    result = asyncio.run(main())
    result.client_cpu_seconds = time.process_time() - cpu_before
    return result
