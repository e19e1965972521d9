import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Basket, BasketItem, BasketStatus, CatalogItem, WorkItem
from catalog.services import add_item, cancel_basket, commit_basket, create_basket, dispense
from tests.conftest import HEADER_QUERIES

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def basket_url(basket, name="catalog:basket-detail"):
    return reverse(name, args=[basket.pk])


def line_url(line, name):
    return reverse(name, args=[line.basket_id, line.pk])


# Browsing


def test_catalog_lists_items_and_only_available_ones_are_orderable(user_client, make_item):
    make_item("Blood test", code="LAB-001")
    make_item("Retired scan", is_available=False)
    make_item("Deleted").delete()
    response = user_client.get(reverse("catalog:catalog"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Blood test" in html and "Retired scan" in html and "Deleted" not in html
    assert html.count('name="catalog_item"') == 1
    assert "Not available for ordering: it is not available." in html


@pytest.mark.parametrize("query", ["lab-0", "blood", "labor"])
def test_catalog_search_matches_name_code_and_category(user_client, make_item, query):
    make_item("Blood test", code="LAB-001", category="laboratory")
    make_item("Chest X-ray", code="IMG-002", category="imaging")
    response = user_client.get(reverse("catalog:catalog"), {"q": query}, headers=HTMX)
    html = response.content.decode()
    assert 'id="catalog-items"' in html
    assert "<html" not in html
    assert "Blood test" in html and "Chest X-ray" not in html


def test_catalog_search_with_a_nul_character_is_not_an_error(user_client, make_item):
    """PostgreSQL refuses NUL in text: the character is dropped rather than answered with 500."""
    make_item("Blood test", code="LAB-001")
    response = user_client.get(reverse("catalog:catalog"), {"q": "Blood\x00"}, headers=HTMX)
    assert response.status_code == 200
    assert "Blood test" in response.content.decode()
    no_such_category = user_client.get(reverse("catalog:catalog"), {"category": "lab\x00"})
    assert no_such_category.status_code == 200
    assert "Blood test" not in no_such_category.content.decode()


def test_catalog_filters_by_category(user_client, make_item):
    make_item("Blood test", category="laboratory")
    make_item("Chest X-ray", category="imaging")
    html = user_client.get(reverse("catalog:catalog"), {"category": "imaging"}).content.decode()
    assert "Chest X-ray" in html and "Blood test" not in html


def test_catalog_is_paginated(user_client, make_item):
    for n in range(30):
        make_item(f"Item {n:02}", sort_order=n)
    first = user_client.get(reverse("catalog:catalog")).content.decode()
    second = user_client.get(reverse("catalog:catalog"), {"page": 2}).content.decode()
    assert "Item 24" in first and "Item 25" not in first
    assert "Item 25" in second and "Page 2 of 2" in second


@pytest.mark.parametrize("count", [10, 1000])
def test_catalog_query_count_does_not_grow_with_items(
    user_client, owner, line, count, django_assert_num_queries
):
    CatalogItem.objects.bulk_create(
        CatalogItem(owner=owner, name=f"Item {n}", unit_price=Decimal("1.00"))
        for n in range(count - 1)
    )
    # Session, user, the user's permissions, items count and page, the current basket,
    # categories, and the draft basket's lines with their items.
    with django_assert_num_queries(8 + HEADER_QUERIES):
        response = user_client.get(reverse("catalog:catalog"))
    assert response.context["page"].paginator.count == count


# Adding, changing, removing


def test_first_add_creates_one_basket_even_when_sent_twice(user_client, user, catalog_item):
    data = {"catalog_item": catalog_item.pk, "basket_key": uuid.uuid4(), "quantity": "2"}
    for _ in range(2):
        response = user_client.post(reverse("catalog:basket-add"), data, headers=HTMX)
        assert response.status_code == 200
    basket = Basket.objects.get()
    assert basket.created_by == user
    assert basket.total_items == 2
    html = response.content.decode()
    assert 'id="basket"' in html
    assert 'data-testid="line-count">2<' in html
    assert "200.00 USD" in html
    assert "Added 2 × Blood test." in html  # the message, swapped out of band


def test_a_fraction_of_an_item_counted_whole_is_refused_with_a_message(
    user_client, basket, make_item
):
    pack = make_item("Gauze swabs (pack of 100)", allows_fractions=False)
    data = {"catalog_item": pack.pk, "basket": basket.pk, "quantity": "1.5"}
    response = user_client.post(reverse("catalog:basket-add"), data)
    assert response.status_code == 400
    assert (
        "Gauze swabs (pack of 100) is counted in whole units: 1.5 is not a whole number."
        in response.content.decode()
    )
    assert basket.total_items == 0


def test_quantity_inputs_step_by_whole_units_for_items_counted_whole(user_client, make_item):
    make_item("Gauze swabs (pack of 100)", allows_fractions=False)
    make_item("Saline by the litre")
    html = user_client.get(reverse("catalog:catalog")).content.decode()
    assert html.count('min="1" step="1"') == 1
    assert html.count('min="0.01" step="0.01"') == 1


def test_basket_summary_counts_lines_not_quantities_of_different_units(
    user_client, basket, make_item
):
    add_item(basket, make_item("Gauze swabs (pack of 100)"), quantity=2)
    add_item(basket, make_item("Saline by the litre"), quantity=Decimal("3.5"))
    html = user_client.get(basket_url(basket)).content.decode()
    summary = html.split('data-testid="basket-summary"')[1].split("</dl>")[0]
    assert 'data-testid="line-count">2<' in summary
    assert "5.5" not in summary and "Quantity" not in summary


def test_add_with_instructions_to_existing_basket(user_client, basket, catalog_item):
    response = user_client.post(
        reverse("catalog:basket-add"),
        {
            "catalog_item": catalog_item.pk,
            "basket": basket.pk,
            "quantity": "1.5",
            "instructions": "Fasting",
        },
    )
    assert response.status_code == 302
    assert response.url == f"{reverse('catalog:catalog')}?basket={basket.pk}"
    line = basket.items.get()
    assert line.quantity == Decimal("1.5")
    assert line.instructions == "Fasting"


def _add_shown(client, basket, item, revision, **fields):
    """An HTMX add from a catalog page that shows `basket` at `revision`."""
    data = {
        "catalog_item": item.pk,
        "basket": basket.pk,
        "quantity": "1",
        "shown_basket": basket.pk,
        "revision": revision,
    }
    return client.post(reverse("catalog:basket-add"), {**data, **fields}, headers=HTMX)


def test_add_to_the_basket_the_page_shows_sends_only_what_changed(
    user_client, basket, line, make_item
):
    shown = Basket.objects.get(pk=basket.pk).revision
    response = _add_shown(user_client, basket, make_item("X-ray", unit_price=Decimal("20")), shown)
    html = response.content.decode()
    new_line = basket.items.get(catalog_item__name="X-ray")
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert response["HX-Trigger"] == "basket-line-added"
    assert 'id="basket"' not in html
    # The new line, appended to the shown basket's list.
    assert f'hx-swap-oob="beforeend:#basket-{basket.pk}-lines"' in html
    assert html.count('data-testid="basket-line"') == 1
    assert f'data-line="{new_line.pk}"' in html
    # The summary and the commit form's revision, replaced; the message.
    assert f'id="basket-{basket.pk}-summary"' in html
    assert 'data-testid="line-count">2<' in html
    assert 'data-testid="total-USD">170.00 USD<' in html
    assert f'id="basket-{basket.pk}-revision" hx-swap-oob="true"' in html
    assert f'name="revision" value="{shown + 1}"' in html
    assert "Added 1 × X-ray." in html


@pytest.mark.parametrize("shown", [None, "stale"])
def test_add_to_a_basket_the_page_shows_otherwise_sends_the_whole_basket(
    user_client, basket, line, catalog_item, shown
):
    revision = Basket.objects.get(pk=basket.pk).revision
    fields = {"revision": revision - 1} if shown == "stale" else {}
    data = {"catalog_item": catalog_item.pk, "basket": basket.pk, "quantity": "1", **fields}
    response = user_client.post(reverse("catalog:basket-add"), data, headers=HTMX)
    html = response.content.decode()
    assert "HX-Reswap" not in response
    assert 'id="basket"' in html
    assert html.count('data-testid="basket-line"') == 2


def test_add_beside_a_line_with_a_notice_sends_the_whole_basket(
    user_client, basket, line, catalog_item, make_item
):
    """A partial answer would leave out the notice that another line's item is gone."""
    revision = Basket.objects.get(pk=basket.pk).revision
    catalog_item.is_available = False
    catalog_item.save()
    html = _add_shown(user_client, basket, make_item("X-ray"), revision).content.decode()
    assert 'id="basket"' in html
    assert "No longer available: Blood test." in html


def test_add_that_starts_a_basket_sends_the_whole_basket(user_client, basket, line, catalog_item):
    """The page showed its committed basket; the add starts the next one."""
    revision = Basket.objects.get(pk=basket.pk).revision
    commit_basket(basket)
    html = _add_shown(
        user_client, basket, catalog_item, revision, basket_key=uuid.uuid4()
    ).content.decode()
    assert 'id="basket"' in html
    assert 'data-status="draft"' in html
    assert html.count('data-testid="basket-line"') == 1


def test_add_that_lands_in_another_basket_at_the_shown_revision_sends_the_whole_basket(
    user_client, user, catalog_item
):
    """Two tabs of one catalog page: this tab shows the page's first basket; the other tab
    committed it and added to the next one, which now stands at the revision this tab shows."""
    key = uuid.uuid4()

    def add_from_page(**shown):
        data = {"catalog_item": catalog_item.pk, "basket_key": key, "quantity": "1", **shown}
        return user_client.post(reverse("catalog:basket-add"), data, headers=HTMX)

    add_from_page()
    first = Basket.objects.get(created_by=user)
    shown = {"basket": first.pk, "shown_basket": first.pk, "revision": first.revision}
    commit_basket(first)
    add_from_page()  # the other tab
    second = Basket.objects.exclude(pk=first.pk).get(created_by=user)
    assert second.revision == shown["revision"]
    html = add_from_page(**shown).content.decode()
    assert second.items.count() == 2
    assert 'id="basket"' in html
    assert f'name="shown_basket" value="{second.pk}"' in html


def test_catalog_page_shows_current_draft_basket(user_client, line, basket):
    html = user_client.get(reverse("catalog:catalog")).content.decode()
    assert 'id="basket"' in html
    assert f'name="basket" value="{basket.pk}"' in html
    assert "150.00 USD" in html


def test_totals_are_per_currency(user_client, basket, make_item):
    add_item(basket, make_item("A", unit_price=Decimal("10.00")), quantity=2)
    add_item(basket, make_item("B", unit_price=Decimal("5.50"), currency="EUR"), quantity=3)
    add_item(basket, make_item("C", unit_price=None))
    html = user_client.get(basket_url(basket)).content.decode()
    assert 'data-testid="total-USD">20.00 USD<' in html
    assert 'data-testid="total-EUR">16.50 EUR<' in html
    assert "1 line without a price." in html


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", ""])
def test_add_with_bad_quantity_is_refused_with_message(user_client, basket, catalog_item, quantity):
    data = {"catalog_item": catalog_item.pk, "basket": basket.pk, "quantity": quantity}
    htmx = user_client.post(reverse("catalog:basket-add"), data, headers=HTMX)
    assert htmx.status_code == 200
    assert "Quantity:" in htmx.content.decode()
    plain = user_client.post(reverse("catalog:basket-add"), data)
    assert plain.status_code == 400
    assert basket.total_items == 0


def test_add_unavailable_item_is_refused(user_client, basket, make_item):
    item = make_item("Seasonal", available_from=timezone.now() + timedelta(days=3))
    data = {"catalog_item": item.pk, "basket": basket.pk, "quantity": "1"}
    response = user_client.post(reverse("catalog:basket-add"), data, headers=HTMX)
    assert "not available yet" in response.content.decode()
    assert user_client.post(reverse("catalog:basket-add"), data).status_code == 409
    assert basket.total_items == 0


def test_add_to_committed_basket_is_refused(user_client, basket, line, catalog_item):
    commit_basket(basket)
    data = {"catalog_item": catalog_item.pk, "basket": basket.pk, "quantity": "1"}
    response = user_client.post(reverse("catalog:basket-add"), data)
    assert response.status_code == 409
    assert "already committed" in response.content.decode()
    assert basket.total_items == 1


def test_change_quantity_swaps_fragment(user_client, line):
    response = user_client.post(
        line_url(line, "catalog:line-quantity"), {"quantity": "5"}, headers=HTMX
    )
    html = response.content.decode()
    assert f'id="quantity-{line.pk}" type="number" name="quantity" value="5"' in html
    assert "250.00 USD" in html
    line.refresh_from_db()
    assert line.quantity == 5


def test_remove_line_swaps_fragment(user_client, line, basket):
    response = user_client.post(line_url(line, "catalog:line-remove"), headers=HTMX)
    assert "This basket is empty." in response.content.decode()
    assert basket.total_items == 0


def test_lines_of_committed_basket_cannot_change_through_the_page(user_client, line, basket):
    commit_basket(basket)
    assert (
        user_client.post(line_url(line, "catalog:line-quantity"), {"quantity": 9}).status_code
        == 409
    )
    assert user_client.post(line_url(line, "catalog:line-remove")).status_code == 409
    line.refresh_from_db()
    assert line.quantity == 3 and not line.is_deleted


def test_price_change_shows_on_draft_basket_page(user_client, line, catalog_item):
    catalog_item.unit_price = Decimal("60.00")
    catalog_item.save()
    html = user_client.get(basket_url(line.basket)).content.decode()
    assert "The catalog price is now 60.00 USD; this line keeps 50.00 USD." in html
    assert "150.00 USD" in html


def test_unavailable_line_is_named_and_removable(user_client, line, basket, catalog_item):
    catalog_item.is_available = False
    catalog_item.save()
    html = user_client.get(basket_url(basket)).content.decode()
    assert "No longer available: Blood test. Remove this line to commit." in html
    revision = Basket.objects.get(pk=basket.pk).revision
    response = user_client.post(
        basket_url(basket, "catalog:basket-commit"),
        {"revision": revision, "work_types": ["prepare"]},
        headers=HTMX,
    )
    assert "No longer available: Blood test" in response.content.decode()
    assert Basket.objects.get(pk=basket.pk).is_draft
    user_client.post(line_url(line, "catalog:line-remove"), headers=HTMX)
    assert basket.total_items == 0


# Commit and cancel


def _commit(client, basket, work_types=("prepare", "deliver"), **headers):
    revision = Basket.objects.get(pk=basket.pk).revision
    return client.post(
        basket_url(basket, "catalog:basket-commit"),
        {"revision": revision, "work_types": list(work_types)},
        headers=headers,
    )


def test_commit_spawns_chosen_work_and_shows_summary(user_client, line, basket, user):
    response = _commit(user_client, basket, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="committed"' in html
    assert "2 work items" in html
    assert "Basket committed." in html
    assert 'data-testid="commit-form"' not in html
    basket.refresh_from_db()
    assert basket.is_committed and basket.committed_by == user
    assert set(WorkItem.objects.values_list("work_type", flat=True)) == {"prepare", "deliver"}


def test_resubmitted_commit_commits_once_and_shows_the_same_basket(user_client, line, basket):
    revision = Basket.objects.get(pk=basket.pk).revision
    data = {"revision": revision, "work_types": ["prepare"]}
    url = basket_url(basket, "catalog:basket-commit")
    first = user_client.post(url, data, headers=HTMX)
    second = user_client.post(url, data, headers=HTMX)
    assert first.status_code == second.status_code == 200
    assert 'data-status="committed"' in second.content.decode()
    assert "Basket committed." not in second.content.decode()
    committed_at = Basket.objects.get(pk=basket.pk).committed_at
    plain = user_client.post(url, data)
    assert plain.status_code == 302
    assert Basket.objects.get(pk=basket.pk).committed_at == committed_at
    assert WorkItem.objects.count() == 1


def test_commit_with_stale_revision_is_refused(user_client, line, basket):
    response = user_client.post(
        basket_url(basket, "catalog:basket-commit"), {"revision": 0, "work_types": ["prepare"]}
    )
    assert response.status_code == 409
    assert "changed since this page was shown" in response.content.decode()
    assert Basket.objects.get(pk=basket.pk).is_draft


def test_commit_empty_basket_is_refused(user_client, basket):
    response = _commit(user_client, basket)
    assert response.status_code == 409
    assert "empty" in response.content.decode()


def test_commit_with_unknown_work_type_is_refused(user_client, line, basket):
    response = _commit(user_client, basket, work_types=["launch-rocket"])
    assert response.status_code == 400
    assert Basket.objects.get(pk=basket.pk).is_draft


def test_cancel_draft_and_commit_cancelled_is_refused(user_client, line, basket):
    response = user_client.post(basket_url(basket, "catalog:basket-cancel"), headers=HTMX)
    assert 'data-status="cancelled"' in response.content.decode()
    assert _commit(user_client, basket).status_code == 409
    assert Basket.objects.get(pk=basket.pk).status == BasketStatus.CANCELLED


def test_cancel_committed_is_refused(user_client, line, basket):
    commit_basket(basket)
    assert user_client.post(basket_url(basket, "catalog:basket-cancel")).status_code == 409


# Who sees what


def test_basket_list_shows_only_my_baskets(user_client, basket, other_user):
    create_basket(created_by=other_user, notes="theirs")
    response = user_client.get(reverse("catalog:basket-list"))
    assert list(response.context["page"].object_list) == [basket]


def test_back_office_sees_every_basket(back_office_user, basket, line):
    client = Client()
    client.force_login(back_office_user)
    assert client.get(basket_url(basket)).status_code == 200
    assert basket in client.get(reverse("catalog:basket-list")).context["page"].object_list


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("catalog:basket-detail", "get", None),
        ("catalog:basket-commit", "post", {"revision": 1, "work_types": ["prepare"]}),
        ("catalog:basket-cancel", "post", None),
    ],
)
def test_basket_is_hidden_from_other_users(
    assert_hidden_from_other_user, line, basket, name, method, data
):
    assert_hidden_from_other_user(basket_url(basket, name), method=method, data=data)
    assert Basket.objects.get(pk=basket.pk).is_draft


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("catalog:line-quantity", {"quantity": 9}),
        ("catalog:line-remove", None),
        ("catalog:line-dispense", {"quantity": 1}),
    ],
)
def test_lines_are_hidden_from_other_users(assert_hidden_from_other_user, line, name, data):
    assert_hidden_from_other_user(line_url(line, name), method="post", data=data)
    line.refresh_from_db()
    assert line.quantity == 3 and not line.is_deleted


