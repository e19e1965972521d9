"""Enrichment: the offline provider, the OpenAI-compatible provider against a local fake server,
the background task moving `enrichment_status`, and the review of suggestions."""

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from worklog.journal.enrichment import (
    OfflineProvider,
    OpenAICompatibleProvider,
    add_bullet,
    reject_enrichment,
    request_enrichment,
    review_bullet,
    review_signal,
    run_enrichment,
    select_bullet,
)
from worklog.journal.services import create_worklog
from worklog.models import EnrichmentStatus, SignalStatus, WorkLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def worklog(user):
    return create_worklog(
        user,
        occurred_on=date(2026, 12, 1),
        title="Sped up the Django report queries",
        content="Profiled the PostgreSQL queries and added an index. Wrote tests with pytest.",
        outcome="report pages load in 80 ms instead of 2 s",
        impact="support tickets about slowness stopped",
        effort_minutes=120,
    )


def test_offline_provider_is_deterministic_with_evidence(worklog):
    first, second = OfflineProvider().enrich(worklog), OfflineProvider().enrich(worklog)
    assert first == second
    names = {skill.name: skill for skill in first.skills}
    assert {"Django", "SQL", "Testing", "Python"} <= set(names)
    assert names["SQL"].confidence > names["Python"].confidence
    assert "index" in names["SQL"].evidence or "queries" in names["SQL"].evidence
    assert all(0 <= skill.confidence <= 1 for skill in first.skills)
    assert first.bullets[0].startswith("Sped up the Django report queries, report pages load")
    assert "2.00 h" in first.summary


def test_request_enrichment_runs_the_task_and_stores_suggestions(worklog):
    worklog = request_enrichment(worklog)
    worklog.refresh_from_db()
    assert worklog.enrichment_status == EnrichmentStatus.ENRICHED
    assert worklog.skill_signals.filter(status=SignalStatus.SUGGESTED).exists()
    assert worklog.bullets.filter(is_ai_generated=True).exists()
    assert worklog.ai_summary


def test_enriching_again_keeps_reviewed_items(worklog):
    run_enrichment(worklog.pk)
    signal = worklog.skill_signals.get(name="Django")
    review_signal(signal, status=SignalStatus.ACCEPTED)
    bullet = worklog.bullets.first()
    review_bullet(bullet, status=SignalStatus.ACCEPTED)
    run_enrichment(worklog.pk)
    assert worklog.skill_signals.filter(name="Django").count() == 1
    assert worklog.skill_signals.get(name="Django").status == SignalStatus.ACCEPTED
    assert worklog.bullets.filter(pk=bullet.pk, status=SignalStatus.ACCEPTED).exists()


def test_review_moves_status_and_accepting_a_bullet_selects_it(worklog):
    run_enrichment(worklog.pk)
    bullet = worklog.bullets.first()
    review_bullet(bullet, status=SignalStatus.ACCEPTED)
    bullet.refresh_from_db()
    worklog.refresh_from_db()
    assert bullet.is_selected and worklog.enrichment_status == EnrichmentStatus.REVIEWED
    select_bullet(bullet, selected=False)
    bullet.refresh_from_db()
    assert not bullet.is_selected


def test_a_rejected_bullet_cannot_be_selected(worklog):
    run_enrichment(worklog.pk)
    bullet = review_bullet(worklog.bullets.first(), status=SignalStatus.REJECTED)
    with pytest.raises(ValidationError):
        select_bullet(bullet, selected=True)


def test_reject_enrichment_rejects_every_suggestion(worklog):
    run_enrichment(worklog.pk)
    worklog = reject_enrichment(worklog)
    assert worklog.enrichment_status == EnrichmentStatus.REJECTED
    assert not worklog.skill_signals.filter(status=SignalStatus.SUGGESTED).exists()
    assert not worklog.bullets.filter(is_selected=True).exists()


def test_manual_bullet_is_accepted_and_selected(worklog):
    bullet = add_bullet(worklog, text="Led the migration")
    assert bullet.status == SignalStatus.ACCEPTED and bullet.is_selected
    assert not bullet.is_ai_generated


class FakeCompletions(BaseHTTPRequestHandler):
    answer: dict | str = {}
    status = 200
    seen: list[dict] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        content = self.answer if isinstance(self.answer, str) else json.dumps(self.answer)
        payload = json.dumps({"choices": [{"message": {"content": content}}]}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_server():
    FakeCompletions.seen = []
    FakeCompletions.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeCompletions)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def openai_settings(settings, fake_server):
    settings.JOURNAL_ENRICHMENT_PROVIDER = "openai"
    settings.JOURNAL_OPENAI_BASE_URL = f"http://127.0.0.1:{fake_server.server_port}/v1"
    settings.JOURNAL_OPENAI_API_KEY = "sk-test"
    settings.JOURNAL_OPENAI_MODEL = "fake-model"
    settings.JOURNAL_OPENAI_TIMEOUT = 5
    return settings


def test_openai_provider_against_a_local_server(worklog, openai_settings):
    FakeCompletions.answer = {
        "skills": [
            {
                "name": "Query tuning",
                "kind": "technical",
                "confidence": 0.9,
                "evidence": "added an index",
            }
        ],
        "bullets": ["Cut report load time from 2 s to 80 ms"],
        "summary": "Made reports fast.",
    }
    request_enrichment(worklog)
    worklog.refresh_from_db()
    assert worklog.enrichment_status == EnrichmentStatus.ENRICHED
    assert worklog.ai_summary == "Made reports fast."
    signal = worklog.skill_signals.get()
    assert (signal.name, signal.confidence, signal.evidence) == (
        "Query tuning",
        0.9,
        "added an index",
    )
    assert worklog.bullets.get().text == "Cut report load time from 2 s to 80 ms"
    request = FakeCompletions.seen[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "fake-model"
    assert "Django report queries" in request["body"]["messages"][1]["content"]


def test_openai_provider_failure_is_kept_as_an_error(worklog, openai_settings):
    FakeCompletions.status = 500
    FakeCompletions.answer = {}
    request_enrichment(worklog)
    worklog.refresh_from_db()
    assert worklog.enrichment_status == EnrichmentStatus.ERROR
    assert "500" in worklog.enrichment_error
    assert not worklog.skill_signals.exists()


def test_openai_provider_unusable_answer_is_an_error(worklog, openai_settings):
    FakeCompletions.answer = "this is not json"
    run_enrichment(worklog.pk)
    worklog.refresh_from_db()
    assert worklog.enrichment_status == EnrichmentStatus.ERROR
    assert "unusable" in worklog.enrichment_error


def test_unreachable_server_is_an_error(worklog):
    provider = OpenAICompatibleProvider(
        base_url="http://127.0.0.1:9", api_key="", model="m", timeout=2
    )
    result = run_enrichment(worklog.pk, provider=provider)
    assert result.enrichment_status == EnrichmentStatus.ERROR
    assert WorkLog.objects.get(pk=worklog.pk).enrichment_error


def test_a_queued_enrichment_is_pending_until_the_worker_runs(worklog, settings, user_client):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    request_enrichment(worklog)
    worklog.refresh_from_db()
    assert worklog.enrichment_status == EnrichmentStatus.PENDING
    assert "enrichment_requested_at" in worklog.metadata
    url = reverse("worklog:journal-detail", args=[worklog.pk])
    poll = user_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in poll and "<html" not in poll
    run_enrichment(worklog.pk)
    worklog.refresh_from_db()
    assert worklog.enrichment_status == EnrichmentStatus.ENRICHED
    assert "enrichment_requested_at" not in worklog.metadata
