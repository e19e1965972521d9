from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tests.testapp_decisioning.models import Event, Membership

pytestmark = pytest.mark.django_db


def recorded_at(moment, **fields):
    """An Event whose system time is `moment` (as if it had been recorded then)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return Event.objects.create(effective_at=fields.pop("effective_at", moment), **fields)


def period(start_days, end_days=None):
    now = timezone.now()
    return Membership.objects.create(
        valid_from=now + timedelta(days=start_days),
        valid_to=None if end_days is None else now + timedelta(days=end_days),
    )


class TestEventAsOfQuerySet:
    def test_as_of_returns_effective_before(self):
        now = timezone.now()
        past = Event.objects.create(effective_at=now - timedelta(days=2))
        assert list(Event.objects.as_of(now - timedelta(days=1))) == [past]

    def test_as_of_excludes_future(self):
        now = timezone.now()
        Event.objects.create(effective_at=now)
        assert not Event.objects.as_of(now - timedelta(hours=1)).exists()

    def test_recorded_before_filters(self):
        now = timezone.now()
        early = recorded_at(now - timedelta(days=3))
        recorded_at(now - timedelta(days=1))
        assert list(Event.objects.recorded_before(now - timedelta(days=2))) == [early]

    def test_recorded_after_filters(self):
        now = timezone.now()
        recorded_at(now - timedelta(days=3))
        late = recorded_at(now - timedelta(days=1))
        assert list(Event.objects.recorded_after(now - timedelta(days=2))) == [late]

    def test_effective_between_range(self):
        now = timezone.now()
        start, end = now - timedelta(days=5), now - timedelta(days=1)
        at_start = Event.objects.create(effective_at=start)
        inside = Event.objects.create(effective_at=now - timedelta(days=3))
        Event.objects.create(effective_at=end)
        Event.objects.create(effective_at=now - timedelta(days=9))
        assert set(Event.objects.effective_between(start, end)) == {at_start, inside}

    def test_as_of_empty_when_none_exist(self):
        assert list(Event.objects.as_of(timezone.now())) == []

    def test_as_of_multiple_records(self):
        now = timezone.now()
        events = [Event.objects.create(effective_at=now - timedelta(days=d)) for d in (1, 2, 3)]
        assert set(Event.objects.as_of(now)) == set(events)

    def test_chained_queries(self):
        now = timezone.now()
        kept = recorded_at(now - timedelta(days=2), effective_at=now - timedelta(days=4))
        recorded_at(now - timedelta(days=2), effective_at=now - timedelta(days=2, hours=12))
        recorded_at(now - timedelta(hours=1), effective_at=now - timedelta(days=4))
        chained = Event.objects.as_of(now - timedelta(days=3)).recorded_before(
            now - timedelta(days=1)
        )
        assert list(chained) == [kept]
        assert list(chained.recorded_after(now - timedelta(days=3))) == [kept]


class TestEffectiveDatedQuerySet:
    def test_current_returns_active(self):
        active = period(-2, 2)
        assert list(Membership.objects.current()) == [active]

    def test_current_excludes_expired(self):
        period(-5, -1)
        assert not Membership.objects.current().exists()

    def test_current_excludes_future(self):
        period(1, 5)
        assert not Membership.objects.current().exists()

    def test_as_of_historical(self):
        old = period(-10, -5)
        period(-5)
        moment = timezone.now() - timedelta(days=7)
        assert list(Membership.objects.as_of(moment)) == [old]

    def test_expired_returns_only_expired(self):
        expired = period(-5, -1)
        period(-1, 3)
        period(-1)
        assert list(Membership.objects.expired()) == [expired]

    def test_future_returns_only_future(self):
        future = period(2, 5)
        period(-1, 3)
        assert list(Membership.objects.future()) == [future]

    def test_overlapping_finds_intersecting(self):
        now = timezone.now()
        inside = period(-3, -1)
        spanning = period(-10)
        assert set(Membership.objects.overlapping(now - timedelta(days=2), now)) == {
            inside,
            spanning,
        }

    def test_overlapping_excludes_non_intersecting(self):
        now = timezone.now()
        period(-10, -5)
        period(1, 3)
        touching = period(-5, -2)
        found = Membership.objects.overlapping(touching.valid_to, now + timedelta(days=1))
        assert touching not in found
        assert not found.exists()

    def test_current_with_indefinite(self):
        open_ended = period(-1)
        assert list(Membership.objects.current()) == [open_ended]

    def test_chained_queries(self):
        kept = Membership.objects.create(member="a", valid_from=timezone.now() - timedelta(days=1))
        Membership.objects.create(member="b", valid_from=timezone.now() - timedelta(days=1))
        assert list(Membership.objects.current().filter(member="a").future()) == []
        assert list(Membership.objects.filter(member="a").current()) == [kept]