def test_add_to_someone_elses_basket_is_404(client, other_user, basket, catalog_item):
    client.force_login(other_user)
    data = {"catalog_item": catalog_item.pk, "basket": basket.pk, "quantity": 1}
    assert client.post(reverse("catalog:basket-add"), data).status_code == 404
    assert basket.total_items == 0


def test_catalog_page_ignores_someone_elses_basket(client, other_user, basket, line):
    client.force_login(other_user)
    response = client.get(reverse("catalog:catalog"), {"basket": basket.pk})
    assert response.context["basket"] is None


# Query counts


@pytest.mark.parametrize("count", [1, 50])
def test_basket_page_query_count_does_not_grow_with_lines(
    user_client, basket, owner, count, django_assert_num_queries
):
    items = CatalogItem.objects.bulk_create(
        CatalogItem(owner=owner, name=f"Item {n}", unit_price=Decimal("2.00")) for n in range(count)
    )
    BasketItem.objects.bulk_create(
        BasketItem(basket=basket, catalog_item=item, unit_price=item.unit_price) for item in items
    )
    ContentType.objects.get_for_model(Basket)  # cached per process, as in production
    # Session, user, the user's permissions, the basket, the draft's lines with their items
    # (5); the decision panel: may the user see the basket, and the decisions about it (2).
    with django_assert_num_queries(7 + HEADER_QUERIES):
        response = user_client.get(basket_url(basket))
    assert response.context["view"].line_count == count


