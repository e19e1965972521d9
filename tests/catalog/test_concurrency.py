"""Races between real threads, each on its own PostgreSQL connection."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from catalog.exceptions import (
    BasketAlreadyCommittedError,
    BasketCancelledError,
    OverDispenseError,
)
from catalog.models import Basket, BasketItem, DispenseLog, WorkItem
from catalog.services import add_item, cancel_basket, commit_basket, create_basket, dispense

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    """Runs each call in its own thread, released at the same moment; returns each one's result
    or exception, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return outcomes


@pytest.fixture
def slow_work_spawning(monkeypatch):
    """Makes the commit that spawns work hold its locks a while, so the other one must wait."""
    calls = []
    original = WorkItem.objects.bulk_create

    def slow(objs, *args, **kwargs):
        calls.append(1)
        time.sleep(0.3)
        return original(list(objs), *args, **kwargs)

    monkeypatch.setattr(WorkItem.objects, "bulk_create", slow)
    return calls


def test_two_concurrent_commits_commit_once_and_return_the_same_basket(
    basket, line, make_item, user, other_user, slow_work_spawning
):
    add_item(basket, make_item("Scan"))
    outcomes = run_together(
        lambda: commit_basket(
            Basket.objects.get(pk=basket.pk), committed_by=user, work_types=["a", "b"]
        ),
        lambda: commit_basket(
            Basket.objects.get(pk=basket.pk), committed_by=other_user, work_types=["a", "b"]
        ),
    )
    assert all(isinstance(outcome, Basket) for outcome in outcomes), outcomes
    first, second = outcomes
    assert first.pk == second.pk == basket.pk
    assert first.committed_at == second.committed_at
    assert first.committed_by_id == second.committed_by_id
    assert len(slow_work_spawning) == 1
    assert WorkItem.objects.count() == 4


def test_concurrent_commits_of_two_baskets_do_not_deadlock(user, make_item, slow_work_spawning):
    items = [make_item(f"Item {n}") for n in range(4)]
    baskets = []
    for _ in range(2):
        basket = create_basket(created_by=user)
        for item in items:
            add_item(basket, item)
        baskets.append(basket)
    outcomes = run_together(
        *[lambda b=b: commit_basket(b, work_types=["a"]) for b in baskets for _ in range(2)]
    )
    assert all(isinstance(outcome, Basket) and outcome.is_committed for outcome in outcomes)
    assert WorkItem.objects.count() == 8


def test_add_item_racing_a_commit_is_either_in_the_commit_or_refused(
    basket, line, make_item, slow_work_spawning
):
    late = make_item("Late")
    outcomes = run_together(
        lambda: commit_basket(Basket.objects.get(pk=basket.pk), work_types=["a"]),
        lambda: add_item(Basket.objects.get(pk=basket.pk), late),
    )
    lines = BasketItem.objects.filter(basket=basket).count()
    if isinstance(outcomes[1], BasketAlreadyCommittedError):
        assert lines == 1
    else:
        assert lines == 2
    # Every line in the committed basket has its work.
    assert WorkItem.objects.count() == lines


def test_two_concurrent_create_basket_calls_with_one_key_make_one_basket(user):
    outcomes = run_together(
        *[lambda: create_basket(idempotency_key="visit-7", created_by=user) for _ in range(4)]
    )
    assert all(isinstance(outcome, Basket) for outcome in outcomes), outcomes
    assert {outcome.pk for outcome in outcomes} == {Basket.objects.get().pk}


def test_concurrent_dispenses_never_exceed_the_ordered_quantity(committed_line):
    outcomes = run_together(*[lambda: dispense(committed_line, 1) for _ in range(5)])
    refused = [outcome for outcome in outcomes if isinstance(outcome, OverDispenseError)]
    assert len(refused) == 2, outcomes
    total = sum(log.quantity_dispensed for log in DispenseLog.objects.all())
    assert total == Decimal("3")


def test_double_clicked_commit_form_commits_once_end_to_end(basket, line, user, slow_work_spawning):
    from django.test import Client
    from django.urls import reverse

    url = reverse("catalog:basket-commit", args=[basket.pk])
    data = {"revision": Basket.objects.get(pk=basket.pk).revision, "work_types": ["prepare"]}

    def click():
        client = Client()
        client.force_login(user)
        return client.post(url, data, headers={"HX-Request": "true"})

    responses = run_together(click, click)
    assert [response.status_code for response in responses] == [200, 200]
    for response in responses:
        assert 'data-status="committed"' in response.content.decode()
    assert len(slow_work_spawning) == 1
    assert WorkItem.objects.count() == 1


def test_cancel_racing_a_commit_leaves_one_consistent_outcome(basket, line, slow_work_spawning):
    outcomes = run_together(
        lambda: commit_basket(Basket.objects.get(pk=basket.pk), work_types=["a"]),
        lambda: cancel_basket(Basket.objects.get(pk=basket.pk)),
    )
    final = Basket.objects.get(pk=basket.pk)
    if final.is_committed:
        assert isinstance(outcomes[1], BasketAlreadyCommittedError)
        assert WorkItem.objects.count() == 1
    else:
        assert final.is_cancelled
        assert isinstance(outcomes[0], BasketCancelledError)
        assert not WorkItem.objects.exists()


def test_two_simultaneous_posts_of_one_add_form_add_one_line(user, basket, catalog_item):
    """A double click that reaches two server threads at once: the Idempotency-Key lets one
    add through; the other is told it is in flight (HTMX) or gets the first answer."""
    data = {
        "catalog_item": catalog_item.pk,
        "basket": basket.pk,
        "quantity": "1",
        "idempotency_key": "double-click-1",
    }

    def post():
        client = Client()
        client.force_login(user)
        return client.post(reverse("catalog:basket-add"), data, headers={"HX-Request": "true"})

    first, second = run_together(post, post)
    statuses = sorted(
        (response.status_code, response.get("Idempotent-Replayed", ""))
        for response in (first, second)
    )
    assert statuses in ([(200, ""), (200, "true")], [(200, ""), (409, "")])
    assert BasketItem.objects.filter(basket=basket).count() == 1
