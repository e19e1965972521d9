"""How things are named and measured for people: an object's name, a duration in words."""


def display_name(obj) -> str:
    """What people call `obj`: its `display_name` where its model has one (because its
    `__str__` is fixed by a seed and reads like an identifier), else `str(obj)`."""
    return getattr(obj, "display_name", None) or str(obj)


def duration_words(seconds: float) -> str:
    """'less than a minute', '1 minute', '25 minutes', '1 hour', '2 hours 5 minutes'."""
    minutes = max(int(seconds or 0), 0) // 60
    if minutes == 0:
        return "less than a minute"
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def duration_short(seconds: float) -> str:
    """A chart bar's value: '' for nothing, '<1m', '45m' under an hour, else hours: '1h', '2.5h'."""
    seconds = max(int(seconds or 0), 0)
    if seconds == 0:
        return ""
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{seconds // 60}m"
    return f"{seconds / 3600:.1f}".removesuffix(".0") + "h"
