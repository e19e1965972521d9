"""Enrichment of work logs: skill signals, resume bullets and a short summary, suggested by a
provider and then reviewed by the user.

Providers implement `EnrichmentProvider.enrich(worklog)`. The default, `OfflineProvider`, is
deterministic and needs no network: it matches a keyword taxonomy and builds bullets from the
log's own title, outcome and impact. `OpenAICompatibleProvider` asks any OpenAI-compatible
chat-completions endpoint (settings `JOURNAL_OPENAI_*`, from the environment).

`request_enrichment` marks a log pending and enqueues `worklog.tasks.enrich_worklog_task`, which
calls `run_enrichment`: the status becomes enriched, or error with the message kept.

The user reviews what was suggested, and adds their own: skill signals (source manual) and
bullets with metrics, in the order they choose. A final log's are read only, as the log is."""

import json
import re
from dataclasses import dataclass, field
from typing import Protocol

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from worklog.journal.models import (
    BulletKind,
    EnrichmentStatus,
    SignalSource,
    SignalStatus,
    SkillKind,
    WorkLog,
    WorkLogBullet,
    WorkLogSkillSignal,
)
from worklog.journal.services import lock_editable


class EnrichmentError(Exception):
    """The provider could not enrich the log; the message is kept on the log."""


@dataclass(frozen=True)
class SkillSuggestion:
    name: str
    kind: str
    confidence: float
    evidence: str


@dataclass(frozen=True)
class Enrichment:
    skills: list[SkillSuggestion] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    summary: str = ""


class EnrichmentProvider(Protocol):
    name: str

    def enrich(self, worklog: WorkLog) -> Enrichment: ...


# Skill name -> (kind, keywords matched as whole words, case-insensitively).
SKILL_TAXONOMY: dict[str, tuple[str, tuple[str, ...]]] = {
    "Python": (SkillKind.TECHNICAL, ("python", "pytest", "pip")),
    "Django": (SkillKind.TECHNICAL, ("django", "orm", "migration", "migrations")),
    "JavaScript": (SkillKind.TECHNICAL, ("javascript", "typescript", "js", "node", "htmx")),
    "SQL": (SkillKind.TECHNICAL, ("sql", "postgresql", "postgres", "query", "queries", "index")),
    "Testing": (SkillKind.TECHNICAL, ("test", "tests", "testing", "playwright", "coverage")),
    "DevOps": (SkillKind.TOOL, ("docker", "kubernetes", "ci", "deploy", "deployment", "terraform")),
    "Git": (SkillKind.TOOL, ("git", "github", "gitlab", "rebase", "pull request")),
    "Performance": (SkillKind.TECHNICAL, ("performance", "latency", "benchmark", "profiling")),
    "Security": (SkillKind.DOMAIN, ("security", "vulnerability", "csrf", "auth", "permissions")),
    "Incident response": (SkillKind.DOMAIN, ("incident", "outage", "postmortem", "on-call")),
    "Data analysis": (
        SkillKind.DOMAIN,
        ("analysis", "report", "reporting", "dashboard", "metrics"),
    ),
    "Planning": (SkillKind.SOFT, ("planning", "roadmap", "estimate", "estimation", "sprint")),
    "Communication": (SkillKind.SOFT, ("presented", "documentation", "docs", "wrote", "demo")),
    "Mentoring": (SkillKind.SOFT, ("mentored", "mentoring", "onboarding", "coached", "review")),
    "Customer support": (SkillKind.DOMAIN, ("customer", "support", "ticket", "helpdesk")),
}

SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


def _text_of(worklog: WorkLog) -> str:
    return "\n".join(
        part for part in (worklog.title, worklog.content, worklog.outcome, worklog.impact) if part
    )


def _sentence_with(text: str, pattern: re.Pattern) -> str:
    for sentence in SENTENCE_SPLIT.split(text):
        if pattern.search(sentence):
            return sentence.strip()[:300]
    return ""


def _sentence(text: str) -> str:
    text = " ".join(text.split()).rstrip(".")
    return text[:1].upper() + text[1:] if text else ""


