"""The running timer as every page's header shows it, and the cheap check that tells an open tab
whether it changed: a version of the user's running session that the header carries and that
`/timer/state/` answers with `304 Not Modified` while it holds, in one query and without the
session cookie (a signed token in the URL names the user)."""

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from core.display import display_name
from worklog.compiled import CompiledQuery
from worklog.timer.models import WorkSession
from worklog.timer.selectors import active_session

STATE_TOKEN_SALT = "worklog.timer.state"
# A tab left open longer gets a new token with its next full refresh.
STATE_TOKEN_MAX_AGE = 12 * 3600
# A token handed out is at most this old: it stays good for eleven hours or more.
STATE_TOKEN_REISSUE_SECONDS = 3600
IDLE = "idle"


def timer_version(pk, started_at: datetime | None, updated_at: datetime | None) -> str:
    """Changes whenever the running session starts, stops, switches or is edited."""
    if pk is None:
        return IDLE
    facts = f"{pk}:{started_at.timestamp()}:{updated_at.timestamp()}"
    return hashlib.sha256(facts.encode()).hexdigest()[:20]


def _auth_fragment(user) -> str:
    # Changing the password (or signing out everywhere) invalidates the token.
    return user.get_session_auth_hash()[:16]


@lru_cache(maxsize=4096)
def _auth_fragment_of_password(password_hash: str) -> str:
    """Every state check compares its token with the user's stored password hash: the fragment
    of a hash is derived once per process."""
    return _auth_fragment(get_user_model()(password=password_hash))


def state_token(user) -> str:
    """A user's token, signed afresh once per STATE_TOKEN_REISSUE_SECONDS: every page and every
    timer action's answer carries it, and signing is a good part of the header's cost."""
    period = int(time.time()) // STATE_TOKEN_REISSUE_SECONDS
    return _signed_state_token(user.pk, _auth_fragment(user), period)


@lru_cache(maxsize=4096)
def _signed_state_token(user_pk, auth_fragment: str, period: int) -> str:
    return signing.dumps({"u": user_pk, "h": auth_fragment}, salt=STATE_TOKEN_SALT)


def state_version(token: str) -> str | None:
    """The running-timer version of the user the token names, or None for a token that is
    forged, expired, or no longer matches its user: one query."""
    try:
        claims = signing.loads(token, salt=STATE_TOKEN_SALT, max_age=STATE_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    user_pk = claims.get("u")
    if not isinstance(user_pk, int):
        return None
    row = next(iter(_state_query(connection.vendor).queryset(user_pk, [])), None)
    if row is None:
        return None
    password, running_pk, running_started, running_updated = row
    if _auth_fragment_of_password(password) != claims.get("h"):
        return None
    return timer_version(running_pk, running_started, running_updated)


def _state_queryset(user_id: int, moments: list[datetime]):
    """The user's password (for the token's fragment) and running session's version facts."""
    running = WorkSession.objects.filter(user=OuterRef("pk")).active().order_by("-started_at")
    return (
        get_user_model()
        ._default_manager.filter(pk=user_id, is_active=True)
        .annotate(
            running_pk=Subquery(running.values("pk")[:1]),
            running_started=Subquery(running.values("started_at")[:1]),
            running_updated=Subquery(running.values("updated_at")[:1]),
        )
        .values_list("password", "running_pk", "running_started", "running_updated")[:1]
    )


@cache
def _state_query(vendor: str) -> CompiledQuery:
    """Open tabs ask this more than anything else: compiled once."""
    return CompiledQuery.compile(_state_queryset, moments=0)


@dataclass
class RunningTimer:
    """What the header shows: the user's running session, if any. Read on first use, so a
    page that shows no header costs nothing; a view that has the session passes it in."""

    user: object
    known: WorkSession | None = None
    known_is_set: bool = False

    @classmethod
    def of(cls, user, session: WorkSession | None) -> "RunningTimer":
        return cls(user, session, known_is_set=True)

    @cached_property
    def session(self) -> WorkSession | None:
        return self.known if self.known_is_set else active_session(self.user)

    @property
    def label(self) -> str:
        session = self.session
        if session is None:
            return ""
        if session.target_id and session.target is not None:
            return display_name(session.target)
        return "No target"

    @property
    def elapsed_seconds(self) -> int:
        session = self.session
        return int((timezone.now() - session.started_at).total_seconds()) if session else 0

    @property
    def version(self) -> str:
        session = self.session
        if session is None:
            return IDLE
        return timer_version(session.pk, session.started_at, session.updated_at)

    @property
    def state_url(self) -> str:
        return f"{reverse('worklog:timer-state')}?token={state_token(self.user)}"