@pytest.mark.parametrize("count", [1, 50])
def test_add_to_the_shown_basket_query_count_does_not_grow_with_lines(
    user_client, basket, make_item, count, django_assert_num_queries
):
    items = [make_item(f"Item {n}") for n in range(count + 1)]
    for item in items[:count]:
        add_item(basket, item)
    revision = Basket.objects.get(pk=basket.pk).revision
    # Session, user, the user's permissions, the basket, the item (5); the add: lock
    # the basket, read the item, insert the line, bump the revision, in a transaction (6); the
    # lines for the summary (1).
    with django_assert_num_queries(12):
        response = _add_shown(user_client, basket, items[count], revision)
    assert response["HX-Reswap"] == "none"
    assert f'data-testid="line-count">{count + 1}<' in response.content.decode()


@pytest.mark.parametrize("count", [1, 50])
def test_commit_query_count_does_not_grow_with_lines(
    user_client, basket, make_item, count, django_assert_num_queries
):
    for n in range(count):
        add_item(basket, make_item(f"Item {n}"))
    revision = Basket.objects.get(pk=basket.pk).revision
    data = {"revision": revision, "work_types": ["prepare", "deliver"]}
    # Session, user, the user's permissions, the basket (4); the commit: lock the basket
    # and its lines with their items, mark it committed, insert the work, in a transaction (6).
    # The answer shows what the commit wrote, read again from nothing.
    with django_assert_num_queries(10):
        response = user_client.post(basket_url(basket, "catalog:basket-commit"), data, headers=HTMX)
    assert response.content.decode().count('data-testid="line-work-item"') == 2 * count
    # The double click's second request finds the basket committed: no lock, and the basket's
    # lines with their dispensed totals, work and dispenses (3) for the answer: 4 + 3.
    with django_assert_num_queries(7):
        response = user_client.post(basket_url(basket, "catalog:basket-commit"), data, headers=HTMX)
    assert response.content.decode().count('data-testid="line-work-item"') == 2 * count


