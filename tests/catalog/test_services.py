from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

import catalog
from catalog.exceptions import (
    BasketAlreadyCommittedError,
    BasketCancelledError,
    BasketChangedError,
    BasketEmptyError,
    BasketError,
    BasketIdempotencyKeyError,
    BasketItemsUnavailableError,
    DispenseError,
    FractionalQuantityError,
    InvalidPriceError,
    InvalidQuantityError,
    ItemNotAvailableError,
    OverDispenseError,
    WorkItemTransitionError,
)
from catalog.models import Basket, BasketItem, BasketStatus, DispenseLog, WorkItem, WorkItemStatus
from catalog.services import (
    add_item,
    block_work_item,
    cancel_basket,
    change_quantity,
    commit_basket,
    commit_basket_with_work,
    complete_work_item,
    create_basket,
    dispense,
    remove_line,
    start_work_item,
)

pytestmark = pytest.mark.django_db


# create_basket


def test_create_basket_basic():
    basket = create_basket()
    basket.refresh_from_db()
    assert basket.status == BasketStatus.DRAFT
    assert basket.context is None
    assert basket.context_id == ""
    assert basket.idempotency_key is None


def test_create_basket_with_context(catalog_item):
    basket = Basket.objects.get(pk=create_basket(context=catalog_item).pk)
    assert basket.context == catalog_item


def test_create_basket_idempotent():
    first = create_basket(idempotency_key="visit-1-orders")
    second = create_basket(idempotency_key="visit-1-orders")
    assert first.pk == second.pk
    assert Basket.objects.count() == 1


def test_create_basket_different_keys():
    assert create_basket(idempotency_key="a").pk != create_basket(idempotency_key="b").pk
    assert Basket.objects.count() == 2


def test_create_basket_with_notes():
    assert create_basket(notes="Urgent").notes == "Urgent"


def test_create_basket_with_metadata():
    basket = create_basket(metadata={"source": "visit"})
    basket.refresh_from_db()
    assert basket.metadata == {"source": "visit"}


def test_create_basket_records_creator(user):
    assert create_basket(created_by=user).created_by == user


def test_create_basket_key_of_another_users_basket_is_refused(user, other_user):
    create_basket(idempotency_key="k", created_by=user)
    with pytest.raises(BasketIdempotencyKeyError):
        create_basket(idempotency_key="k", created_by=other_user)


# add_item


def test_add_item_basic(basket, catalog_item):
    line = add_item(basket, catalog_item)
    assert line.basket == basket
    assert line.catalog_item == catalog_item
    assert line.quantity == 1
    assert basket.total_items == 1


def test_add_item_with_quantity(basket, catalog_item):
    assert add_item(basket, catalog_item, quantity=Decimal("2.5")).quantity == Decimal("2.5")


def test_item_counted_whole_refuses_fractions_when_added_or_changed(basket, make_item):
    pack = make_item("Gauze swabs (pack of 100)", allows_fractions=False)
    with pytest.raises(FractionalQuantityError, match="counted in whole units: 1.5 is not"):
        add_item(basket, pack, quantity=Decimal("1.5"))
    assert basket.total_items == 0
    line = add_item(basket, pack, quantity=2)
    with pytest.raises(FractionalQuantityError):
        change_quantity(line, "2.50")
    line.refresh_from_db()
    assert line.quantity == 2
    assert change_quantity(line, "3.00").quantity == 3


def test_add_item_price_snapshot(basket, make_item):
    item = make_item("Scan", unit_price=Decimal("120.00"), currency="EUR")
    line = add_item(basket, item)
    assert line.unit_price == Decimal("120.00")
    assert line.currency == "EUR"


def test_add_item_price_override(basket, catalog_item):
    assert add_item(basket, catalog_item, unit_price=Decimal("40.00")).unit_price == Decimal(
        "40.00"
    )


def test_add_item_with_instructions(basket, catalog_item):
    line = add_item(basket, catalog_item, instructions="Fasting required")
    line.refresh_from_db()
    assert line.instructions == "Fasting required"


