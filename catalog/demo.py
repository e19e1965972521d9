"""Demo catalog: a handful of items, each counted in whole units, one committed basket with work
and a dispense, one draft."""

from decimal import Decimal

from django.db import transaction

from .access import ensure_groups
from .models import CatalogItem
from .services import add_item, commit_basket, create_basket, dispense

ITEMS = [
    ("LAB-001", "Blood panel", "laboratory", "45.00", "USD", "Full blood count and chemistry."),
    ("LAB-002", "Urine analysis", "laboratory", "18.50", "USD", ""),
    ("IMG-001", "Chest X-ray", "imaging", "120.00", "USD", "Two views."),
    ("IMG-002", "MRI scan", "imaging", "640.00", "EUR", "Booked through the partner clinic."),
    ("SUP-001", "Saline 0.9% 500 ml", "supplies", "3.20", "USD", ""),
    ("SUP-002", "Gauze swabs (pack of 100)", "supplies", "7.90", "USD", ""),
    ("SRV-001", "Equipment calibration", "services", "95.00", "USD", "On site, per device."),
]


@transaction.atomic
def load_demo_data(user) -> None:
    ensure_groups()
    items = {}
    for sort_order, (code, name, category, price, currency, description) in enumerate(ITEMS):
        items[code], _ = CatalogItem.all_objects.get_or_create(
            code=code,
            defaults={
                "owner": user,
                "name": name,
                "category": category,
                "unit_price": Decimal(price),
                "currency": currency,
                "description": description,
                "sort_order": sort_order,
                "allows_fractions": False,
            },
        )

    committed = create_basket(
        idempotency_key="demo:committed", created_by=user, notes="Monthly lab order"
    )
    if committed.is_draft and not committed.total_items:
        add_item(committed, items["LAB-001"], quantity=2, instructions="Fasting required")
        saline = add_item(committed, items["SUP-001"], quantity=10)
        add_item(committed, items["IMG-002"], quantity=1)
        commit_basket(committed, committed_by=user, work_types=["prepare", "deliver"])
        dispense(saline, 4, dispensed_by=user, lot_number="SAL-2291")

    draft = create_basket(idempotency_key="demo:draft", created_by=user, notes="Clinic restock")
    if draft.is_draft and not draft.total_items:
        add_item(draft, items["SUP-002"], quantity=3)
        add_item(draft, items["IMG-001"], quantity=1, instructions="Before noon")