def _without_tokens(html: str) -> str:
    """The basket fragment, without what differs between two renderings of the same basket:
    each form's CSRF token and idempotency key, and the messages swapped in beside it."""
    section = html[html.index('<section id="basket"') : html.index("</section>")]
    return re.sub(r'name="(csrfmiddlewaretoken|idempotency_key)" value="[^"]*"', "", section)


def test_commit_answer_shows_the_basket_as_its_page_then_does(back_office_user, basket, make_item):
    client = Client()
    client.force_login(back_office_user)
    add_item(basket, make_item("Scan", unit_price=Decimal("3.50")), quantity=2)
    add_item(basket, make_item("Swab", unit_price=None), instructions="Left arm")
    committed = _commit(client, basket, **HTMX).content.decode()
    assert "Basket committed." in committed
    shown = client.get(basket_url(basket), headers=HTMX).content.decode()
    assert _without_tokens(committed) == _without_tokens(shown)
    assert shown.count('data-testid="dispense-form"') == 2


@pytest.mark.parametrize("count", [1, 50])
def test_committed_basket_page_query_count_does_not_grow_with_lines(
    back_office_user, basket, make_item, count, django_assert_num_queries
):
    client = Client()
    client.force_login(back_office_user)
    lines = [add_item(basket, make_item(f"Item {n}"), quantity=2) for n in range(count)]
    commit_basket(basket, work_types=["prepare", "deliver"])
    dispense(lines[0], 1)
    ContentType.objects.get_for_model(Basket)
    # As above: the page (7) and the decision panel (2).
    with django_assert_num_queries(9 + HEADER_QUERIES):
        response = client.get(basket_url(basket))
    html = response.content.decode()
    assert html.count('data-testid="line-work-item"') == 2 * count
    assert html.count('data-testid="dispense-form"') == count
    assert html.count('data-testid="dispense-log"') == 1