def test_add_item_to_committed_raises(basket, line, catalog_item):
    commit_basket(basket)
    with pytest.raises(BasketAlreadyCommittedError):
        add_item(basket, catalog_item)
    assert basket.total_items == 1


def test_add_item_unavailable_raises(basket, make_item):
    item = make_item("Off", is_available=False)
    with pytest.raises(ItemNotAvailableError) as error:
        add_item(basket, item)
    assert error.value.item_id == item.pk
    assert basket.total_items == 0


def test_add_item_multiple_same_item(basket, catalog_item):
    add_item(basket, catalog_item, quantity=1, instructions="Morning")
    add_item(basket, catalog_item, quantity=2, instructions="Evening")
    assert basket.total_items == 2
    assert basket.total_quantity == Decimal("3")


@pytest.mark.parametrize(
    "window",
    [
        {"available_from": timezone.now() + timedelta(days=1)},
        {"available_to": timezone.now() - timedelta(minutes=1)},
    ],
    ids=["not-yet", "expired"],
)
def test_add_item_outside_availability_window_raises(basket, make_item, window):
    item = make_item("Seasonal", **window)
    with pytest.raises(ItemNotAvailableError):
        add_item(basket, item)
    assert basket.total_items == 0


def test_add_item_inside_availability_window(basket, make_item):
    now = timezone.now()
    item = make_item(
        "Seasonal", available_from=now - timedelta(days=1), available_to=now + timedelta(days=1)
    )
    assert add_item(basket, item).catalog_item == item


def test_add_item_soft_deleted_raises(basket, catalog_item):
    catalog_item.delete()
    with pytest.raises(ItemNotAvailableError, match="removed"):
        add_item(basket, catalog_item)


@pytest.mark.parametrize(
    "quantity", [0, -1, "0.00", "abc", "NaN", "Infinity", None, "0.001", "1.005", "100000000"]
)
def test_add_item_refuses_quantity_not_positive(basket, catalog_item, quantity):
    with pytest.raises(InvalidQuantityError):
        add_item(basket, catalog_item, quantity=quantity)
    assert basket.total_items == 0


def test_add_item_to_cancelled_raises(basket, catalog_item):
    cancel_basket(basket)
    with pytest.raises(BasketCancelledError):
        add_item(basket, catalog_item)


def test_add_item_reads_the_basket_state_from_the_database(basket, catalog_item):
    Basket.objects.filter(pk=basket.pk).update(status=BasketStatus.COMMITTED)
    with pytest.raises(BasketAlreadyCommittedError):
        add_item(basket, catalog_item)


def test_price_captured_stays_when_catalog_price_changes(basket, line, catalog_item, user):
    catalog_item.unit_price = Decimal("99.00")
    catalog_item.save()
    line = BasketItem.objects.select_related("catalog_item").get(pk=line.pk)
    assert line.unit_price == Decimal("50.00")
    assert line.catalog_price_changed
    commit_basket(basket, committed_by=user)
    catalog_item.unit_price = Decimal("120.00")
    catalog_item.save()
    line.refresh_from_db()
    assert line.unit_price == Decimal("50.00")


# change_quantity / remove_line


def test_change_quantity_of_draft_line(basket, line):
    revision = Basket.objects.get(pk=basket.pk).revision
    change_quantity(line, "5")
    line.refresh_from_db()
    assert line.quantity == Decimal("5")
    assert line.unit_price == Decimal("50.00")
    assert Basket.objects.get(pk=basket.pk).revision == revision + 1


def test_change_quantity_refuses_not_positive(line):
    with pytest.raises(InvalidQuantityError):
        change_quantity(line, 0)
    line.refresh_from_db()
    assert line.quantity == Decimal("3")


def test_remove_line_from_draft(basket, line):
    remove_line(line)
    assert basket.total_items == 0


