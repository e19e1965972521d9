"""Teams and approval in a real browser: a member submits, a manager rejects with a note, the
member fixes and resubmits, another manager approves; the member's correction, delete, added
time and backdated start inside the week are refused with clear messages, and so is the
admin's change; an administrator unlocks with a reason, which shows in the decision trail. axe
checks the new pages."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from decisioning.models import Decision
from tests.conftest import PASSWORD
from worklog.teams.locks import REFUSAL_DECISION
from worklog.teams.models import Team, TimesheetWeek, WeekState
from worklog.teams.selectors import week_start
from worklog.timer import services
from worklog.timer.models import WorkSession

from .conftest import screenshot, sign_in
from .test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(django_user_model, user):
    carol = django_user_model.objects.create_user(username="carol", password=PASSWORD)
    dave = django_user_model.objects.create_user(username="dave", password=PASSWORD)
    root = django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    team = Team.objects.create(name="Field crew")
    team.members.add(user)
    team.managers.add(carol, dave)
    return {"carol": carol, "dave": dave, "root": root, "team": team}


def as_user(browser, live_server, person, **options):
    page = browser.new_context(**options).new_page()
    sign_in(page, live_server, person)
    return page


def local(user, day, hour):
    return datetime.combine(day, time(hour), tzinfo=user.zone)


def test_submit_reject_resubmit_approve_refuse_and_unlock(
    browser, live_server, user, people, problems
):
    today = timezone.localdate(timezone=user.zone)
    monday = week_start(today, user.week_start) - timedelta(days=7)
    tuesday = monday + timedelta(days=1)
    morning = services.add_session(
        user=user, started_at=local(user, tuesday, 9), stopped_at=local(user, tuesday, 11)
    )
    week_url = f"{live_server.url}{reverse('worklog:timer-week')}?date={monday:%Y-%m-%d}"
    team = people["team"]

    # The member submits.
    alice = as_user(browser, live_server, user)
    alice.goto(live_server.url + reverse("worklog:timer-week"))
    expect(alice.get_by_test_id("submit-reminder")).to_be_visible()
    alice.get_by_test_id("submit-reminder").get_by_role("link").click()
    alice.get_by_role("button", name="Submit the week").click()
    expect(alice.get_by_test_id("week-state")).to_have_text("Submitted")

    # A manager rejects with a note.
    carol = as_user(browser, live_server, people["carol"])
    carol.goto(f"{live_server.url}{reverse('worklog:team-week', args=[team.pk])}?date={monday}")
    expect(carol.get_by_test_id("state-alice")).to_have_text("Submitted")
    screenshot(carol, "approvals-team-week")
    carol.get_by_role("link", name="alice").click()
    carol.get_by_label("Note for alice").fill("Tuesday afternoon is missing")
    carol.get_by_role("button", name="Reject").click()
    expect(carol.get_by_test_id("state-alice")).to_have_text("Rejected")

    # The member sees the note, adds the afternoon and resubmits.
    alice.goto(week_url)
    expect(alice.get_by_test_id("rejection-note")).to_contain_text("Tuesday afternoon is missing")
    alice.get_by_role("link", name="Add time").first.click()
    alice.fill("#id_started_at", f"{tuesday:%Y-%m-%d}T13:00")
    alice.fill("#id_stopped_at", f"{tuesday:%Y-%m-%d}T16:00")
    alice.get_by_role("button", name="Add time").click()
    expect(alice.get_by_test_id("week-total")).to_have_text("5:00")
    alice.get_by_role("button", name="Resubmit the week").click()
    expect(alice.get_by_test_id("week-state")).to_have_text("Submitted")

    # Another manager approves.
    dave = as_user(browser, live_server, people["dave"])
    member_week = reverse("worklog:team-member-week", args=[team.pk, user.pk])
    dave.goto(f"{live_server.url}{member_week}?date={monday}")
    dave.get_by_role("button", name="Approve").click()
    expect(dave.get_by_test_id("state-alice")).to_have_text("Approved")
    assert TimesheetWeek.objects.get(user=user).state == WeekState.APPROVED
    before = list(WorkSession.all_objects.order_by("pk").values())

    # The member's changes inside the week are refused, each with a clear message.
    alice.goto(week_url)
    expect(alice.get_by_test_id("week-state")).to_have_text("Approved")
    row = alice.locator(f"[data-session='{morning.pk}']")
    row.get_by_role("link", name="Correct").click()
    alice.fill("#correction_stopped_at", f"{tuesday:%Y-%m-%d}T10:30")
    alice.get_by_role("button", name="Save correction").click()
    expect(alice.get_by_text("was approved and is locked")).to_be_visible()
    alice.goto(week_url)
    alice.locator(f"[data-session='{morning.pk}']").get_by_role("button", name="Delete").click()
    expect(alice.get_by_text("Could not delete the session")).to_be_visible()
    alice.goto(f"{live_server.url}{reverse('worklog:session-add')}?date={tuesday}")
    alice.fill("#id_started_at", f"{tuesday:%Y-%m-%d}T18:00")
    alice.fill("#id_stopped_at", f"{tuesday:%Y-%m-%d}T19:00")
    alice.get_by_role("button", name="Add time").click()
    expect(alice.get_by_text("adding time is refused")).to_be_visible()
    alice.goto(live_server.url + reverse("worklog:dashboard"))
    alice.get_by_role("region", name="No session running").get_by_role("button").click()
    moved = alice.get_by_test_id("move-start")
    moved.get_by_label("Started at").fill(f"{tuesday:%Y-%m-%d}T17:00")
    moved.get_by_role("button", name="Set start").click()
    expect(alice.get_by_text("moving a running session's start is refused")).to_be_visible()
    services.stop_session(user)
    screenshot(alice, "approvals-refused-backdated-start")

    # The admin's change is refused too.
    root = as_user(browser, live_server, people["root"])
    root.goto(live_server.url + reverse("admin:worklog_worksession_change", args=[morning.pk]))
    root.fill("#id_notes", "Changed by the admin")
    root.get_by_role("button", name="Save", exact=True).click()
    expect(root.get_by_text("was approved and is locked")).to_be_visible()
    after = [row for row in WorkSession.all_objects.order_by("pk").values() if row["stopped_at"]]
    assert [r for r in after if r["started_at"] < local(user, monday, 0) + timedelta(days=7)] == [
        r for r in before if r["started_at"] < local(user, monday, 0) + timedelta(days=7)
    ]
    assert Decision.objects.filter(decision_type=REFUSAL_DECISION).count() == 5

    # An administrator unlocks with a reason; the trail shows it.
    root.goto(f"{live_server.url}{member_week}?date={monday}")
    root.get_by_label("Reason for unlocking").fill("Payroll correction approved by HR")
    root.get_by_role("button", name="Unlock the week").click()
    alice.goto(week_url)
    trail = alice.get_by_test_id("decision-trail")
    expect(trail).to_contain_text("Unlocked by root: Payroll correction approved by HR")
    expect(trail).to_contain_text("Approved by dave")
    expect(trail).to_contain_text("Rejected by carol: Tuesday afternoon is missing")
    expect(trail).to_contain_text("Change refused")
    expect(alice.get_by_test_id("week-state")).to_have_text("Open")
    expect(alice.get_by_role("button", name="Submit the week")).to_be_visible()
    screenshot(alice, "approvals-unlocked-trail")

    # The refusals answered 409 or 422 on purpose.
    problems.errors = [
        error for error in problems.errors if " 409" not in error and " 422" not in error
    ]


def test_the_approval_pages_have_no_serious_accessibility_violations(
    browser, live_server, user, people
):
    team = people["team"]
    today = timezone.localdate(timezone=user.zone)
    monday = week_start(today, user.week_start) - timedelta(days=7)
    services.add_session(
        user=user,
        started_at=local(user, monday, 9),
        stopped_at=local(user, monday, 10),
    )
    from worklog.teams import services as teams

    week = teams.submit_week(user=user, week_start=monday)
    teams.reject_week(week=week, manager=people["carol"], note="Add the afternoon")
    found = {}
    for person, urls in [
        (user, [f"{reverse('worklog:timer-week')}?date={monday}"]),
        (
            people["carol"],
            [
                reverse("worklog:teams"),
                reverse("worklog:team-detail", args=[team.pk]),
                f"{reverse('worklog:team-week', args=[team.pk])}?date={monday}",
                f"{reverse('worklog:timer-report')}?team={team.pk}",
            ],
        ),
    ]:
        for width in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
            page = as_user(browser, live_server, person, bypass_csp=True, viewport=width)
            for url in urls:
                page.goto(live_server.url + url)
                if violations := serious_violations(page):
                    found[f"{url} at {width['width']}"] = violations
            page.context.close()
    assert found == {}, found