def test_cancelled_basket_is_read_only(user_client, line, basket):
    cancel_basket(basket)
    html = user_client.get(basket_url(basket)).content.decode()
    assert 'data-testid="commit-form"' not in html
    assert "Remove</button>" not in html


def test_basket_page_and_list_show_its_context(user_client, user, catalog_item):
    basket = create_basket(context=catalog_item, created_by=user, notes="For the ward")
    html = user_client.get(basket_url(basket)).content.decode()
    assert 'data-testid="basket-context">For Blood test<' in html
    assert "For the ward" in html
    listing = user_client.get(reverse("catalog:basket-list")).content.decode()
    assert '<td class="px-4 py-2">Blood test</td>' in listing


@pytest.fixture
def widget_target():
    from tests.testapp.models import Widget
    from worklog.targets import TargetType, register_target_type, unregister_target_type

    register_target_type(
        TargetType(Widget, "Widget", ("name",), lambda user: Widget.objects.filter(name="mine"))
    )
    yield Widget
    unregister_target_type(Widget)


def test_catalog_page_orders_for_a_context_the_user_may_see(
    user_client, user, catalog_item, widget_target
):
    mine = widget_target.objects.create(name="mine")
    key = f"testapp.widget:{mine.pk}"
    page = user_client.get(reverse("catalog:catalog"), {"context": key, "new": 1})
    assert f"New baskets on this page are for <strong>{mine}</strong> (widget)." in (
        page.content.decode()
    )
    data = {
        "catalog_item": catalog_item.pk,
        "basket_key": page.context["basket_key"],
        "context": key,
        "quantity": 1,
    }
    response = user_client.post(reverse("catalog:basket-add"), data, headers=HTMX)
    assert f'data-testid="basket-context">For {mine}<' in response.content.decode()
    assert Basket.objects.get().context == mine


