import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import WorkItem, WorkItemStatus
from catalog.services import add_item, commit_basket, create_basket, start_work_item
from tests.conftest import HEADER_QUERIES
from worklog.models import WorkSession
from worklog.services import get_active_session, start_session
from worklog.targets import resolve_target, search_targets

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def work(committed_line):
    return committed_line.work_items.get(spawn_role="prepare")


def action_url(work, action):
    return reverse(f"catalog:work-item-{action}", args=[work.pk])


def test_queue_lists_work_of_my_committed_baskets_by_priority(user_client, committed_line):
    response = user_client.get(reverse("catalog:work-queue"))
    items = list(response.context["page"].object_list)
    assert [w.work_type for w in items] == ["prepare", "deliver"]
    assert response.content.decode().count('data-testid="work-item"') == 2


def test_queue_hides_drafts_and_other_users_work(client, other_user, committed_line, make_item):
    draft = create_basket(created_by=other_user)
    add_item(draft, make_item("Draft item"))
    client.force_login(other_user)
    assert list(client.get(reverse("catalog:work-queue")).context["page"].object_list) == []


def test_work_assigned_to_me_is_visible_though_basket_is_not(client, other_user, work, user):
    start_work_item(work, other_user)
    client.force_login(other_user)
    items = list(client.get(reverse("catalog:work-queue")).context["page"].object_list)
    assert items == [work]


def test_back_office_sees_all_work(back_office_user, committed_line):
    client = Client()
    client.force_login(back_office_user)
    assert len(client.get(reverse("catalog:work-queue")).context["page"].object_list) == 2


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "in_progress"}, ["prepare"]),
        ({"status": "pending"}, ["deliver"]),
        ({"work_type": "deliver"}, ["deliver"]),
        ({"assignee": "me"}, ["prepare"]),
        ({"assignee": "none"}, ["deliver"]),
    ],
)
def test_queue_filters(user_client, work, user, params, expected):
    start_work_item(work, user)
    response = user_client.get(reverse("catalog:work-queue"), params, headers=HTMX)
    assert [w.work_type for w in response.context["page"].object_list] == expected
    assert 'id="work-list"' in response.content.decode()
    assert "<html" not in response.content.decode()


def test_queue_filters_by_assignee_id(user_client, work, user):
    start_work_item(work, user)
    response = user_client.get(reverse("catalog:work-queue"), {"assignee": user.pk})
    assert list(response.context["page"].object_list) == [work]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"work_type": "no-such-work"},
        {"assignee": "999999"},
        {"assignee": "abc"},
    ],
)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_unknown_filter_values_answer_400_with_a_message(user_client, work, params, headers):
    response = user_client.get(reverse("catalog:work-queue"), params, headers=headers)
    assert response.status_code == 400
    html = response.content.decode()
    assert "These filters cannot be applied" in html
    assert 'id="work-list"' in html
    assert f'id="work-item-{work.pk}"' not in html


def test_start_assigns_to_me_and_swaps_row(user_client, work, user):
    response = user_client.post(action_url(work, "start"), headers=HTMX)
    html = response.content.decode()
    assert f'id="work-item-{work.pk}"' in html
    assert 'data-status="in_progress"' in html
    assert "assigned to alice" in html
    work.refresh_from_db()
    assert work.status == WorkItemStatus.IN_PROGRESS and work.assigned_to == user


def test_block_and_complete(user_client, work):
    user_client.post(action_url(work, "block"), headers=HTMX)
    assert WorkItem.objects.get(pk=work.pk).status == WorkItemStatus.BLOCKED
    response = user_client.post(action_url(work, "complete"), headers=HTMX)
    assert 'data-status="completed"' in response.content.decode()
    assert WorkItem.objects.get(pk=work.pk).is_complete


def test_refused_action_shows_message_and_changes_nothing(user_client, work):
    user_client.post(action_url(work, "complete"))
    response = user_client.post(action_url(work, "block"), headers=HTMX)
    assert response.status_code == 200
    assert 'data-status="completed"' in response.content.decode()
    assert "A completed work item cannot be blocked." in response.content.decode()
    plain = user_client.post(action_url(work, "start"))
    assert plain.status_code == 409
    assert WorkItem.objects.get(pk=work.pk).is_complete