@pytest.mark.parametrize("finish", ["commit", "cancel"])
def test_lines_of_finished_basket_cannot_change(basket, line, finish):
    commit_basket(basket) if finish == "commit" else cancel_basket(basket)
    error = BasketAlreadyCommittedError if finish == "commit" else BasketCancelledError
    with pytest.raises(error):
        change_quantity(line, 9)
    with pytest.raises(error):
        remove_line(line)
    line.refresh_from_db()
    assert line.quantity == Decimal("3")
    assert not line.is_deleted


# commit_basket


def test_commit_basket_sets_status(basket, line):
    committed = commit_basket(basket)
    assert committed.status == BasketStatus.COMMITTED
    assert Basket.objects.get(pk=basket.pk).is_committed


def test_commit_basket_sets_committed_at(basket, line):
    before = timezone.now()
    committed = commit_basket(basket)
    assert before <= committed.committed_at <= timezone.now()


def test_commit_basket_sets_committed_by(basket, line, user):
    assert commit_basket(basket, committed_by=user).committed_by == user


def test_commit_basket_idempotent(basket, line, user, other_user):
    first = commit_basket(basket, committed_by=user, work_types=["collect"])
    second = commit_basket(Basket.objects.get(pk=basket.pk), committed_by=other_user)
    assert second.pk == first.pk
    assert second.committed_at == first.committed_at
    assert second.committed_by == user


def test_commit_basket_spawns_work(basket, line, make_item):
    other = add_item(basket, make_item("Scan"))
    commit_basket(basket, work_types=["collect", "process", "report"])
    assert WorkItem.objects.count() == 6
    roles = set(WorkItem.objects.filter(basket_item=other).values_list("spawn_role", flat=True))
    assert roles == {"collect", "process", "report"}
    assert WorkItem.objects.filter(status=WorkItemStatus.PENDING).count() == 6


def test_commit_basket_work_unique(basket, line):
    commit_basket(basket, work_types=["collect", "collect"])
    commit_basket(basket, work_types=["collect", "process"])
    assert list(WorkItem.objects.values_list("spawn_role", flat=True)) == ["collect"]


def test_commit_keeps_work_that_already_exists_and_spawns_only_the_rest(
    basket, line, make_item, user
):
    other = add_item(basket, make_item("Scan"))
    # Made before the commit, e.g. by an integration: it stays as it is.
    existing = WorkItem.objects.create(
        basket_item=line,
        spawn_role="collect",
        work_type="collect (lab system)",
        status=WorkItemStatus.IN_PROGRESS,
        assigned_to=user,
    )
    commit = commit_basket_with_work(basket, work_types=["collect", "report"])
    assert commit.basket.is_committed
    assert sorted(WorkItem.objects.values_list("basket_item_id", "spawn_role")) == sorted(
        [(line.pk, "collect"), (line.pk, "report"), (other.pk, "collect"), (other.pk, "report")]
    )
    existing.refresh_from_db()
    assert (existing.work_type, existing.status, existing.assigned_to) == (
        "collect (lab system)",
        WorkItemStatus.IN_PROGRESS,
        user,
    )
    assert {work.pk for work in commit.work_items} == set(
        WorkItem.objects.values_list("pk", flat=True)
    )


def test_commit_leaves_removed_work_removed(basket, line):
    removed = WorkItem.objects.create(basket_item=line, spawn_role="collect", work_type="collect")
    removed.delete()
    commit = commit_basket_with_work(basket, work_types=["collect", "report"])
    assert WorkItem.all_objects.get(basket_item=line, spawn_role="collect").is_deleted
    assert list(WorkItem.objects.values_list("spawn_role", flat=True)) == ["report"]
    assert [work.spawn_role for work in commit.work_items] == ["report"]


@pytest.mark.parametrize("count", [1, 20])
def test_commit_with_existing_work_reads_it_in_one_query(
    basket, make_item, count, django_assert_num_queries
):
    lines = [add_item(basket, make_item(f"Item {n}")) for n in range(count)]
    for each in lines:
        WorkItem.objects.create(basket_item=each, spawn_role="collect", work_type="collect")
    # Savepoint, lock the basket, its lines (knowing which have work), the existing work, mark
    # the basket committed, insert the missing work, release.
    with django_assert_num_queries(7):
        commit = commit_basket_with_work(basket, work_types=["collect", "report"])
    assert len(commit.work_items) == 2 * count
    assert WorkItem.objects.count() == 2 * count