def test_ordering_for_a_context_the_user_may_not_see_is_404(
    user_client, catalog_item, widget_target
):
    hidden = widget_target.objects.create(name="not yours")
    data = {
        "catalog_item": catalog_item.pk,
        "basket_key": uuid.uuid4(),
        "context": f"testapp.widget:{hidden.pk}",
        "quantity": 1,
    }
    assert user_client.post(reverse("catalog:basket-add"), data).status_code == 404
    assert not Basket.objects.exists()
    page = user_client.get(reverse("catalog:catalog"), {"context": f"testapp.widget:{hidden.pk}"})
    assert page.context["order_for"] is None


def test_first_add_with_bad_quantity_creates_no_basket(user_client, catalog_item):
    data = {"catalog_item": catalog_item.pk, "basket_key": uuid.uuid4(), "quantity": "0"}
    htmx = user_client.post(reverse("catalog:basket-add"), data, headers=HTMX)
    assert htmx.status_code == 200
    html = htmx.content.decode()
    assert "Add an item to start a basket." in html
    assert "Quantity: Ensure this value is greater than or equal to 0.01." in html
    plain = user_client.post(reverse("catalog:basket-add"), data)
    assert plain.status_code == 400
    assert "Blood test" in plain.content.decode()
    assert not Basket.objects.exists()


