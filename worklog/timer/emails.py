"""The "Still working?" email and its links. A link is signed (django.core.signing), names one
notice and one answer, expires STILL_WORKING_LINK_VALIDITY after the email was sent, and works
once: answering marks the notice answered (see services.answer_still_working)."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from worklog.timer.models import TimerNotice

STILL_WORKING_LINK_VALIDITY = timedelta(hours=24)
STILL_WORKING_SUBJECT = "Still working?"
_SALT = "worklog.timer.still-working"


class StillWorkingAnswer(StrEnum):
    STOP = "stop"
    KEEP = "keep"


@dataclass(frozen=True)
class StillWorkingLink:
    notice_id: str
    answer: StillWorkingAnswer
    expired: bool


def still_working_url(notice: TimerNotice, answer: StillWorkingAnswer) -> str:
    """The absolute address of one answer's link (the worker has no request: SITE_URL)."""
    token = signing.dumps({"notice": str(notice.pk), "answer": answer.value}, salt=_SALT)
    path = reverse("worklog:timer-still-working", args=[token])
    return settings.SITE_URL.rstrip("/") + path


def read_still_working_link(token: str) -> StillWorkingLink:
    """What a link says; `signing.BadSignature` for one that was not made here or was altered.
    An expired link is still read (`expired=True`), so that its owner can be told so."""
    expired = False
    try:
        payload = signing.loads(
            token, salt=_SALT, max_age=STILL_WORKING_LINK_VALIDITY.total_seconds()
        )
    except signing.SignatureExpired:
        payload = signing.loads(token, salt=_SALT)
        expired = True
    try:
        return StillWorkingLink(
            notice_id=payload["notice"],
            answer=StillWorkingAnswer(payload["answer"]),
            expired=expired,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise signing.BadSignature("Not a still-working link.") from error


def send_still_working_email(notice: TimerNotice) -> None:
    """Ask the notice's user, by email, whether they are still working on its running session.
    Times are written in the user's zone."""
    user = notice.user
    session = notice.session
    with timezone.override(user.zone):
        body = render_to_string(
            "worklog/timer/still_working_email.txt",
            {
                "user": user,
                "session": session,
                "target": session.target if session.target_id else None,
                "running_for_hours": int((notice.created_at - session.started_at).total_seconds())
                // 3600,
                "stop_url": still_working_url(notice, StillWorkingAnswer.STOP),
                "keep_url": still_working_url(notice, StillWorkingAnswer.KEEP),
                "valid_hours": int(STILL_WORKING_LINK_VALIDITY.total_seconds() // 3600),
                "expires_at": notice.created_at + STILL_WORKING_LINK_VALIDITY,
            },
        )
    send_mail(STILL_WORKING_SUBJECT, body, None, [user.email])
