from decimal import Decimal

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def qty(value) -> str:
    """A quantity without trailing zeros: 3.00 -> 3, 1.50 -> 1.5."""
    if value is None or value == "":
        return ""
    number = Decimal(value).normalize()
    return f"{number:f}"


@register.filter
def hours_minutes(seconds) -> str:
    """Seconds as "2h 05m", "12m", or "under a minute"."""
    minutes = int(seconds or 0) // 60
    if minutes == 0:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02}m" if hours else f"{minutes}m"


@register.simple_tag
def quantity_bounds(item, left=None) -> str:
    """A quantity input's `min` and `step`: whole numbers for an item counted whole, unless what
    is `left` of a line (ordered before the item was counted whole) is a fraction."""
    whole = not item.allows_fractions and (left is None or left == int(left))
    return mark_safe('min="1" step="1"' if whole else 'min="0.01" step="0.01"')
