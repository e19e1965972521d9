"""The approval pages: the week page's submit and trail, the team pages, and who sees them."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.conftest import HEADER_QUERIES
from tests.worklog.teams.conftest import worked
from worklog.teams import services
from worklog.teams.models import Team, TimesheetWeek, WeekState

pytestmark = pytest.mark.django_db


def week_url(day) -> str:
    return f"{reverse('worklog:timer-week')}?date={day:%Y-%m-%d}"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_week_page_submits_and_shows_the_state_and_trail(user_client, user, team, last_week):
    worked(user, last_week, 9, 10)
    this_week = user_client.get(reverse("worklog:timer-week")).content.decode()
    assert 'data-testid="submit-reminder"' in this_week
    page = user_client.get(week_url(last_week)).content.decode()
    assert "Submit the week" in page
    response = user_client.post(
        reverse("worklog:week-submit"), {"date": f"{last_week:%Y-%m-%d}"}, follow=True
    )
    page = response.content.decode()
    assert "Week submitted for approval." in page
    assert 'data-testid="week-state">Submitted<' in page
    assert "Submit the week" not in page
    this_week = user_client.get(reverse("worklog:timer-week")).content.decode()
    assert 'data-testid="submit-reminder"' not in this_week
    assert "Effective" in page and "recorded" in page
    assert TimesheetWeek.objects.get(user=user).state == WeekState.SUBMITTED


def test_a_week_with_a_running_session_is_not_submitted_and_says_which(user_client, user, team):
    from worklog.timer.services import start_session

    start_session(user)
    response = user_client.post(reverse("worklog:week-submit"), {}, follow=True)
    assert "Stop the running session before submitting the week" in response.content.decode()


def test_the_rejection_note_shows_on_the_members_week(user_client, user, team, manager, last_week):
    week = services.submit_week(user=user, week_start=last_week)
    logged_in(manager).post(
        reverse("worklog:week-reject", args=[week.pk]), {"note": "Friday is missing"}
    )
    page = user_client.get(week_url(last_week)).content.decode()
    assert "Friday is missing" in page
    assert "Resubmit the week" in page


def test_only_a_managers_week_page_links_to_their_teams(user_client, manager, team):
    link = f'href="{reverse("worklog:teams")}"'
    assert link not in user_client.get(reverse("worklog:timer-week")).content.decode()
    assert link in logged_in(manager).get(reverse("worklog:timer-week")).content.decode()


def test_a_manager_approves_from_the_members_week(user, team, manager, last_week):
    week = services.submit_week(user=user, week_start=last_week)
    client = logged_in(manager)
    member_week = reverse("worklog:team-member-week", args=[team.pk, user.pk])
    page = client.get(f"{member_week}?date={last_week:%Y-%m-%d}").content.decode()
    assert "Approve" in page and "read-only" in page
    assert ">Delete<" not in page
    client.post(reverse("worklog:week-approve", args=[week.pk]))
    week.refresh_from_db()
    assert week.state == WeekState.APPROVED


def test_a_manager_cannot_approve_their_own_week_on_the_page(user, team, manager, last_week):
    team.members.add(manager)
    week = services.submit_week(user=manager, week_start=last_week)
    response = logged_in(manager).post(reverse("worklog:week-approve", args=[week.pk]), follow=True)
    assert "cannot approve or reject your own week" in response.content.decode()
    week.refresh_from_db()
    assert week.state == WeekState.SUBMITTED


def test_an_administrator_unlocks_with_a_reason(user, approved_week):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-pw-pw-pw")
    client = logged_in(admin)
    client.post(reverse("worklog:week-unlock", args=[approved_week.pk]), {"reason": ""})
    approved_week.refresh_from_db()
    assert approved_week.state == WeekState.APPROVED
    client.post(reverse("worklog:week-unlock", args=[approved_week.pk]), {"reason": "Payroll"})
    approved_week.refresh_from_db()
    assert approved_week.state == WeekState.OPEN
    page = logged_in(user).get(week_url(approved_week.week_start)).content.decode()
    assert "Unlocked" in page and "Payroll" in page
    assert "Submit the week" in page


@pytest.fixture
def other_team(django_user_model):
    boss = django_user_model.objects.create_user(username="erin")
    team = Team.objects.create(name="Office")
    team.managers.add(boss)
    return team


def manager_pages(team, member, week) -> list[tuple[str, str, dict]]:
    return [
        ("get", reverse("worklog:teams"), {}),
        ("get", reverse("worklog:team-detail", args=[team.pk]), {}),
        ("post", reverse("worklog:team-detail", args=[team.pk]), {"add": member.username}),
        ("get", reverse("worklog:team-week", args=[team.pk]), {}),
        ("get", reverse("worklog:team-member-week", args=[team.pk, member.pk]), {}),
        ("post", reverse("worklog:week-approve", args=[week.pk]), {}),
        ("post", reverse("worklog:week-reject", args=[week.pk]), {"note": "no"}),
        ("post", reverse("worklog:week-unlock", args=[week.pk]), {"reason": "no"}),
    ]


@pytest.mark.parametrize("index", range(8))
def test_someone_who_manages_no_team_gets_404_on_every_team_page(
    user, other_user, team, last_week, index
):
    week = services.submit_week(user=user, week_start=last_week)
    method, url, data = manager_pages(team, user, week)[index]
    # A member of the team, who manages none.
    assert getattr(logged_in(user), method)(url, data).status_code == 404
    assert getattr(logged_in(other_user), method)(url, data).status_code == 404
    assert TimesheetWeek.objects.get(pk=week.pk).state == WeekState.SUBMITTED


@pytest.mark.parametrize("index", range(1, 7))
def test_a_manager_of_another_team_gets_404(user, team, other_team, last_week, index):
    week = services.submit_week(user=user, week_start=last_week)
    method, url, data = manager_pages(team, user, week)[index]
    boss = other_team.managers.get()
    assert getattr(logged_in(boss), method)(url, data).status_code == 404
    assert TimesheetWeek.objects.get(pk=week.pk).state == WeekState.SUBMITTED


def test_a_manager_adds_and_removes_members(user, other_user, team, manager):
    client = logged_in(manager)
    url = reverse("worklog:team-detail", args=[team.pk])
    client.post(url, {"add": other_user.username})
    assert team.members.filter(pk=other_user.pk).exists()
    client.post(url, {"remove": str(other_user.pk)})
    assert not team.members.filter(pk=other_user.pk).exists()


def test_the_team_week_shows_hours_totals_and_states(user, other_user, team, manager, last_week):
    team.members.add(other_user)
    worked(user, last_week + timedelta(days=1), 9, 11)
    worked(other_user, last_week + timedelta(days=2), 9, 10)
    services.submit_week(user=user, week_start=last_week)
    page = (
        logged_in(manager)
        .get(f"{reverse('worklog:team-week', args=[team.pk])}?date={last_week:%Y-%m-%d}")
        .content.decode()
    )
    assert 'data-testid="state-alice">Submitted' in page
    assert 'data-testid="state-bob">Open' in page
    assert "2:00" in page and "1:00" in page


# Auth session and user (2), the header (HEADER_QUERIES), the team (1), its members (1), their
# sessions (1), their weeks (1).
TEAM_WEEK_QUERIES = 6 + HEADER_QUERIES


@pytest.mark.parametrize("size", [5, 50])
def test_team_week_query_count_is_fixed(
    django_assert_num_queries, django_user_model, team, manager, last_week, size
):
    for number in range(size):
        member = django_user_model.objects.create_user(username=f"member{number:02d}")
        team.members.add(member)
        worked(member, last_week + timedelta(days=number % 7), 9, 10)
        if number % 2:
            services.submit_week(user=member, week_start=last_week)
    client = logged_in(manager)
    url = f"{reverse('worklog:team-week', args=[team.pk])}?date={last_week:%Y-%m-%d}"
    with django_assert_num_queries(TEAM_WEEK_QUERIES):
        response = client.get(url)
    assert response.content.decode().count("data-member=") == size + 1


def test_a_manager_runs_the_timer_report_for_their_team_only(
    user, other_user, team, other_team, manager, last_week
):
    worked(user, last_week + timedelta(days=1), 9, 12)
    worked(other_user, last_week + timedelta(days=1), 9, 10)
    worked(manager, last_week + timedelta(days=1), 13, 14)
    client = logged_in(manager)
    query = {"period": "week", "date": f"{last_week:%Y-%m-%d}", "team": str(team.pk)}
    response = client.get(reverse("worklog:timer-report"), query)
    assert response.status_code == 200
    assert response.context["report"].total_seconds == 3 * 3600
    assert "Timer report: Field crew" in response.content.decode()
    download = client.get(reverse("worklog:timer-report-download"), {**query, "format": "csv"})
    assert download.status_code == 200
    rows = b"".join(download.streaming_content).decode().splitlines()
    day = last_week + timedelta(days=1)
    # The header and the member's session: not bob's (no member) nor the manager's own.
    assert rows[1:] == [f"{day:%Y-%m-%d},09:00,12:00,3.00,No target,No target,,,,"]
    for stranger_team in (other_team.pk, "not-a-uuid"):
        assert (
            client.get(
                reverse("worklog:timer-report"), {**query, "team": stranger_team}
            ).status_code
            == 404
        )
    assert logged_in(user).get(reverse("worklog:timer-report"), query).status_code == 404


def test_a_manager_sees_no_week_of_someone_outside_the_team(other_user, team, manager):
    url = reverse("worklog:team-member-week", args=[team.pk, other_user.pk])
    assert logged_in(manager).get(url).status_code == 404


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "yesterday"])
def test_a_bad_date_is_a_400_not_a_submission(user_client, user, team, manager, day):
    assert user_client.post(reverse("worklog:week-submit"), {"date": day}).status_code == 400
    url = reverse("worklog:team-week", args=[team.pk])
    assert logged_in(manager).get(url, {"date": day}).status_code == 400
    assert not TimesheetWeek.objects.exists()
