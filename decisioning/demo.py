"""Demo decisions about the demo user's own account, some backdated and one corrected."""

from datetime import timedelta

from django.utils import timezone

from .models import Decision, DecisionOutcome
from .services import ensure_back_office_group, record_decision

DEMO_DECISIONS = [
    ("access_review", DecisionOutcome.APPROVED, "Quarterly access review: roles still needed.", 20),
    ("overtime_request", DecisionOutcome.PENDING, "Waiting for the team lead.", 6),
    ("expense_claim", DecisionOutcome.REJECTED, "Receipt missing.", 3),
    ("training_budget", DecisionOutcome.DEFERRED, "Revisit next quarter.", 1),
]


def load_demo_data(user) -> None:
    ensure_back_office_group()
    if Decision.all_objects.filter(decided_by=user, context__demo=True).exists():
        return
    now = timezone.now()
    decisions = {}
    for decision_type, outcome, reason, days_ago in DEMO_DECISIONS:
        decisions[decision_type] = record_decision(
            target=user,
            decision_type=decision_type,
            outcome=outcome,
            decided_by=user,
            reason=reason,
            effective_at=now - timedelta(days=days_ago),
            context={"demo": True},
        )
    record_decision(
        target=user,
        decision_type="expense_claim",
        outcome=DecisionOutcome.APPROVED,
        decided_by=user,
        reason="Receipt found; claim approved after all.",
        effective_at=now - timedelta(days=2),
        context={"demo": True},
        supersedes=decisions["expense_claim"],
    )
