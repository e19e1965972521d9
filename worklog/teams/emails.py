"""The Monday reminders' emails, with links to the pages that act on them (SITE_URL: the
worker has no request)."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from worklog.teams.models import ReminderKind, WeekReminder


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send_reminder_email(reminder: WeekReminder, *, waiting: int = 0) -> None:
    user = reminder.recipient
    if reminder.kind == ReminderKind.SUBMIT:
        subject = f"Please submit your week of {reminder.week_start:%-d %b}"
        url = _absolute(f"{reverse('worklog:timer-week')}?date={reminder.week_start:%Y-%m-%d}")
        body = (
            f"Hello {user.get_full_name() or user.username},\n\n"
            f"your timesheet for the week of {reminder.week_start:%-d %B %Y} is not submitted "
            f"yet. Check it and submit it here:\n\n{url}\n"
        )
    else:
        subject = f"{waiting} week{'s' if waiting != 1 else ''} waiting for your approval"
        url = _absolute(reverse("worklog:teams"))
        body = (
            f"Hello {user.get_full_name() or user.username},\n\n"
            f"{waiting} submitted week{'s' if waiting != 1 else ''} of your teams' members "
            f"{'are' if waiting != 1 else 'is'} waiting for you to approve or reject:\n\n{url}\n"
        )
    send_mail(subject, body, None, [user.email])