@pytest.mark.parametrize("name", ["catalog:catalog", "catalog:work-queue"])
def test_htmx_history_restore_gets_the_whole_page(user_client, name):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    response = user_client.get(reverse(name), headers=headers)
    assert "<html" in response.content.decode()


def test_line_of_deleted_item_is_flagged_and_commit_names_it(user_client, line, basket):
    line.catalog_item.delete()
    html = user_client.get(basket_url(basket)).content.decode()
    assert "Not available: it has been removed from the catalog." in html
    response = _commit(user_client, basket)
    assert response.status_code == 409
    assert "No longer available: Blood test" in response.content.decode()


def test_remove_clicked_twice_removes_once(user_client, line, basket):
    url = line_url(line, "catalog:line-remove")
    assert user_client.post(url, headers=HTMX).status_code == 200
    second = user_client.post(url, headers=HTMX)
    assert second.status_code == 200
    assert "This basket is empty." in second.content.decode()
    assert Basket.objects.get(pk=basket.pk).revision == 2


@pytest.mark.parametrize("count", [1, 20])
def test_basket_list_query_count_does_not_grow(user_client, user, count, django_assert_num_queries):
    for _ in range(count):
        create_basket(created_by=user)
    with django_assert_num_queries(5 + HEADER_QUERIES):
        response = user_client.get(reverse("catalog:basket-list"))
    assert response.content.decode().count('data-testid="basket-row"') == count