class OfflineProvider:
    """Deterministic suggestions from the log's own words."""

    name = "offline"

    def enrich(self, worklog: WorkLog) -> Enrichment:
        text = _text_of(worklog)
        skills = []
        for skill, (kind, keywords) in SKILL_TAXONOMY.items():
            pattern = re.compile(
                r"\b(" + "|".join(re.escape(keyword) for keyword in keywords) + r")\b", re.I
            )
            hits = {match.lower() for match in pattern.findall(text)}
            if not hits:
                continue
            in_title = bool(pattern.search(worklog.title or ""))
            confidence = min(0.95, 0.5 + 0.15 * (len(hits) - 1) + (0.1 if in_title else 0))
            skills.append(
                SkillSuggestion(
                    name=skill,
                    kind=kind,
                    confidence=round(confidence, 2),
                    evidence=_sentence_with(text, pattern),
                )
            )
        skills.sort(key=lambda suggestion: (-suggestion.confidence, suggestion.name))
        return Enrichment(
            skills=skills, bullets=self._bullets(worklog), summary=self._summary(worklog)
        )

    def _bullets(self, worklog: WorkLog) -> list[str]:
        action = _sentence(worklog.title or worklog.content.split("\n")[0])
        outcome, impact = _sentence(worklog.outcome), _sentence(worklog.impact)
        bullets = []
        if action and outcome and impact:
            bullets.append(
                f"{action}, {outcome[:1].lower() + outcome[1:]}; {impact[:1].lower() + impact[1:]}."
            )
        elif action and (outcome or impact):
            result = outcome or impact
            bullets.append(f"{action}, {result[:1].lower() + result[1:]}.")
        elif action:
            bullets.append(f"{action}.")
        if outcome and impact:
            bullets.append(f"{impact}.")
        return bullets

    def _summary(self, worklog: WorkLog) -> str:
        first = (
            _sentence(SENTENCE_SPLIT.split(worklog.content.strip())[0]) if worklog.content else ""
        )
        parts = [_sentence(worklog.title) or first]
        if worklog.outcome:
            parts.append(f"Outcome: {_sentence(worklog.outcome)}")
        if worklog.effort_minutes:
            parts.append(f"{worklog.hours} h of {worklog.get_work_type_display().lower()} work")
        return ". ".join(part for part in parts if part)[:500] + "."


PROMPT = (
    "You turn a work log into career material. Answer with JSON only: "
    '{"skills": [{"name": str, "kind": one of technical|tool|domain|soft, "confidence": 0..1, '
    '"evidence": a quote from the log}], "bullets": [resume bullets, past tense, with results], '
    '"summary": one or two sentences}.'
)


class OpenAICompatibleProvider:
    """Any endpoint speaking OpenAI's chat-completions protocol (OpenAI, a local server...)."""

    name = "openai"

    def __init__(self, *, base_url: str, api_key: str, model: str, timeout: float = 30):
        if not base_url:
            raise EnrichmentError("JOURNAL_OPENAI_BASE_URL is not set.")
        self.base_url, self.api_key, self.model, self.timeout = (
            base_url.rstrip("/"),
            api_key,
            model,
            timeout,
        )

    def enrich(self, worklog: WorkLog) -> Enrichment:
        payload = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": PROMPT},
                {"role": "user", "content": _text_of(worklog)},
            ],
            "response_format": {"type": "json_object"},
            "temperature": 0,
        }
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            response = httpx.post(
                f"{self.base_url}/chat/completions",
                json=payload,
                headers=headers,
                timeout=self.timeout,
            )
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
            data = json.loads(content)
            skills = [
                SkillSuggestion(
                    name=str(item["name"])[:100],
                    kind=item.get("kind")
                    if item.get("kind") in SkillKind.values
                    else SkillKind.TECHNICAL,
                    confidence=min(1.0, max(0.0, float(item.get("confidence", 0.5)))),
                    evidence=str(item.get("evidence", ""))[:1000],
                )
                for item in data.get("skills", [])
            ]
            bullets = [str(bullet) for bullet in data.get("bullets", []) if str(bullet).strip()]
            return Enrichment(skills=skills, bullets=bullets, summary=str(data.get("summary", "")))
        except httpx.HTTPError as error:
            raise EnrichmentError(f"The enrichment service failed: {error}") from error
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise EnrichmentError(
                f"The enrichment service answered something unusable: {error}"
            ) from error


def get_provider() -> EnrichmentProvider:
    if settings.JOURNAL_ENRICHMENT_PROVIDER == "openai":
        return OpenAICompatibleProvider(
            base_url=settings.JOURNAL_OPENAI_BASE_URL,
            api_key=settings.JOURNAL_OPENAI_API_KEY,
            model=settings.JOURNAL_OPENAI_MODEL,
            timeout=settings.JOURNAL_OPENAI_TIMEOUT,
        )
    return OfflineProvider()


@transaction.atomic
def request_enrichment(worklog: WorkLog) -> WorkLog:
    """Mark the log pending and hand it to the background worker."""
    from worklog.journal.tasks import enrich_worklog_task

    worklog = lock_editable(worklog.pk)
    worklog.enrichment_status = EnrichmentStatus.PENDING
    worklog.enrichment_error = ""
    worklog.metadata = {**worklog.metadata, "enrichment_requested_at": timezone.now().isoformat()}
    worklog.save(update_fields=["enrichment_status", "enrichment_error", "metadata", "updated_at"])
    # With the database-backed queue the task row commits (or rolls back) with this
    # transaction, so the worker only ever sees it once the log is pending. The immediate
    # backend (tests) runs the task right here.
    enrich_worklog_task.enqueue(str(worklog.pk))
    worklog.refresh_from_db()
    return worklog


