"""The actions the load runs drive, each as a user's browser or hotkey sends it. Every scenario
makes the request client `i` sends next; clients are users, so concurrent clients never share a
timer, a basket or an idempotency key."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

import httpx

from bench.load import Request
from bench.seed import LoadUser


@dataclass
class Scenario:
    name: str
    # Called once per load run with the users taking part; returns the request maker.
    start: Callable[[list[LoadUser], int], Callable[[int], Request]]
    auth: str = "browser"  # or "token", or "none" (the request carries its own credentials)
    expected: frozenset[int] = frozenset({200})
    # Called before the run, outside the timing (e.g. to create the baskets to commit).
    prepare: Callable[[list[LoadUser], int], None] | None = None
    # The floor scenario its figures are given as ratios to.
    floor: str = "floor"
    # Also run paced at the top level (the latency many people see), not only saturated.
    paced: bool = True

    def client_kwargs(self, user: LoadUser) -> dict:
        if self.auth == "token":
            return {"headers": {"Authorization": f"Bearer {user.api_token}"}}
        if self.auth == "none":
            return {}
        return user.browser


def _same(request: Request) -> Callable[[list[LoadUser], int], Callable[[int], Request]]:
    return lambda users, run: lambda index: request


def _state_check(users: list[LoadUser], run: int) -> Callable[[int], Request]:
    """What an open tab asks every 30 seconds, without cookies: has my timer changed since the
    version I show? Mostly not (304); a 200 when another client of the run toggled it."""
    from django.urls import reverse

    from core.models import User
    from worklog.timer.running import state_token, state_version

    url = reverse("worklog:timer-state")
    by_pk = User.objects.in_bulk([user.pk for user in users])
    tokens = [state_token(by_pk[user.pk]) for user in users]
    checks = [
        Request(
            "GET", f"{url}?token={token}", headers={"If-None-Match": f'"{state_version(token)}"'}
        )
        for token in tokens
    ]
    return lambda index: checks[index]


STATE_CHECK = Scenario(
    "timer state check",
    _state_check,
    auth="none",
    expected=frozenset({200, 304}),
)


READ_FLOOR = "read floor"
SWITCH_ALONE = "switch alone (API)"


def _switch_then_week_read(users: list[LoadUser], run: int) -> Callable[[int], Request]:
    """Each client, as fast as it can, switches its timer and then reads its current week of
    sessions (the week grows by one session per switch)."""
    from bench.reading import monday, week_query

    switch = Request("POST", "/api/v1/timer/start", label="switch")
    week_read = Request("GET", f"/api/v1/timer/sessions?{week_query(monday(0))}", label="week read")
    sent = [count() for _ in users]
    return lambda index: week_read if next(sent[index]) % 2 else switch


def _reading_week(path: str, query: str = "") -> Callable[[list[LoadUser], int], Callable]:
    """A GET of `path` about each user's reading week (bench.reading): `{week}` in `query` is
    replaced by the API's from/to, `{monday}` by the week's first day."""

    def start(users: list[LoadUser], run: int) -> Callable[[int], Request]:
        from bench.reading import reading_monday, week_query

        first_day = reading_monday()
        filled = query.format(week=week_query(first_day), monday=f"{first_day:%Y-%m-%d}")
        request = Request("GET", f"{path}?{filled}")
        return lambda index: request

    return start


def reading_scenarios() -> list[Scenario]:
    """The read floor first: the other reading figures are also given as ratios to it. They run
    saturated only: fifty people each asking for a week of 1,000 sessions every second (the
    paced run) is not how these pages are used."""
    report = "period=week&date={monday}"
    scenarios = [
        Scenario(
            READ_FLOOR, _reading_week("/bench/read-floor", "{week}"), "token", floor=READ_FLOOR
        ),
        Scenario(
            "week read (API)",
            _reading_week("/api/v1/timer/sessions", "{week}"),
            "token",
            floor=READ_FLOOR,
        ),
        Scenario(
            "switch + week read (API)",
            _switch_then_week_read,
            "token",
            expected=frozenset({200, 201}),
            floor=READ_FLOOR,
        ),
        # The switch alone, to show how much of switch + week read the switch takes; after it,
        # as its sessions would fill the readers' current week.
        Scenario(
            SWITCH_ALONE,
            _same(Request("POST", "/api/v1/timer/start")),
            "token",
            expected=frozenset({201}),
            floor=READ_FLOOR,
        ),
        Scenario("week page", _reading_week("/timer/week/", "date={monday}"), floor=READ_FLOOR),
        Scenario("day page", _reading_week("/timer/day/", "date={monday}"), floor=READ_FLOOR),
        Scenario("timer report", _reading_week("/timer/report/", report), floor=READ_FLOOR),
        Scenario(
            "timer report CSV",
            _reading_week("/timer/report/download/", report + "&format=csv"),
            floor=READ_FLOOR,
        ),
        Scenario(
            "timer report XLSX",
            _reading_week("/timer/report/download/", report + "&format=xlsx"),
            floor=READ_FLOOR,
        ),
    ]
    for scenario in scenarios:
        scenario.paced = False
    return scenarios


def _decision_create(users: list[LoadUser], run: int) -> Callable[[int], Request]:
    """Each client records decisions about one of its baskets; every key is sent twice in a row,
    as a retried request would be, so the second answer must be a replay."""
    from django.contrib.contenttypes.models import ContentType

    from catalog.models import Basket

    content_type = ContentType.objects.get_for_model(Basket).pk
    targets = [user.drafts[0][0] if user.drafts else None for user in users]
    sent = [count() for _ in users]

    def request(index: int) -> Request:
        number = next(sent[index])
        return Request(
            "POST",
            f"/decisions/record/{content_type}/{targets[index]}/",
            data={
                "decision_type": "load",
                "outcome": "approved",
                "reason": f"request {number // 2}",
            },
            idempotency_key=f"decision-{run}-{index}-{number // 2}",
        )

    return request


class _BasketPage:
    """What each client's catalog page sends next. Every `LINES_PER_BASKET` adds the client opens
    the page afresh, with a new basket key and no basket shown; after that, each add sends the
    basket the page shows and its revision, read from the previous answer, as the page does."""

    LINES_PER_BASKET = 10
    SHOWN = re.compile(r'name="(shown_basket|revision)" value="([^"]+)"')

    def __init__(self, item_ids: list[str], clients: int, run: int) -> None:
        self.item_ids, self.run = item_ids, run
        self.sent = [count() for _ in range(clients)]
        self.shown: list[dict[str, str]] = [{} for _ in range(clients)]

    def __call__(self, index: int) -> Request:
        number = next(self.sent[index])
        if number % self.LINES_PER_BASKET == 0:
            self.shown[index] = {}
        basket_key = f"{self.run:08x}-{index:04x}-4000-8000-{number // self.LINES_PER_BASKET:012x}"
        data = {
            "catalog_item": self.item_ids[number % len(self.item_ids)],
            "basket_key": basket_key,
            "quantity": "1",
            **self.shown[index],
        }
        return Request("POST", "/catalog/basket/add/", data=data)

    def observe(self, index: int, response: httpx.Response | None) -> None:
        if response is not None and response.status_code == 200:
            self.shown[index].update(self.SHOWN.findall(response.text))


def _add_to_basket(item_ids: list[str]) -> Callable[[list[LoadUser], int], Callable]:
    return lambda users, run: _BasketPage(item_ids, len(users), run)


def _commit(users: list[LoadUser], run: int) -> Callable[[int], Request]:
    """Each basket is committed twice in a row: the double click the page must absorb."""
    from catalog.selectors import work_type_choices

    chosen = [value for value, _ in work_type_choices()[:2]]
    sent = [count() for _ in users]

    def request(index: int) -> Request:
        number = next(sent[index])
        drafts = users[index].drafts
        basket_id, revision = drafts[min(number // 2, len(drafts) - 1)]
        return Request(
            "POST",
            f"/catalog/baskets/{basket_id}/commit/",
            data={"revision": str(revision), "work_types": chosen},
        )

    return request


def _prepare_drafts(item_ids: list[str], total: int) -> Callable[[list[LoadUser], int], None]:
    """About `total` draft baskets shared among the run's users."""
    from bench.seed import create_drafts

    return lambda users, run: create_drafts(users, max(1, total // len(users)), item_ids)


def scenarios(item_ids: list[str], drafts_per_run: int, author_pk: int) -> list[Scenario]:
    """The floor first: every other figure is also given as a ratio to it."""
    from bench.procedures import check_scenario

    prepare_checks, start_checks = check_scenario(author_pk)
    return [
        Scenario("floor", _same(Request("POST", "/bench/floor"))),
        Scenario("timer toggle (HTMX)", _same(Request("POST", "/timer/toggle/"))),
        Scenario(
            "timer toggle (API)", _same(Request("POST", "/api/v1/timer/toggle")), auth="token"
        ),
        Scenario("dashboard GET", _same(Request("GET", "/"))),
        STATE_CHECK,
        Scenario(
            "decision create",
            _decision_create,
            prepare=_prepare_drafts(item_ids, 50),
        ),
        Scenario("add to basket", _add_to_basket(item_ids)),
        Scenario(
            "basket commit",
            _commit,
            prepare=_prepare_drafts(item_ids, drafts_per_run),
        ),
        Scenario(
            "procedure check",
            start_checks,
            prepare=prepare_checks,
            expected=frozenset({200, 302}),  # 302: a new start after a completed walk
        ),
        *reading_scenarios(),
    ]
