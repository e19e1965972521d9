from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError

# Dates near year 1 or 9999 overflow Python's datetime once shifted into UTC or another time
# zone, or when a day is added for an inclusive range: such input is refused before it is used.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2999
# PostgreSQL refuses a UTC offset of 16 hours or more; no clock on Earth is set beyond 14.
LARGEST_UTC_OFFSET = timedelta(hours=14)


def supported_date_problem(value: date) -> str:
    """What makes a date or datetime one the app cannot use, in a sentence; '' when nothing."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return f"Give a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}."
    offset = value.utcoffset() if isinstance(value, datetime) else None
    if offset is not None and abs(offset) > LARGEST_UTC_OFFSET:
        return "Give a time-zone offset between -14:00 and +14:00."
    return ""


def validate_supported_date(value: date) -> None:
    """For dates and datetimes (a datetime is a date) in any time zone."""
    if problem := supported_date_problem(value):
        raise ValidationError(problem, code="unsupported_date")
