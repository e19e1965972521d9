from datetime import date

from django.core.exceptions import ValidationError

# Dates near year 1 or 9999 overflow Python's datetime once shifted into UTC or another time
# zone, or when a day is added for an inclusive range: such input is refused before it is used.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2999


def validate_supported_date(value: date) -> None:
    """For dates and datetimes (a datetime is a date) in any time zone."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            f"Give a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}.",
            code="unsupported_date",
        )