def test_commit_basket_empty_raises(basket):
    with pytest.raises(BasketEmptyError):
        commit_basket(basket)
    assert Basket.objects.get(pk=basket.pk).is_draft


def test_commit_basket_already_committed_returns(basket, line):
    commit_basket(basket)
    assert commit_basket(basket).is_committed
    assert Basket.objects.filter(status=BasketStatus.COMMITTED).count() == 1


def test_commit_basket_with_work_hands_back_lines_in_added_order_and_their_work(
    basket, line, make_item
):
    later = add_item(basket, make_item("Scan"))
    commit = commit_basket_with_work(basket, work_types=["collect", "report"])
    assert commit.committed_now and commit.basket.is_committed
    assert [each.pk for each in commit.lines] == [line.pk, later.pk]
    assert {(work.basket_item_id, work.work_type) for work in commit.work_items} == set(
        WorkItem.objects.values_list("basket_item_id", "work_type")
    )
    assert len(commit.work_items) == 4


def test_commit_basket_with_work_of_a_committed_basket_commits_nothing(
    basket, line, django_assert_num_queries
):
    commit_basket(basket, work_types=["collect"])
    # Committed is final: the basket read as committed needs no lock.
    with django_assert_num_queries(0):
        commit = commit_basket_with_work(basket, work_types=["collect", "report"])
    assert not commit.committed_now and commit.lines == [] and commit.work_items == []
    assert WorkItem.objects.count() == 1


