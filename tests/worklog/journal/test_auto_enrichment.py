"""Enrichment on save: a per-user setting (off by default) on the profile page; with it on,
saving a log enriches it without asking."""

from datetime import date

import pytest
from django.urls import reverse

from worklog.journal.services import change_status, create_worklog, update_worklog
from worklog.models import EnrichmentStatus, WorkLogStatus

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 2)


def enrich_on_save(user):
    user.enrich_on_save = True
    user.save(update_fields=["enrich_on_save"])
    return user


def test_enrichment_on_save_is_off_by_default(user):
    assert user.enrich_on_save is False
    worklog = create_worklog(user, occurred_on=DAY, content="Tuned the Django queries")
    assert worklog.enrichment_status == EnrichmentStatus.PENDING
    assert not worklog.skill_signals.exists()


def test_with_the_setting_saving_a_log_enriches_it(user):
    enrich_on_save(user)
    worklog = create_worklog(user, occurred_on=DAY, content="Tuned the Django queries")
    worklog.refresh_from_db()
    assert worklog.enrichment_status == EnrichmentStatus.ENRICHED
    assert worklog.skill_signals.filter(name="Django").exists()
    update_worklog(worklog, content="Wrote pytest tests for the checkout")
    worklog.refresh_from_db()
    assert worklog.skill_signals.filter(name="Testing").exists()


def test_saving_without_changing_the_text_does_not_enrich_again(user):
    worklog = create_worklog(user, occurred_on=DAY, content="Tuned the Django queries")
    enrich_on_save(user)
    update_worklog(worklog, effort_minutes=30)
    worklog.refresh_from_db()
    assert worklog.enrichment_status == EnrichmentStatus.PENDING


def test_a_log_saved_as_final_is_not_enriched(user):
    enrich_on_save(user)
    worklog = create_worklog(
        user, occurred_on=DAY, content="Tuned the Django queries", status=WorkLogStatus.FINAL
    )
    worklog.refresh_from_db()
    assert worklog.enrichment_status == EnrichmentStatus.PENDING
    change_status(worklog, WorkLogStatus.DRAFT)
    assert not worklog.skill_signals.exists()


def test_the_profile_page_shows_and_saves_the_setting(user_client, user):
    page = user_client.get(reverse("core:profile")).content.decode()
    assert 'name="enrich_on_save"' in page
    response = user_client.post(
        reverse("core:profile"),
        {
            "first_name": "",
            "last_name": "",
            "email": "alice@example.com",
            "time_zone": "",
            "week_start": "0",
            "enrich_on_save": "on",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.enrich_on_save is True
    entry = user_client.post(
        reverse("worklog:journal-entry"),
        {
            "content": "Reviewed the Django migrations",
            "occurred_on": DAY.isoformat(),
            "effort_minutes": "30",
            "work_type": "delivery",
            "status": "draft",
        },
    )
    assert entry.status_code == 302
    assert user.work_logs.get().enrichment_status == EnrichmentStatus.ENRICHED