def run_enrichment(worklog_id, provider: EnrichmentProvider | None = None) -> WorkLog:
    """Ask the provider and store its suggestions, replacing earlier unreviewed ones; reviewed
    signals and bullets stay. A provider failure is kept as the log's error."""
    worklog = WorkLog.objects.get(pk=worklog_id)
    provider = provider or get_provider()
    try:
        result = provider.enrich(worklog)
    except EnrichmentError as error:
        WorkLog.objects.filter(pk=worklog.pk).update(
            enrichment_status=EnrichmentStatus.ERROR, enrichment_error=str(error)[:2000]
        )
        worklog.refresh_from_db()
        return worklog
    with transaction.atomic():
        worklog = WorkLog.objects.select_for_update().get(pk=worklog_id)
        worklog.skill_signals.filter(status=SignalStatus.SUGGESTED).delete()
        worklog.bullets.filter(status=SignalStatus.SUGGESTED, is_ai_generated=True).delete()
        kept = set(worklog.skill_signals.values_list("name", flat=True))
        WorkLogSkillSignal.objects.bulk_create(
            WorkLogSkillSignal(
                worklog=worklog,
                name=skill.name,
                kind=skill.kind,
                confidence=skill.confidence,
                evidence=skill.evidence,
                source=SignalSource.AI,
                metadata={"provider": provider.name},
            )
            for skill in result.skills
            if skill.name not in kept
        )
        start = worklog.bullets.count()
        WorkLogBullet.objects.bulk_create(
            WorkLogBullet(
                worklog=worklog,
                kind=BulletKind.RESUME,
                text=text,
                is_ai_generated=True,
                order=start + index,
                metadata={"provider": provider.name},
            )
            for index, text in enumerate(result.bullets)
        )
        worklog.ai_summary = result.summary
        worklog.metadata.pop("enrichment_requested_at", None)
        worklog.enrichment_status = EnrichmentStatus.ENRICHED
        worklog.enrichment_error = ""
        worklog.enrichment_suggestions = {
            "provider": provider.name,
            "skills": [skill.name for skill in result.skills],
            "bullets": result.bullets,
            "summary": result.summary,
        }
        worklog.save(
            update_fields=[
                "ai_summary",
                "enrichment_status",
                "enrichment_error",
                "enrichment_suggestions",
                "metadata",
                "updated_at",
            ]
        )
    return worklog


def _mark_reviewed(worklog_id) -> None:
    WorkLog.objects.filter(pk=worklog_id, enrichment_status=EnrichmentStatus.ENRICHED).update(
        enrichment_status=EnrichmentStatus.REVIEWED
    )


@transaction.atomic
def review_signal(signal: WorkLogSkillSignal, *, status: str) -> WorkLogSkillSignal:
    if status not in (SignalStatus.ACCEPTED, SignalStatus.REJECTED):
        raise ValidationError({"status": "Accept or reject the signal."})
    lock_editable(signal.worklog_id)
    signal.status = status
    signal.save(update_fields=["status", "updated_at"])
    _mark_reviewed(signal.worklog_id)
    return signal


@transaction.atomic
def review_bullet(bullet: WorkLogBullet, *, status: str) -> WorkLogBullet:
    """Accepting a bullet also selects it for reports; rejecting it deselects it."""
    if status not in (SignalStatus.ACCEPTED, SignalStatus.REJECTED):
        raise ValidationError({"status": "Accept or reject the bullet."})
    lock_editable(bullet.worklog_id)
    bullet.status = status
    bullet.is_selected = status == SignalStatus.ACCEPTED
    bullet.save(update_fields=["status", "is_selected", "updated_at"])
    _mark_reviewed(bullet.worklog_id)
    return bullet


@transaction.atomic
def select_bullet(bullet: WorkLogBullet, *, selected: bool) -> WorkLogBullet:
    if selected and bullet.status == SignalStatus.REJECTED:
        raise ValidationError({"is_selected": "A rejected bullet cannot go into reports."})
    lock_editable(bullet.worklog_id)
    bullet.is_selected = selected
    bullet.save(update_fields=["is_selected", "updated_at"])
    return bullet


MAX_METRICS = 20
METRIC_ERROR = "A metric is a name and a number or a short text (at most 20 of them)."


def clean_metrics(metrics) -> dict:
    """`metrics` as stored: names (up to 100 characters) to numbers or texts (up to 200)."""
    if metrics is None:
        return {}
    if not isinstance(metrics, dict) or len(metrics) > MAX_METRICS:
        raise ValidationError({"metrics": METRIC_ERROR})
    cleaned = {}
    for name, value in metrics.items():
        name = name.strip() if isinstance(name, str) else ""
        if isinstance(value, str):
            value = value.strip()
        number = isinstance(value, int | float) and not isinstance(value, bool)
        text = isinstance(value, str) and 0 < len(value) <= 200
        if not name or len(name) > 100 or not (number or text):
            raise ValidationError({"metrics": METRIC_ERROR})
        cleaned[name] = value
    return cleaned


