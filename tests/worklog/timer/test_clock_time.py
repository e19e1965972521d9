"""`|clock_time` shows what `|date:"H:i"` shows, in the active time zone."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # 01:59 in Berlin, before the change
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # 03:00 in Berlin, after it
        datetime(2026, 12, 7, 23, 5, tzinfo=UTC),  # the next day in Berlin
        time(7, 4),
        None,
        "",
    ],
)
@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/St_Johns", "UTC"])
def test_clock_time_is_the_date_filters_h_i(value, zone):
    context = Context({"value": value})
    with timezone.override(ZoneInfo(zone)):
        ours = Template("{% load timer_format %}{{ value|clock_time }}").render(context)
        djangos = Template('{{ value|date:"H:i" }}').render(context)
    assert ours == djangos
    if value is not None and value != "":
        assert len(ours) == 5