def test_adding_from_a_page_whose_basket_was_committed_starts_one_new_basket(
    user_client, user, basket, line, catalog_item
):
    commit_basket(basket)
    key = uuid.uuid4()
    data = {"catalog_item": catalog_item.pk, "basket": basket.pk, "basket_key": key}
    for _ in range(2):
        response = user_client.post(
            reverse("catalog:basket-add"), {**data, "quantity": "1"}, headers=HTMX
        )
    new = Basket.objects.exclude(pk=basket.pk).get()
    assert new.is_draft and new.created_by == user
    assert new.total_items == 2
    assert basket.total_items == 1
    assert f'data-line="{new.items.first().pk}"' in response.content.decode()


def test_catalog_page_keeps_its_basket_across_commit_add_and_search(
    user_client, basket, line, catalog_item
):
    page = user_client.get(reverse("catalog:catalog"))
    key = page.context["basket_key"]
    assert page.context["basket"] == basket
    commit_basket(basket)
    data = {"catalog_item": catalog_item.pk, "basket": basket.pk, "basket_key": key}
    user_client.post(reverse("catalog:basket-add"), {**data, "quantity": 1}, headers=HTMX)
    new = Basket.objects.drafts().get()
    search = user_client.get(
        reverse("catalog:catalog"),
        {"q": "blood", "basket": basket.pk, "basket_key": key},
        headers=HTMX,
    )
    assert search.context["basket"] == new
    html = search.content.decode()
    assert f'name="basket" value="{new.pk}"' in html
    assert f'name="basket_key" value="{key}"' in html


def test_new_basket_page_keeps_its_key_and_shows_no_old_draft(user_client, basket, line):
    page = user_client.get(reverse("catalog:catalog"), {"new": 1})
    assert page.context["basket"] is None
    key = page.context["basket_key"]
    search = user_client.get(reverse("catalog:catalog"), {"q": "", "basket_key": key}, headers=HTMX)
    assert search.context["basket"] is None
    assert search.context["basket_key"] == key


def test_page_key_moves_on_to_a_new_basket_after_each_commit(user_client, user, catalog_item):
    key = uuid.uuid4()
    data = {"catalog_item": catalog_item.pk, "basket_key": key, "quantity": 1}
    baskets = []
    for _ in range(3):
        user_client.post(reverse("catalog:basket-add"), data, headers=HTMX)
        user_client.post(reverse("catalog:basket-add"), data, headers=HTMX)
        basket = Basket.objects.drafts().get()
        assert basket.total_items == 2
        commit_basket(basket)
        baskets.append(basket.pk)
    assert len(set(baskets)) == 3
    assert Basket.objects.count() == 3
