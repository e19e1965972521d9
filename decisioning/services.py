"""Writes: recording decisions (append-only; a correction supersedes), soft delete and restore
for the back office, and the purge of expired idempotency keys."""

from datetime import datetime

from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from .exceptions import DecisioningError
from .models import Decision, DecisionOutcome, IdempotencyKey


class SupersedeError(DecisioningError):
    """Raised when a correction does not fit the decision it supersedes."""


def record_decision(
    *,
    target: Model,
    decision_type: str,
    outcome: str = DecisionOutcome.PENDING,
    decided_by=None,
    reason: str = "",
    effective_at: datetime | None = None,
    context: dict | None = None,
    evidence: dict | None = None,
    supersedes: Decision | None = None,
    idempotency_key: IdempotencyKey | None = None,
) -> Decision:
    """Append a decision about `target`. `effective_at` may be backdated (not put in the
    future); `recorded_at` is always now. A correction names the decision it `supersedes`: the
    same target, not yet corrected."""
    decision = Decision(
        target=target,
        decision_type=decision_type,
        outcome=outcome,
        decided_by=decided_by,
        reason=reason,
        effective_at=effective_at or timezone.now(),
        context=context or {},
        evidence=evidence or {},
        idempotency_key=idempotency_key,
    )
    if supersedes is None:
        # A single INSERT is atomic by itself, and its backdating check runs before it: no
        # transaction or savepoint of its own is needed.
        decision.save()
        return decision
    try:
        # A savepoint, not just the caller's transaction: the caller may go on after a
        # SupersedeError (the form shows it).
        with transaction.atomic():
            decision.supersedes = _lock_uncorrected(supersedes, target)
            decision.save()
    except IntegrityError as error:
        raise SupersedeError(
            "This decision was already corrected; correct the latest one."
        ) from error
    return decision


def _lock_uncorrected(supersedes: Decision, target: Model) -> Decision:
    # Lock the corrected decision so two corrections of it cannot both pass the check.
    locked = Decision.objects.select_for_update().get(pk=supersedes.pk)
    if locked.target_content_type_id != _content_type_id(target) or locked.target_id != str(
        target.pk
    ):
        raise SupersedeError(
            "A correction must be about the same object as the decision it corrects."
        )
    if locked.superseded_by.exists():
        raise SupersedeError("This decision was already corrected; correct the latest one.")
    return locked


def _content_type_id(target: Model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(target).pk


BACK_OFFICE_GROUP = "Back office"


def ensure_back_office_group() -> Group:
    """The group whose members see every user's decisions."""
    group, _ = Group.objects.get_or_create(name=BACK_OFFICE_GROUP)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="decisioning", codename="view_all_decisions")
    )
    return group


def soft_delete_decisions(queryset) -> int:
    return queryset.filter(deleted_at__isnull=True).update(deleted_at=timezone.now())


def restore_decisions(queryset) -> int:
    return queryset.filter(deleted_at__isnull=False).update(deleted_at=None)


def purge_expired_idempotency_keys(*, batch_size: int = 1000, now: datetime | None = None) -> int:
    """Delete expired keys in batches of `batch_size`, each its own short transaction, so a
    large purge never holds long locks; in-flight keys stay. Returns how many were deleted."""
    now = now or timezone.now()
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(
                IdempotencyKey.objects.purgeable(now).values_list("pk", flat=True)[:batch_size]
            )
            if not batch:
                return deleted
            # Re-check the condition: a key may have been claimed again since the select.
            count, _ = IdempotencyKey.objects.purgeable(now).filter(pk__in=batch).delete()
            deleted += count
            if len(batch) < batch_size:
                return deleted
