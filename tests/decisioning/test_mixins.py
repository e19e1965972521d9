from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from decisioning.mixins import EffectiveDatedMixin, TimeSemanticsMixin
from decisioning.models import Decision
from tests.testapp_decisioning.models import (
    Event,
    Forecast,
    Membership,
    Price,
    Ticket,
    Timeline,
)

pytestmark = pytest.mark.django_db


class TestTimeSemanticsMixin:
    def test_effective_at_defaults_to_now(self):
        before = timezone.now()
        event = Event.objects.create()
        assert before <= event.effective_at <= timezone.now()

    def test_effective_at_can_be_backdated(self):
        last_week = timezone.now() - timedelta(days=7)
        event = Event.objects.create(effective_at=last_week)
        event.refresh_from_db()
        assert event.effective_at == last_week

    def test_recorded_at_auto_set(self):
        before = timezone.now()
        event = Event.objects.create(effective_at=before - timedelta(days=3))
        assert before <= event.recorded_at <= timezone.now()

    def test_recorded_at_not_editable(self):
        assert Event._meta.get_field("recorded_at").editable is False
        event = Event.objects.create()
        original = event.recorded_at
        event.recorded_at = original - timedelta(days=1)
        with pytest.raises(ValueError, match="recorded_at"):
            event.save()
        event.refresh_from_db()
        assert event.recorded_at == original
        event.name = "renamed"
        event.save()
        event.refresh_from_db()
        assert event.recorded_at == original

    def test_effective_before_recorded(self):
        event = Event.objects.create(effective_at=timezone.now() - timedelta(hours=5))
        assert event.effective_at < event.recorded_at

    def test_effective_equals_recorded(self):
        moment = timezone.now()
        with mock.patch("django.utils.timezone.now", return_value=moment):
            event = Event.objects.create(effective_at=moment)
        event.refresh_from_db()
        assert event.recorded_at == event.effective_at == moment
        assert Event.objects.as_of(event.recorded_at).filter(pk=event.pk).exists()

    def test_mixin_is_abstract(self):
        assert TimeSemanticsMixin._meta.abstract
        with pytest.raises(TypeError):
            TimeSemanticsMixin()

    def test_multiple_inheritance(self):
        now = timezone.now()
        row = Timeline.objects.create(
            effective_at=now - timedelta(days=1), valid_from=now - timedelta(days=1)
        )
        assert row.recorded_at is not None
        assert row.is_active
        names = {constraint.name for constraint in Timeline._meta.constraints}
        assert "testapp_decisioning_timeline_valid_to_after_valid_from" in names


class TestEffectiveDatedMixin:
    def test_valid_from_defaults_to_now(self):
        before = timezone.now()
        row = Membership.objects.create()
        assert before <= row.valid_from <= timezone.now()

    def test_valid_to_nullable(self):
        row = Membership.objects.create()
        row.refresh_from_db()
        assert row.valid_to is None

    def test_is_active_when_valid(self):
        now = timezone.now()
        row = Membership(valid_from=now - timedelta(days=1), valid_to=now + timedelta(days=1))
        assert row.is_active

    def test_is_active_false_when_expired(self):
        now = timezone.now()
        row = Membership(valid_from=now - timedelta(days=2), valid_to=now - timedelta(days=1))
        assert not row.is_active

    def test_is_active_false_when_future(self):
        row = Membership(valid_from=timezone.now() + timedelta(days=1))
        assert not row.is_active

    def test_is_expired_when_past_valid_to(self):
        now = timezone.now()
        row = Membership(valid_from=now - timedelta(days=2), valid_to=now - timedelta(seconds=1))
        assert row.is_expired

    def test_is_expired_false_when_indefinite(self):
        row = Membership(valid_from=timezone.now() - timedelta(days=400))
        assert not row.is_expired

    def test_is_future_when_valid_from_ahead(self):
        assert Membership(valid_from=timezone.now() + timedelta(minutes=5)).is_future

    def test_is_future_false_when_started(self):
        assert not Membership(valid_from=timezone.now() - timedelta(minutes=5)).is_future

    def test_mixin_is_abstract(self):
        assert EffectiveDatedMixin._meta.abstract
        with pytest.raises(TypeError):
            EffectiveDatedMixin()