@transaction.atomic
def add_bullet(
    worklog: WorkLog, *, text: str, kind: str = BulletKind.RESUME, metrics: dict | None = None
) -> WorkLogBullet:
    """The user's own bullet, accepted and selected for reports, after the log's others."""
    lock_editable(worklog.pk)
    bullet = WorkLogBullet(
        worklog=worklog,
        kind=kind,
        text=text.strip(),
        status=SignalStatus.ACCEPTED,
        is_selected=True,
        order=worklog.bullets.count(),
        metrics=clean_metrics(metrics),
    )
    bullet.full_clean()
    bullet.save()
    return bullet


@transaction.atomic
def update_bullet(
    bullet: WorkLogBullet, *, text: str, kind: str, metrics: dict | None = None
) -> WorkLogBullet:
    """Change a bullet's text, kind and metrics. Editing a suggested bullet makes it the
    user's: it counts as accepted (and goes into reports), and a new enrichment keeps it."""
    lock_editable(bullet.worklog_id)
    bullet.text, bullet.kind, bullet.metrics = text.strip(), kind, clean_metrics(metrics)
    if bullet.status == SignalStatus.SUGGESTED:
        bullet.status, bullet.is_selected = SignalStatus.ACCEPTED, True
    bullet.full_clean()
    bullet.save()
    return bullet


@transaction.atomic
def move_bullet(bullet: WorkLogBullet, *, direction: str) -> None:
    """Swap the bullet with its neighbour above or below; the log's bullets are numbered
    0, 1, 2 ... in their new order."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move up or down."})
    lock_editable(bullet.worklog_id)
    siblings = list(WorkLogBullet.objects.filter(worklog_id=bullet.worklog_id))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == bullet.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for order, sibling in enumerate(siblings):
        sibling.order = order
    WorkLogBullet.objects.bulk_update(siblings, ["order"])


def _signal_fields(worklog_id, *, name: str, kind: str, evidence: str, exclude=None) -> dict:
    name = (name or "").strip()
    same = WorkLogSkillSignal.objects.filter(worklog_id=worklog_id, name__iexact=name)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if name and same.exists():
        raise ValidationError({"name": f"This log already has the skill “{name}”."})
    return {"name": name, "kind": kind, "evidence": (evidence or "").strip()}


@transaction.atomic
def add_skill_signal(
    worklog: WorkLog, *, name: str, kind: str, evidence: str = ""
) -> WorkLogSkillSignal:
    """A skill the user names themselves: source manual, accepted, full confidence. A new
    enrichment keeps it and suggests nothing of the same name."""
    lock_editable(worklog.pk)
    signal = WorkLogSkillSignal(
        worklog=worklog,
        source=SignalSource.MANUAL,
        status=SignalStatus.ACCEPTED,
        confidence=1.0,
        **_signal_fields(worklog.pk, name=name, kind=kind, evidence=evidence),
    )
    signal.full_clean()
    signal.save()
    return signal


def _manual_only(signal: WorkLogSkillSignal) -> None:
    if signal.source != SignalSource.MANUAL:
        raise ValidationError(
            {"name": "Suggested skills are accepted or rejected, not edited or removed."}
        )


@transaction.atomic
def update_skill_signal(
    signal: WorkLogSkillSignal, *, name: str, kind: str, evidence: str = ""
) -> WorkLogSkillSignal:
    _manual_only(signal)
    lock_editable(signal.worklog_id)
    fields = _signal_fields(
        signal.worklog_id, name=name, kind=kind, evidence=evidence, exclude=signal
    )
    for attribute, value in fields.items():
        setattr(signal, attribute, value)
    signal.full_clean()
    signal.save()
    return signal


@transaction.atomic
def remove_skill_signal(signal: WorkLogSkillSignal) -> None:
    _manual_only(signal)
    lock_editable(signal.worklog_id)
    signal.hard_delete()


@transaction.atomic
def reject_enrichment(worklog: WorkLog) -> WorkLog:
    """Turn down every remaining suggestion at once."""
    lock_editable(worklog.pk)
    worklog.skill_signals.filter(status=SignalStatus.SUGGESTED).update(status=SignalStatus.REJECTED)
    worklog.bullets.filter(status=SignalStatus.SUGGESTED).update(
        status=SignalStatus.REJECTED, is_selected=False
    )
    WorkLog.objects.filter(pk=worklog.pk).update(enrichment_status=EnrichmentStatus.REJECTED)
    worklog.refresh_from_db()
    return worklog
