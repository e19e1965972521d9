"""A decision can be recorded about a basket, a timer session and a work item from that
object's own page (an HTMX panel, backdating allowed); whoever may not see the object gets
404 for the panel's form, and does not see the panel."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogItem
from catalog.services import add_item, commit_basket, create_basket
from decisioning.models import Decision
from worklog.services import start_session, stop_session

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def record_url(target):
    content_type = ContentType.objects.get_for_model(target)
    return reverse("decisioning:record-decision", args=[content_type.pk, target.pk])


@pytest.fixture
def basket(user):
    return create_basket(created_by=user)


@pytest.fixture
def work_item(user, basket):
    item = CatalogItem.objects.create(owner=user, name="Blood test", unit_price=5)
    add_item(basket, item, quantity=1)
    commit_basket(basket, committed_by=user, work_types=["prepare"])
    return basket.items.get().work_items.get()


@pytest.fixture
def session(user):
    now = timezone.now()
    start_session(user, started_at=now - timedelta(hours=2))
    return stop_session(user, stopped_at=now - timedelta(hours=1))


@pytest.fixture(params=["basket", "session", "work_item"])
def target_and_page(request):
    target = request.getfixturevalue(request.param)
    return target, target.get_absolute_url()


def test_the_objects_page_shows_the_panel(user_client, target_and_page):
    target, page = target_and_page
    html = user_client.get(page).content.decode()
    assert 'data-testid="decision-panel"' in html
    assert record_url(target) in html


def test_a_backdated_decision_is_recorded_from_the_panel(user_client, user, target_and_page):
    target, page = target_and_page
    effective = timezone.localtime(timezone.now() - timedelta(days=3)).replace(microsecond=0)
    response = user_client.post(
        record_url(target),
        {
            "decision_type": "review",
            "outcome": "approved",
            "reason": "checked",
            "effective_at": effective.strftime("%Y-%m-%dT%H:%M"),
            "idempotency_key": str(uuid.uuid4()),
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    decision = Decision.objects.get()
    assert decision.target == target and decision.decided_by == user
    assert decision.effective_at < decision.recorded_at - timedelta(days=2)
    assert "review" in response.content.decode()
    assert "review" in user_client.get(page).content.decode()


def test_a_plain_form_post_goes_back_to_the_objects_page(user_client, target_and_page):
    target, page = target_and_page
    response = user_client.post(record_url(target), {"decision_type": "ok", "outcome": "approved"})
    assert response.status_code == 302 and response["Location"] == page


def test_others_get_404_and_no_panel(target_and_page, assert_hidden_from_other_user):
    target, page = target_and_page
    assert_hidden_from_other_user(page)
    assert_hidden_from_other_user(
        record_url(target), method="post", data={"decision_type": "x", "outcome": "approved"}
    )
    assert not Decision.objects.exists()


def test_decisions_about_an_object_are_not_shown_to_someone_who_cannot_see_it(
    user, other_user, basket
):
    Decision.objects.create(target=basket, decision_type="confidential", decided_by=user)
    client = Client()
    client.force_login(other_user)
    assert client.get(basket.get_absolute_url()).status_code == 404
    log = client.get(reverse("decisioning:decision-list")).content.decode()
    assert "confidential" not in log


def test_work_queue_links_to_the_work_item_page(user_client, work_item):
    html = user_client.get(reverse("catalog:work-queue")).content.decode()
    assert reverse("catalog:work-item-detail", args=[work_item.pk]) in html


def test_work_item_page_shows_its_actions_and_state(user_client, work_item):
    html = user_client.get(work_item.get_absolute_url()).content.decode()
    assert f'id="work-item-{work_item.pk}"' in html
    assert reverse("catalog:work-item-start", args=[work_item.pk]) in html


def test_assignee_sees_the_work_item_page(client, other_user, work_item):
    work_item.assigned_to = other_user
    work_item.save()
    client.force_login(other_user)
    response = client.get(work_item.get_absolute_url())
    assert response.status_code == 200
    assert 'data-testid="decision-panel"' in response.content.decode()