# What the database keeps


def test_recorded_at_cannot_change_through_queryset_update(user):
    event = Event.objects.create()
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(recorded_at=timezone.now() - timedelta(days=1))
    ticket = Ticket.objects.create(title="t", owner=user)
    decision = Decision.objects.create(target=ticket, decision_type="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(recorded_at=timezone.now())
    original = decision.recorded_at
    decision.refresh_from_db()
    assert decision.recorded_at == original


def test_other_fields_still_update_with_the_trigger_in_place():
    event = Event.objects.create()
    Event.objects.filter(pk=event.pk).update(name="renamed", effective_at=event.effective_at)
    event.refresh_from_db()
    assert event.name == "renamed"


def test_valid_to_must_come_after_valid_from():
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(valid_from=now, valid_to=now)
    with pytest.raises(ValidationError):
        Membership(valid_from=now, valid_to=now - timedelta(days=1)).full_clean()


def test_overlapping_periods_for_one_subject_are_refused():
    now = timezone.now()
    Price.objects.create(product="tea", valid_from=now, valid_to=now + timedelta(days=10))
    overlapping = Price(
        product="tea", valid_from=now + timedelta(days=5), valid_to=now + timedelta(days=15)
    )
    with pytest.raises(ValidationError, match="overlaps"):
        overlapping.full_clean()
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            overlapping.save()


def test_open_ended_period_overlaps_every_later_one():
    now = timezone.now()
    Price.objects.create(product="tea", valid_from=now)
    later = Price(product="tea", valid_from=now + timedelta(days=300))
    with pytest.raises(ValidationError):
        later.full_clean()


def test_touching_periods_and_other_subjects_are_allowed():
    now = timezone.now()
    Price.objects.create(product="tea", valid_from=now, valid_to=now + timedelta(days=10))
    touching = Price(product="tea", valid_from=now + timedelta(days=10))
    touching.full_clean()
    touching.save()
    coffee = Price(product="coffee", valid_from=now, valid_to=now + timedelta(days=10))
    coffee.full_clean()
    coffee.save()
    assert Price.objects.count() == 3


def test_soft_deleted_periods_do_not_block_new_ones():
    now = timezone.now()
    old = Price.objects.create(product="tea", valid_from=now, valid_to=now + timedelta(days=10))
    old.delete()
    replacement = Price(product="tea", valid_from=now, valid_to=now + timedelta(days=10))
    replacement.full_clean()
    replacement.save()
    assert Price.objects.get() == replacement


def test_editing_a_period_does_not_collide_with_itself():
    now = timezone.now()
    price = Price.objects.create(product="tea", valid_from=now, valid_to=now + timedelta(days=10))
    price.valid_to = now + timedelta(days=20)
    price.full_clean()
    price.save()


def test_future_effective_at_is_accepted_by_default_and_left_out_of_as_of():
    now = timezone.now()
    scheduled = Event.objects.create(name="launch", effective_at=now + timedelta(days=30))
    scheduled.refresh_from_db()
    assert scheduled.effective_at == now + timedelta(days=30)
    assert not Event.objects.as_of(now).exists()
    assert list(Event.objects.as_of(now + timedelta(days=31))) == [scheduled]


def test_a_model_that_refuses_the_future_says_so():
    assert TimeSemanticsMixin.allow_future_effective_at is True
    assert Event.allow_future_effective_at is True
    assert Decision.allow_future_effective_at is False


def test_small_clock_skew_is_tolerated_where_the_future_is_refused(user):
    ticket = Ticket.objects.create(title="t", owner=user)
    Decision.objects.create(
        target=ticket, decision_type="x", effective_at=timezone.now() + timedelta(seconds=20)
    )
    with pytest.raises(ValidationError, match="future"):
        Decision.objects.create(
            target=ticket, decision_type="x", effective_at=timezone.now() + timedelta(minutes=5)
        )


def test_max_backdate_policy():
    with pytest.raises(ValidationError, match="ago"):
        Forecast.objects.create(effective_at=timezone.now() - timedelta(days=31))
    Forecast.objects.create(effective_at=timezone.now() - timedelta(days=29))
    Forecast.objects.create(effective_at=timezone.now() + timedelta(days=29))