def test_commit_basket_atomic(basket, line, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(WorkItem.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        commit_basket(basket, work_types=["collect"])
    basket = Basket.objects.get(pk=basket.pk)
    assert basket.is_draft
    assert basket.committed_at is None
    assert not WorkItem.objects.exists()


def test_commit_cancelled_basket_is_refused(basket, line):
    cancel_basket(basket)
    with pytest.raises(BasketCancelledError):
        commit_basket(basket, work_types=["collect"])
    assert Basket.objects.get(pk=basket.pk).is_cancelled
    assert not WorkItem.objects.exists()


def test_commit_refuses_lines_that_became_unavailable_and_names_them(
    basket, line, make_item, catalog_item
):
    kept = add_item(basket, make_item("Scan"))
    catalog_item.is_available = False
    catalog_item.save()
    with pytest.raises(BasketItemsUnavailableError) as error:
        commit_basket(basket, work_types=["collect"])
    assert [refused.pk for refused in error.value.lines] == [line.pk]
    assert "Blood test" in str(error.value)
    assert Basket.objects.get(pk=basket.pk).is_draft
    remove_line(line)
    assert commit_basket(basket).is_committed
    assert list(basket.items.all()) == [kept]


def test_commit_refuses_lines_whose_item_was_deleted_or_expired(basket, line, catalog_item):
    catalog_item.available_to = timezone.now() - timedelta(seconds=1)
    catalog_item.save()
    with pytest.raises(BasketItemsUnavailableError):
        commit_basket(basket)
    catalog_item.available_to = None
    catalog_item.save()
    catalog_item.delete()
    with pytest.raises(BasketItemsUnavailableError):
        commit_basket(basket)


def test_commit_with_stale_revision_is_refused(basket, line):
    shown = Basket.objects.get(pk=basket.pk).revision
    change_quantity(line, 4)
    with pytest.raises(BasketChangedError):
        commit_basket(basket, expected_revision=shown)
    assert commit_basket(basket, expected_revision=shown + 1).is_committed
    # Once committed, a resubmitted form gets the committed basket whatever it carries.
    assert commit_basket(basket, expected_revision=shown).is_committed


def test_work_types_get_priority_in_the_order_given(basket, line):
    commit_basket(basket, work_types=["collect", "process"])
    assert list(WorkItem.objects.values_list("spawn_role", "priority")) == [
        ("collect", 2),
        ("process", 1),
    ]


def test_failed_service_inside_outer_transaction_leaves_basket_as_it_was(basket, line):
    with transaction.atomic():
        with pytest.raises(InvalidQuantityError):
            add_item(basket, line.catalog_item, quantity=-2)
        assert basket.total_items == 1


# cancel_basket


def test_cancel_basket_sets_status(basket):
    cancel_basket(basket)
    assert Basket.objects.get(pk=basket.pk).status == BasketStatus.CANCELLED


def test_cancel_basket_committed_raises(basket, line):
    commit_basket(basket)
    with pytest.raises(BasketAlreadyCommittedError):
        cancel_basket(basket)
    assert Basket.objects.get(pk=basket.pk).is_committed


def test_cancel_basket_returns_basket(basket):
    cancelled = cancel_basket(basket)
    assert cancelled.pk == basket.pk
    assert cancelled.is_cancelled


def test_cancel_basket_draft_only(basket, line):
    cancel_basket(basket)
    again = cancel_basket(basket)
    assert again.is_cancelled
    committed = create_basket()
    add_item(committed, line.catalog_item)
    commit_basket(committed)
    with pytest.raises(BasketAlreadyCommittedError):
        cancel_basket(committed)


# dispense


def test_partial_dispenses_add_up_and_line_shows_complete(committed_line, user):
    dispense(committed_line, 1, dispensed_by=user, lot_number="L1")
    line = BasketItem.objects.with_dispensed().get(pk=committed_line.pk)
    assert line.dispensed_quantity == Decimal("1")
    assert not line.is_fully_dispensed
    dispense(committed_line, "2", dispensed_by=user, lot_number="L2")
    line = BasketItem.objects.with_dispensed().get(pk=committed_line.pk)
    assert line.dispensed_quantity == Decimal("3")
    assert line.remaining_quantity == 0
    assert line.is_fully_dispensed


def test_dispense_beyond_ordered_quantity_is_refused(committed_line):
    dispense(committed_line, 2)
    with pytest.raises(OverDispenseError) as error:
        dispense(committed_line, "1.5")
    assert error.value.remaining == Decimal("1")
    assert DispenseLog.objects.count() == 1


def test_dispense_with_expired_lot_is_refused(committed_line):
    with pytest.raises(DispenseError, match="expired"):
        dispense(committed_line, 1, expiry_date=timezone.localdate() - timedelta(days=1))
    assert dispense(committed_line, 1, expiry_date=timezone.localdate()).expiry_date


@pytest.mark.parametrize("finish", [None, "cancel"])
def test_dispense_only_on_committed_baskets(basket, line, finish):
    if finish:
        cancel_basket(basket)
    with pytest.raises(DispenseError, match="committed"):
        dispense(line, 1)
    assert not DispenseLog.objects.exists()


def test_dispense_refuses_quantity_not_positive(committed_line):
    with pytest.raises(InvalidQuantityError):
        dispense(committed_line, 0)


def test_dispense_of_an_item_counted_whole_is_whole_but_may_take_a_fractional_rest(
    basket, make_item
):
    gloves = make_item("Gloves (box)")
    line = add_item(basket, gloves, quantity=Decimal("2.5"))
    commit_basket(basket)
    gloves.allows_fractions = False
    gloves.save()
    with pytest.raises(FractionalQuantityError):
        dispense(line, "0.5")
    assert not DispenseLog.objects.exists()
    dispense(line, 2)
    assert dispense(line, "0.5").quantity_dispensed == Decimal("0.5")


def test_dispense_total_ignores_soft_deleted_logs(committed_line):
    dispense(committed_line, 3).delete()
    assert dispense(committed_line, 3).quantity_dispensed == Decimal("3")


# work items


@pytest.fixture
def work_item(committed_line):
    return committed_line.work_items.get(spawn_role="prepare")


def test_start_work_item_assigns_to_me(work_item, user):
    start_work_item(work_item, user)
    work_item.refresh_from_db()
    assert work_item.status == WorkItemStatus.IN_PROGRESS
    assert work_item.assigned_to == user
    assert work_item.started_at is not None


def test_start_work_item_in_progress_for_someone_else_is_refused(work_item, user, other_user):
    start_work_item(work_item, user)
    with pytest.raises(WorkItemTransitionError, match="alice"):
        start_work_item(work_item, other_user)
    work_item.refresh_from_db()
    assert work_item.assigned_to == user


def test_block_then_start_again(work_item, user):
    block_work_item(work_item, notes="Waiting for stock")
    work_item.refresh_from_db()
    assert work_item.status == WorkItemStatus.BLOCKED
    assert work_item.notes == "Waiting for stock"
    start_work_item(work_item, user)
    assert work_item.status == WorkItemStatus.IN_PROGRESS


def test_completed_work_item_cannot_be_started_or_blocked(work_item, user):
    complete_work_item(work_item)
    with pytest.raises(WorkItemTransitionError):
        start_work_item(work_item, user)
    with pytest.raises(WorkItemTransitionError):
        block_work_item(work_item)
    with pytest.raises(WorkItemTransitionError):
        complete_work_item(work_item)
    assert WorkItem.objects.get(pk=work_item.pk).is_complete


def test_lazy_exports():
    for name in catalog.__all__:
        assert getattr(catalog, name) is not None
    assert catalog.commit_basket is commit_basket
    with pytest.raises(AttributeError):
        catalog.NotAThing  # noqa: B018


def test_demo_data_loads_twice_without_duplicates(user):
    from catalog.demo import load_demo_data

    load_demo_data(user)
    counts = (Basket.objects.count(), BasketItem.objects.count(), WorkItem.objects.count())
    load_demo_data(user)
    assert (Basket.objects.count(), BasketItem.objects.count(), WorkItem.objects.count()) == counts
    assert counts == (2, 5, 6)
    assert DispenseLog.objects.count() == 1


def test_remove_line_twice_changes_nothing_the_second_time(basket, line):
    remove_line(line)
    revision = Basket.objects.get(pk=basket.pk).revision
    remove_line(line)
    assert Basket.objects.get(pk=basket.pk).revision == revision


def test_change_quantity_of_removed_line_is_refused(line):
    remove_line(line)
    with pytest.raises(BasketError, match="removed"):
        change_quantity(line, 2)


@pytest.mark.parametrize("price", ["-1.00", "0.001", "abc"])
def test_add_item_refuses_bad_price_override(basket, catalog_item, price):
    with pytest.raises(InvalidPriceError):
        add_item(basket, catalog_item, unit_price=price)
    assert basket.total_items == 0


def test_add_item_accepts_free_price_override(basket, catalog_item):
    assert add_item(basket, catalog_item, unit_price="0").unit_price == 0


def test_completing_a_work_item_refuses_to_stop_its_timer_inside_a_locked_week(work_item, user):
    from decisioning.models import Decision
    from worklog.teams.exceptions import WeekLockedError
    from worklog.teams.locks import REFUSAL_DECISION
    from worklog.teams.models import LockPeriod
    from worklog.timer.models import WorkSession

    start_work_item(work_item, user, start_timer=True)
    timer = WorkSession.objects.for_target(work_item).get()
    WorkSession.objects.filter(pk=timer.pk).update(started_at=timezone.now() - timedelta(days=30))
    LockPeriod.objects.create(locked_through=timezone.localdate() - timedelta(days=20))
    with pytest.raises(WeekLockedError):
        complete_work_item(work_item)
    assert not WorkItem.objects.get(pk=work_item.pk).is_complete
    assert WorkSession.objects.get(pk=timer.pk).is_active
    # Recorded again outside the work item's transaction, which rolled the first record back.
    assert Decision.objects.filter(decision_type=REFUSAL_DECISION).count() == 1
