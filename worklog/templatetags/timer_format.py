from datetime import datetime, time

from django import template

register = template.Library()


@register.filter
def clock(seconds) -> str:
    """Seconds as H:MM:SS, the way the live clock shows them."""
    seconds = max(int(seconds or 0), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


@register.filter(expects_localtime=True)
def clock_time(value) -> str:
    """A moment's local time as HH:MM: what `|date:"H:i"` shows, without its format parsing
    (a day of session rows shows three each)."""
    if not isinstance(value, datetime | time):
        return ""
    return f"{value.hour:02d}:{value.minute:02d}"


@register.filter
def hours_minutes(seconds) -> str:
    """Seconds as '3h 05m' (or '12m' under an hour)."""
    minutes = max(int(seconds or 0), 0) // 60
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


@register.filter
def hours_clock(seconds) -> str:
    """Seconds as H:MM ('0:01' for a minute, '12:30'), the way a timesheet adds up."""
    minutes = max(int(seconds or 0), 0) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


@register.filter
def duration_in_words(seconds) -> str:
    """Seconds as '10 hours', '1 hour 5 minutes' or '45 minutes' (whole minutes)."""
    minutes = max(int(seconds or 0), 0) // 60
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