def test_plain_post_redirects_to_queue(user_client, work):
    response = user_client.post(action_url(work, "start"))
    assert response.status_code == 302
    assert response.url == reverse("catalog:work-queue")


@pytest.mark.parametrize("action", ["start", "start-timer", "block", "complete"])
def test_work_actions_are_hidden_from_other_users(assert_hidden_from_other_user, work, action):
    assert_hidden_from_other_user(action_url(work, action), method="post")
    assert WorkItem.objects.get(pk=work.pk).status == WorkItemStatus.PENDING


def test_work_item_page_is_hidden_from_other_users(assert_hidden_from_other_user, work):
    assert_hidden_from_other_user(reverse("catalog:work-item-detail", args=[work.pk]))


def test_start_with_timer_starts_a_session_on_the_work_item(user_client, work, user):
    response = user_client.post(action_url(work, "start-timer"), headers=HTMX)
    assert 'data-status="in_progress"' in response.content.decode()
    session = get_active_session(user)
    assert session.target == work


def test_start_with_timer_applies_the_switch_policy(user, work, committed_line):
    other = committed_line.work_items.get(spawn_role="deliver")
    earlier = start_session(user)
    start_work_item(work, user, start_timer=True)
    start_work_item(other, user, start_timer=True)
    earlier.refresh_from_db()
    assert earlier.stopped_at is not None
    running = WorkSession.objects.filter(user=user, stopped_at__isnull=True)
    assert [s.target for s in running] == [other]


def test_work_items_are_timer_targets_for_those_who_may_see_them(user, other_user, work):
    key = f"catalog.workitem:{work.pk}"
    assert resolve_target(user, key).object == work
    assert resolve_target(other_user, key) is None
    assert work in [t.object for t in search_targets(user, "blood")]
    assert search_targets(other_user, "blood") == []


def test_queue_query_count_does_not_grow(user_client, user, make_item, django_assert_num_queries):
    def fill(count):
        basket = create_basket(created_by=user)
        for n in range(count):
            add_item(basket, make_item(f"Item {n}"))
        commit_basket(basket, work_types=["prepare", "deliver"])

    fill(1)
    user_client.get(reverse("catalog:work-queue"))  # warms the content-type cache
    with django_assert_num_queries(7 + HEADER_QUERIES) as one:
        user_client.get(reverse("catalog:work-queue"))
    fill(20)
    with django_assert_num_queries(len(one)):
        response = user_client.get(reverse("catalog:work-queue"))
    assert len(response.context["page"].object_list) == 42


def test_queue_shows_time_logged_and_running_timer(user_client, user, other_user, work):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    session = start_session(other_user, target=work, started_at=now - timedelta(minutes=95))
    session.stop(stopped_at=now - timedelta(minutes=20))
    start_session(user, target=work)
    html = user_client.get(reverse("catalog:work-queue")).content.decode()
    assert "1h 15m logged" in html
    assert 'data-testid="timer-running"' in html


def test_a_work_item_is_named_the_same_way_wherever_it_is_shown(user_client, user, work):
    """Committed with quantity 3 of "Blood test": never "prepare for 3.00x Blood test"."""
    from decisioning.models import Decision

    name = "Prepare: Blood test × 3"
    user_client.post(action_url(work, "start-timer"))
    Decision.objects.create(target=work, decision_type="priority", decided_by=user)
    pages = [
        reverse("catalog:work-queue"),
        reverse("catalog:work-item-detail", args=[work.pk]),
        reverse("worklog:dashboard"),
        reverse("worklog:timer-targets") + "?q=blood",
        reverse("decisioning:decision-list"),
    ]
    for url in pages:
        html = user_client.get(url).content.decode()
        assert name in html, url
        assert "prepare for" not in html, url
    assert [target.label for target in search_targets(user, "blood")][0] == name


def test_timing_a_work_item_shows_no_raw_type_name(user_client, user, work):
    user_client.post(action_url(work, "start-timer"))
    assert get_active_session(user).session_type == ""
    html = user_client.get(reverse("worklog:dashboard")).content.decode()
    assert "work_item" not in html
    assert ">Work item<" in html
