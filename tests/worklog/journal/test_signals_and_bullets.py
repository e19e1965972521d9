"""Skill signals are "AI or manual" (seed 003): a user adds, edits and removes their own; bullets
carry metrics and an order the user sets, shown on the log and in reports."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from worklog.journal.enrichment import (
    add_bullet,
    add_skill_signal,
    move_bullet,
    remove_skill_signal,
    run_enrichment,
    update_bullet,
    update_skill_signal,
)
from worklog.journal.reports import generate_report
from worklog.journal.selectors import report_data
from worklog.journal.services import create_worklog
from worklog.models import (
    SignalSource,
    SignalStatus,
    SkillKind,
    WorkLogBullet,
    WorkLogSkillSignal,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
DAY = date(2026, 12, 2)


@pytest.fixture
def worklog(user):
    return create_worklog(
        user,
        occurred_on=DAY,
        title="Sped up the Django report queries",
        content="Profiled the PostgreSQL queries and added an index.",
        outcome="report pages load in 80 ms",
    )


def url(name, *args):
    return reverse(f"worklog:{name}", args=args)


# Manual skill signals


def test_a_manual_signal_is_accepted_and_survives_enrichment(worklog):
    signal = add_skill_signal(
        worklog, name=" Query tuning ", kind=SkillKind.TECHNICAL, evidence="added an index"
    )
    assert (signal.name, signal.source, signal.status, signal.confidence) == (
        "Query tuning",
        SignalSource.MANUAL,
        SignalStatus.ACCEPTED,
        1.0,
    )
    run_enrichment(worklog.pk)
    assert WorkLogSkillSignal.objects.get(pk=signal.pk).name == "Query tuning"
    assert worklog.skill_signals.filter(source=SignalSource.AI).exists()


def test_a_manual_signal_is_edited_and_removed(worklog):
    signal = add_skill_signal(worklog, name="SQL", kind=SkillKind.TECHNICAL)
    update_skill_signal(signal, name="PostgreSQL", kind=SkillKind.TOOL, evidence="EXPLAIN")
    signal.refresh_from_db()
    assert (signal.name, signal.kind, signal.evidence) == ("PostgreSQL", "tool", "EXPLAIN")
    remove_skill_signal(signal)
    assert not WorkLogSkillSignal.all_objects.filter(pk=signal.pk).exists()


def test_signal_names_are_unique_per_log_and_ai_signals_are_reviewed_not_edited(worklog):
    add_skill_signal(worklog, name="SQL", kind=SkillKind.TECHNICAL)
    with pytest.raises(ValidationError, match="already"):
        add_skill_signal(worklog, name="sql", kind=SkillKind.TOOL)
    with pytest.raises(ValidationError):
        add_skill_signal(worklog, name="  ", kind=SkillKind.TOOL)
    with pytest.raises(ValidationError):
        add_skill_signal(worklog, name="Go", kind="telepathy")
    run_enrichment(worklog.pk)
    suggested = worklog.skill_signals.filter(source=SignalSource.AI).first()
    with pytest.raises(ValidationError, match="Suggested"):
        update_skill_signal(suggested, name="Other", kind=SkillKind.TOOL)
    with pytest.raises(ValidationError, match="Suggested"):
        remove_skill_signal(suggested)
    assert WorkLogSkillSignal.objects.filter(pk=suggested.pk).exists()


def test_signals_are_added_edited_and_removed_on_the_page(user_client, worklog):
    added = user_client.post(
        url("journal-signal-add", worklog.pk),
        {"name": "Indexing", "kind": "technical", "evidence": ""},
        headers=HTMX,
    )
    assert added.status_code == 200 and "Indexing" in added.content.decode()
    signal = worklog.skill_signals.get(name="Indexing")
    assert signal.source == SignalSource.MANUAL
    form = user_client.get(url("journal-signal-edit", signal.pk), headers=HTMX)
    assert form.status_code == 200 and 'data-testid="signal-edit-form"' in form.content.decode()
    edited = user_client.post(
        url("journal-signal-edit", signal.pk),
        {"name": "B-tree indexes", "kind": "technical", "evidence": "added an index"},
        headers=HTMX,
    )
    assert edited.status_code == 200 and "B-tree indexes" in edited.content.decode()
    duplicate = user_client.post(
        url("journal-signal-add", worklog.pk), {"name": "b-tree INDEXES", "kind": "tool"}
    )
    assert duplicate.status_code == 422
    removed = user_client.post(url("journal-signal-remove", signal.pk), headers=HTMX)
    assert removed.status_code == 200
    assert not worklog.skill_signals.exists()


def test_signal_pages_are_hidden_from_another_user(worklog, assert_hidden_from_other_user):
    signal = add_skill_signal(worklog, name="SQL", kind=SkillKind.TECHNICAL)
    assert_hidden_from_other_user(
        url("journal-signal-add", worklog.pk), method="post", data={"name": "x", "kind": "tool"}
    )
    assert_hidden_from_other_user(url("journal-signal-edit", signal.pk))
    assert_hidden_from_other_user(
        url("journal-signal-edit", signal.pk), method="post", data={"name": "x", "kind": "tool"}
    )
    assert_hidden_from_other_user(url("journal-signal-remove", signal.pk), method="post")
    signal.refresh_from_db()
    assert signal.name == "SQL"


# Bullets: metrics and order


def test_bullets_keep_metrics_and_the_order_the_user_sets(worklog):
    first = add_bullet(worklog, text="Added an index", metrics={"p95 latency": "2 s → 80 ms"})
    second = add_bullet(worklog, text="Wrote the tests")
    third = add_bullet(worklog, text="Shipped it", metrics={"pages": 12})
    assert first.metrics == {"p95 latency": "2 s → 80 ms"}
    move_bullet(third, direction="up")
    assert list(worklog.bullets.values_list("text", flat=True)) == [
        "Added an index",
        "Shipped it",
        "Wrote the tests",
    ]
    move_bullet(first, direction="up")  # already first: nothing moves
    assert list(worklog.bullets.values_list("order", flat=True)) == [0, 1, 2]
    update_bullet(second, text="Wrote 40 tests", kind="resume", metrics={"tests": 40})
    second.refresh_from_db()
    assert (second.text, second.metrics) == ("Wrote 40 tests", {"tests": 40})
    with pytest.raises(ValidationError, match="metric"):
        update_bullet(second, text="x", kind="resume", metrics={"tests": [1, 2]})
    with pytest.raises(ValidationError):
        move_bullet(second, direction="sideways")


def test_editing_a_suggested_bullet_accepts_it(worklog):
    run_enrichment(worklog.pk)
    suggested = worklog.bullets.filter(status=SignalStatus.SUGGESTED).first()
    update_bullet(suggested, text="Cut report load time to 80 ms", kind="resume", metrics={})
    suggested.refresh_from_db()
    assert suggested.status == SignalStatus.ACCEPTED and suggested.is_selected
    run_enrichment(worklog.pk)
    assert WorkLogBullet.objects.filter(pk=suggested.pk).exists()


def test_bullet_metrics_and_order_on_the_page(user_client, worklog):
    response = user_client.post(
        url("journal-bullet-add", worklog.pk),
        {"text": "Added an index", "kind": "resume", "metrics": "p95 latency: 80 ms\nqueries: 3"},
        headers=HTMX,
    )
    assert response.status_code == 200
    bullet = worklog.bullets.get()
    assert bullet.metrics == {"p95 latency": "80 ms", "queries": 3}
    body = response.content.decode()
    assert 'data-testid="bullet-metric"' in body and "p95 latency: 80 ms" in body
    bad = user_client.post(
        url("journal-bullet-add", worklog.pk),
        {"text": "x", "kind": "resume", "metrics": "no separator here"},
        headers=HTMX,
    )
    assert bad.status_code == 422 and "name: value" in bad.content.decode()
    second = add_bullet(worklog, text="Second")
    moved = user_client.post(
        url("journal-bullet-move", second.pk), {"direction": "up"}, headers=HTMX
    )
    assert moved.status_code == 200
    assert list(worklog.bullets.values_list("text", flat=True)) == ["Second", "Added an index"]
    edited = user_client.post(
        url("journal-bullet-edit", bullet.pk),
        {"text": "Added two indexes", "kind": "resume", "metrics": "queries: 2"},
        headers=HTMX,
    )
    assert edited.status_code == 200
    bullet.refresh_from_db()
    assert (bullet.text, bullet.metrics) == ("Added two indexes", {"queries": 2})
    form = user_client.get(url("journal-bullet-edit", bullet.pk))
    assert form.status_code == 200 and "queries: 2" in form.content.decode()


def test_bullet_pages_are_hidden_from_another_user(worklog, assert_hidden_from_other_user):
    bullet = add_bullet(worklog, text="Mine")
    assert_hidden_from_other_user(url("journal-bullet-edit", bullet.pk))
    assert_hidden_from_other_user(
        url("journal-bullet-edit", bullet.pk), method="post", data={"text": "x", "kind": "note"}
    )
    assert_hidden_from_other_user(
        url("journal-bullet-move", bullet.pk), method="post", data={"direction": "up"}
    )
    bullet.refresh_from_db()
    assert bullet.text == "Mine"


def test_reports_show_highlights_in_order_with_their_metrics(user, user_client, worklog):
    later = add_bullet(worklog, text="Wrote the tests", metrics={"tests": 40})
    first = add_bullet(worklog, text="Added an index", metrics={"p95 latency": "80 ms"})
    move_bullet(first, direction="up")
    report = generate_report(user, kind="weekly", anchor=DAY)
    assert [bullet.pk for bullet in report_data(report).highlights] == [first.pk, later.pk]
    assert "- Added an index (p95 latency: 80 ms)\n- Wrote the tests (tests: 40)" in (
        report.content_md
    )
    page = user_client.get(url("journal-report", report.pk)).content.decode()
    assert page.index("Added an index") < page.index("Wrote the tests")
    assert "p95 latency: 80 ms" in page
