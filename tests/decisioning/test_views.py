import csv
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from decisioning.models import Decision, DecisionOutcome
from tests.conftest import HEADER_QUERIES
from tests.testapp.models import Widget
from tests.testapp_decisioning.models import Note, Secret, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.testapp_decisioning.urls")]

LIST = reverse("decisioning:decision-list", urlconf="tests.testapp_decisioning.urls")
EXPORT = reverse("decisioning:decision-export", urlconf="tests.testapp_decisioning.urls")


def record_url(target):
    content_type = ContentType.objects.get_for_model(target)
    return reverse("decisioning:record-decision", args=[content_type.pk, target.pk])


def make_decision(target, user, *, recorded, effective=None, **fields):
    """A decision recorded at `recorded` (system time), effective at `effective`."""
    with mock.patch("django.utils.timezone.now", return_value=recorded):
        return Decision.objects.create(
            target=target,
            decided_by=user,
            effective_at=effective or recorded,
            decision_type=fields.pop("decision_type", "refund"),
            **fields,
        )


def rows(response):
    return [decision.pk for decision in response.context["page"]]


# The log page


def test_list_shows_only_the_users_own_decisions(user_client, user, other_user, ticket):
    mine = Decision.objects.create(target=ticket, decision_type="refund", decided_by=user)
    Decision.objects.create(target=ticket, decision_type="refund", decided_by=other_user)
    response = user_client.get(LIST)
    assert response.status_code == 200
    assert rows(response) == [mine.pk]


def test_back_office_sees_every_decision(client, back_office_user, user, other_user, ticket):
    Decision.objects.create(target=ticket, decision_type="a", decided_by=user)
    Decision.objects.create(target=ticket, decision_type="b", decided_by=other_user)
    client.force_login(back_office_user)
    assert len(rows(client.get(LIST))) == 2


def test_soft_deleted_decisions_are_not_listed(user_client, decision):
    decision.delete()
    assert rows(user_client.get(LIST)) == []


def test_filters_by_type_outcome_target_type_and_reason(user_client, user, ticket):
    note = Note.objects.create(text="n", user=user)
    refund = Decision.objects.create(
        target=ticket,
        decision_type="refund",
        outcome="approved",
        decided_by=user,
        reason="Customer was double charged",
    )
    Decision.objects.create(
        target=ticket, decision_type="access", outcome="rejected", decided_by=user
    )
    on_note = Decision.objects.create(
        target=note, decision_type="refund", outcome="rejected", decided_by=user
    )
    assert rows(user_client.get(LIST, {"decision_type": "refund"})) == [
        on_note.pk,
        refund.pk,
    ] or set(rows(user_client.get(LIST, {"decision_type": "refund"}))) == {on_note.pk, refund.pk}
    assert set(rows(user_client.get(LIST, {"outcome": "rejected"}))) == {on_note.pk} | set(
        Decision.objects.filter(decision_type="access").values_list("pk", flat=True)
    )
    note_type = ContentType.objects.get_for_model(Note).pk
    assert rows(user_client.get(LIST, {"target_type": note_type})) == [on_note.pk]
    assert rows(user_client.get(LIST, {"q": "double"})) == [refund.pk]
    assert rows(user_client.get(LIST, {"decided_by": user.pk, "q": "DOUBLE"})) == [refund.pk]


def test_filters_by_effective_date_range(user_client, user, ticket):
    now = timezone.now()
    old = Decision.objects.create(
        target=ticket, decision_type="a", decided_by=user, effective_at=now - timedelta(days=10)
    )
    recent = Decision.objects.create(
        target=ticket, decision_type="a", decided_by=user, effective_at=now - timedelta(days=1)
    )
    start = (now - timedelta(days=3)).date().isoformat()
    end = now.date().isoformat()
    assert rows(user_client.get(LIST, {"effective_from": start, "effective_to": end})) == [
        recent.pk
    ]
    before = (now - timedelta(days=5)).date().isoformat()
    assert rows(user_client.get(LIST, {"effective_to": before})) == [old.pk]


def test_time_travel_effective_as_of_and_as_known_at(user_client, user, ticket):
    now = timezone.now()
    # Recorded 5 days ago, effective 5 days ago.
    early = make_decision(ticket, user, recorded=now - timedelta(days=5))
    # Recorded yesterday but backdated to 4 days ago.
    backdated = make_decision(
        ticket, user, recorded=now - timedelta(days=1), effective=now - timedelta(days=4)
    )
    # Recorded and effective 2 days ago.
    middle = make_decision(ticket, user, recorded=now - timedelta(days=2))

    def at(delta):
        return timezone.localtime(now - delta).strftime("%Y-%m-%dT%H:%M")

    as_of = rows(user_client.get(LIST, {"as_of": at(timedelta(days=3))}))
    assert set(as_of) == {early.pk, backdated.pk}
    known = rows(user_client.get(LIST, {"known_at": at(timedelta(days=3))}))
    assert known == [early.pk]
    both = rows(
        user_client.get(LIST, {"as_of": at(timedelta(days=3)), "known_at": at(timedelta(hours=36))})
    )
    assert both == [early.pk]
    assert middle.pk not in both


def test_superseded_marker_follows_as_known_at(user_client, user, ticket):
    now = timezone.now()
    first = make_decision(ticket, user, recorded=now - timedelta(days=3))
    make_decision(
        ticket, user, recorded=now - timedelta(days=1), supersedes=first, outcome="rejected"
    )
    page = user_client.get(LIST).context["page"]
    assert {d.pk: d.is_superseded for d in page}[first.pk] is True
    known = timezone.localtime(now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page = user_client.get(LIST, {"known_at": known}).context["page"]
    assert [(d.pk, d.is_superseded) for d in page] == [(first.pk, False)]


def test_superseded_marker_follows_effective_as_of(user_client, user, ticket):
    now = timezone.now()
    first = make_decision(ticket, user, recorded=now - timedelta(days=3))
    make_decision(
        ticket, user, recorded=now - timedelta(days=1), supersedes=first, outcome="rejected"
    )
    as_of = timezone.localtime(now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = user_client.get(LIST, {"as_of": as_of})
    assert [(d.pk, d.is_superseded) for d in response.context["page"]] == [(first.pk, False)]
    assert "superseded" not in response.content.decode().split('data-testid="decision-table"')[1]


@pytest.mark.parametrize(
    "params",
    [
        {"outcome": "maybe"},
        {"decision_type": "no-such-type"},
        {"decided_by": "999999"},
        {"decided_by": "abc"},
        {"target_type": "999999"},
        {"effective_from": "2026-13-45"},
        {"as_of": "yesterday-ish"},
        {"known_at": "2026-02-30T10:00"},
        {"effective_from": "2026-05-10", "effective_to": "2026-05-01"},
    ],
)
def test_bad_filters_answer_400_with_a_message(user_client, decision, params):
    response = user_client.get(LIST, params)
    assert response.status_code == 400
    assert b"These filters cannot be applied" in response.content
    export = user_client.get(EXPORT, params)
    assert export.status_code == 400
    assert export.content.startswith(b"Invalid filter")


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize(
    "params",
    [
        {"effective_from": "0001-01-01"},
        {"effective_to": "9999-12-31"},
        {"as_of": "0001-01-01T00:00"},
        {"as_of": "9999-12-31T23:59"},
        {"known_at": "0001-01-01T00:00"},
        {"known_at": "9999-12-31T23:59"},
    ],
)
def test_dates_at_the_ends_of_the_calendar_answer_400_not_500(
    user_client, user, decision, params, zone
):
    user.time_zone = zone
    user.save()
    response = user_client.get(LIST, params)
    assert response.status_code == 400
    assert b"between the years" in response.content
    assert user_client.get(EXPORT, params).status_code == 400


@pytest.mark.parametrize("field", ["as_of", "known_at"])
@pytest.mark.parametrize("offset", ["+22:01", "-16:00"])
def test_time_travel_with_an_offset_beyond_fourteen_hours_answers_400_not_500(
    user_client, decision, field, offset
):
    params = {field: f"2026-01-01T00:00{offset}"}
    response = user_client.get(LIST, params)
    assert response.status_code == 400
    assert b"time-zone offset between -14:00 and +14:00" in response.content
    assert user_client.get(EXPORT, params).status_code == 400


@pytest.mark.parametrize("offset", ["+22:01", "-16:00"])
def test_effective_time_with_an_offset_beyond_fourteen_hours_is_a_form_error(
    user_client, ticket, offset
):
    data = {
        "decision_type": "refund",
        "outcome": "approved",
        "effective_at": f"2026-01-01T00:00{offset}",
    }
    response = user_client.post(record_url(ticket), data)
    assert response.status_code == 422
    assert "time-zone offset between -14:00 and +14:00" in response.content.decode()
    assert not Decision.objects.exists()


def test_out_of_range_page_shows_last_page(user_client, decision):
    response = user_client.get(LIST, {"page": "999"})
    assert response.status_code == 200
    assert rows(response) == [decision.pk]


def test_pagination(user_client, user, ticket):
    Decision.objects.bulk_create(
        [Decision(target=ticket, decision_type=f"t{i}", decided_by=user) for i in range(30)]
    )
    first = user_client.get(LIST)
    assert len(rows(first)) == 25
    assert len(rows(user_client.get(LIST, {"page": 2}))) == 5
    assert b'rel="next"' in first.content


def create_many(user, count, targets):
    Decision.objects.bulk_create(
        [
            Decision(
                target=targets[i % len(targets)],
                target_repr=str(targets[i % len(targets)]),
                decision_type=f"type{i % 3}",
                decided_by=user,
                reason=f"reason {i}",
                outcome=DecisionOutcome.values[i % 5],
            )
            for i in range(count)
        ]
    )


@pytest.mark.parametrize("count", [5, 200])
def test_log_page_query_count_does_not_grow_with_rows_or_target_types(
    user_client, user, count, django_assert_num_queries
):
    targets = [
        Ticket.objects.create(title="t", owner=user),
        Note.objects.create(text="n", user=user),
        Secret.objects.create(text="s"),
        Widget.objects.create(name="w"),
        Group.objects.create(name="g"),
        user,
    ]
    create_many(user, count, targets)
    # session, user, the user's permissions, decision types, count, page of decisions,
    # decided-by choices, target-type choices; targets are named by their target_repr, so
    # six target types cost nothing more.
    with django_assert_num_queries(8 + HEADER_QUERIES):
        response = user_client.get(LIST)
    assert response.status_code == 200
    assert len(rows(response)) == min(count, 25)
    # Each row names its target, as a link where the target's kind has a page.
    assert response.content.decode().count('data-testid="decision-target') == min(count, 25)


@pytest.mark.parametrize("count", [5, 200])
def test_log_page_query_count_with_filters(user_client, user, count, django_assert_num_queries):
    targets = [Ticket.objects.create(title="t", owner=user)]
    create_many(user, count, targets)
    params = {
        "decided_by": user.pk,
        "target_type": ContentType.objects.get_for_model(Ticket).pk,
        "known_at": "2999-01-01T00:00",
        "q": "reason",
    }
    # As above, plus validating the two model choices.
    with django_assert_num_queries(10 + HEADER_QUERIES):
        response = user_client.get(LIST, params)
    assert response.status_code == 200


def test_csv_export_streams_the_filtered_list(user_client, user, ticket):
    Decision.objects.create(
        target=ticket, decision_type="refund", decided_by=user, reason='yes, "quoted"'
    )
    Decision.objects.create(target=ticket, decision_type="access", decided_by=user)
    response = user_client.get(EXPORT, {"decision_type": "refund"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert table[0][:5] == ["id", "effective_at", "recorded_at", "decision_type", "outcome"]
    assert len(table) == 2
    assert table[1][3] == "refund"
    assert table[1][7] == "Refund for order 42"
    assert table[1][9] == 'yes, "quoted"'


@pytest.mark.parametrize("count", [5, 200])
def test_csv_export_query_count_does_not_grow_with_rows(
    user_client, user, count, django_assert_num_queries
):
    create_many(user, count, [Ticket.objects.create(title="t", owner=user)])
    # session, user, the user's permissions, decision types, one chunk of rows.
    with django_assert_num_queries(5):
        response = user_client.get(EXPORT)
        lines = b"".join(response.streaming_content).splitlines()
    assert len(lines) == count + 1


def test_csv_export_neutralises_spreadsheet_formulas(user_client, user, ticket):
    Decision.objects.create(
        target=ticket, decision_type="refund", decided_by=user, reason='=HYPERLINK("x")'
    )
    table = list(
        csv.reader(io.StringIO(b"".join(user_client.get(EXPORT).streaming_content).decode()))
    )
    assert table[1][9] == '\'=HYPERLINK("x")'


def test_csv_export_only_contains_visible_decisions(client, other_user, decision):
    client.force_login(other_user)
    table = b"".join(client.get(EXPORT).streaming_content).decode().splitlines()
    assert len(table) == 1


# Detail


def test_detail_page(user_client, decision):
    response = user_client.get(decision.get_absolute_url())
    assert response.status_code == 200
    assert b"Refund for order 42" in response.content
    assert b"Correct this decision" in response.content


def test_detail_hidden_from_other_user(decision, assert_hidden_from_other_user):
    assert_hidden_from_other_user(decision.get_absolute_url())


def test_detail_of_unknown_or_malformed_id_is_404(user_client):
    assert user_client.get("/decisions/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert user_client.get("/decisions/not-a-uuid/").status_code == 404


def test_detail_shows_correction_links(user_client, user, ticket, decision):
    correction = Decision.objects.create(
        target=ticket,
        decision_type="refund",
        outcome="rejected",
        decided_by=user,
        supersedes=decision,
    )
    page = user_client.get(decision.get_absolute_url()).content.decode()
    assert correction.get_absolute_url() in page
    assert "Correct this decision" not in page
    page = user_client.get(correction.get_absolute_url()).content.decode()
    assert decision.get_absolute_url() in page


def test_back_office_user_sees_others_decisions(client, back_office_user, decision):
    client.force_login(back_office_user)
    assert client.get(decision.get_absolute_url()).status_code == 200


# Recording from the target's own page


def test_target_page_includes_the_decision_panel(user_client, ticket, decision):
    response = user_client.get(ticket.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="decision-panel"' in html
    assert record_url(ticket) in html
    assert 'name="idempotency_key"' in html
    assert decision.get_absolute_url() in html


def test_record_decision_with_htmx_returns_the_panel(user_client, user, ticket):
    response = user_client.post(
        record_url(ticket),
        {
            "decision_type": "refund",
            "outcome": "approved",
            "reason": "fine",
            "idempotency_key": "k-1",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    decision = Decision.objects.get()
    assert decision.target == ticket
    assert decision.decided_by == user
    assert decision.get_absolute_url() in response.content.decode()
    assert b'id="messages"' in response.content


def panel_list_id(target):
    content_type = ContentType.objects.get_for_model(target)
    return f"decisions-{content_type.pk}-{target.pk}-list"


def test_record_decision_with_htmx_prepends_only_the_new_row(user_client, user, ticket, decision):
    response = user_client.post(
        record_url(ticket),
        {"decision_type": "refund", "outcome": "approved", "idempotency_key": "k-row"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    recorded = Decision.objects.exclude(pk=decision.pk).get()
    assert f'hx-swap-oob="afterbegin:#{panel_list_id(ticket)}"' in html
    assert html.count("<li") == 1
    assert recorded.get_absolute_url() in html
    assert decision.get_absolute_url() not in html
    # A fresh form, with a new key, replaces the one that was sent.
    assert 'data-testid="decision-form"' in html
    assert 'data-testid="decision-panel"' not in html
    assert 'name="idempotency_key"' in html and 'value="k-row"' not in html


def test_backdated_decision_with_htmx_sends_the_whole_list_in_order(
    user_client, user, ticket, decision
):
    long_ago = decision.effective_at - timedelta(days=30)
    response = user_client.post(
        record_url(ticket),
        {
            "decision_type": "chargeback",
            "outcome": "rejected",
            "effective_at": timezone.localtime(long_ago).strftime("%Y-%m-%dT%H:%M"),
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    backdated = Decision.objects.get(decision_type="chargeback")
    assert f'id="{panel_list_id(ticket)}"' in html
    assert 'hx-swap-oob="true"' in html
    assert html.index(decision.get_absolute_url()) < html.index(backdated.get_absolute_url())


def test_invalid_htmx_form_answers_only_the_form(user_client, ticket, decision):
    response = user_client.post(
        record_url(ticket),
        {"decision_type": "", "outcome": "rejected"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="decision-form"' in html
    assert '<option value="rejected" selected>' in html
    assert '<option value="approved">' in html
    assert "This field is required" in html
    assert 'data-testid="target-decisions"' not in html


def test_record_decision_can_be_backdated(user_client, ticket):
    last_week = timezone.localtime(timezone.now() - timedelta(days=7)).replace(
        second=0, microsecond=0
    )
    user_client.post(
        record_url(ticket),
        {
            "decision_type": "refund",
            "outcome": "approved",
            "effective_at": last_week.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    decision = Decision.objects.get()
    assert decision.effective_at == last_week
    assert decision.recorded_at > last_week + timedelta(days=6)


def test_recorded_at_cannot_be_set_through_the_form(user_client, ticket):
    user_client.post(
        record_url(ticket),
        {"decision_type": "refund", "outcome": "approved", "recorded_at": "2000-01-01T00:00"},
    )
    assert Decision.objects.get().recorded_at.year > 2000


def test_future_effective_at_is_a_form_error(user_client, ticket):
    tomorrow = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = user_client.post(
        record_url(ticket),
        {"decision_type": "refund", "outcome": "approved", "effective_at": tomorrow},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert b"cannot be in the future" in response.content
    assert not Decision.objects.exists()


def test_invalid_form_without_htmx_renders_a_page(user_client, ticket):
    response = user_client.post(record_url(ticket), {"decision_type": "", "outcome": "nope"})
    assert response.status_code == 422
    assert b"<html" in response.content
    assert b"This field is required" in response.content


def test_plain_form_redirects_to_the_target_page(user_client, ticket):
    response = user_client.post(
        record_url(ticket), {"decision_type": "refund", "outcome": "approved"}
    )
    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()


def test_correction_supersedes_and_links(user_client, ticket, decision):
    response = user_client.post(
        record_url(ticket),
        {"decision_type": "refund", "outcome": "rejected", "supersedes": decision.pk},
        headers={"HX-Request": "true"},
    )
    correction = Decision.objects.exclude(pk=decision.pk).get()
    assert correction.supersedes == decision
    assert response["HX-Redirect"] == correction.get_absolute_url()
    decision.refresh_from_db()
    assert decision.outcome == "approved"


def test_a_decision_is_corrected_only_once(user_client, ticket, decision):
    data = {"decision_type": "refund", "outcome": "rejected", "supersedes": decision.pk}
    user_client.post(record_url(ticket), data)
    response = user_client.post(record_url(ticket), data)
    assert response.status_code == 422
    assert b"already corrected" in response.content
    assert Decision.objects.count() == 2


def test_correction_must_be_about_the_same_target(user_client, user, decision):
    other = Ticket.objects.create(title="Other", owner=user)
    response = user_client.post(
        record_url(other), {"decision_type": "x", "outcome": "approved", "supersedes": decision.pk}
    )
    assert response.status_code == 422
    assert Decision.objects.count() == 1


def test_cannot_supersede_someone_elses_decision(client, other_user, back_office_user, ticket):
    theirs = Decision.objects.create(target=ticket, decision_type="x", decided_by=back_office_user)
    ticket.owner = other_user
    ticket.save()
    client.force_login(other_user)
    response = client.post(
        record_url(ticket), {"decision_type": "x", "outcome": "approved", "supersedes": theirs.pk}
    )
    assert response.status_code == 422
    assert Decision.objects.count() == 1


def test_record_decision_hidden_from_other_user(ticket, assert_hidden_from_other_user):
    assert_hidden_from_other_user(
        record_url(ticket), method="post", data={"decision_type": "x", "outcome": "approved"}
    )
    assert not Decision.objects.exists()


def test_unknown_targets_are_404(user_client, user):
    secret = Secret.objects.create(text="s")
    note = Note.objects.create(text="n", user=user)
    data = {"decision_type": "x", "outcome": "approved"}
    note_type = ContentType.objects.get_for_model(Note).pk
    assert user_client.post(record_url(secret), data).status_code == 404
    assert user_client.post("/decisions/record/999999/1/", data).status_code == 404
    assert user_client.post(f"/decisions/record/{note_type}/999999/", data).status_code == 404
    assert user_client.post(f"/decisions/record/{note_type}/abc/", data).status_code == 404
    assert user_client.post(record_url(note), data).status_code == 302
    assert Decision.objects.count() == 1


def test_back_office_may_record_about_any_target(client, back_office_user):
    secret = Secret.objects.create(text="s")
    client.force_login(back_office_user)
    response = client.post(record_url(secret), {"decision_type": "x", "outcome": "approved"})
    assert response.status_code == 302
    assert Decision.objects.get().target == secret


def test_user_may_record_about_themself(user_client, user):
    assert (
        user_client.post(
            record_url(user), {"decision_type": "x", "outcome": "approved"}
        ).status_code
        == 302
    )


def test_record_view_rejects_get(user_client, ticket):
    assert user_client.get(record_url(ticket)).status_code == 405


def test_double_submitted_form_records_one_decision(user_client, ticket):
    data = {"decision_type": "refund", "outcome": "approved", "idempotency_key": "form-render-1"}
    first = user_client.post(record_url(ticket), data)
    second = user_client.post(record_url(ticket), data)
    assert Decision.objects.count() == 1
    assert (second.status_code, second["Location"]) == (first.status_code, first["Location"])
    assert second["Idempotent-Replayed"] == "true"


def test_decision_form_renders_nothing_for_a_target_the_user_may_not_see(rf, other_user, ticket):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = other_user
    rendered = Template("{% load decisioning %}{% decision_form ticket %}").render(
        Context({"request": request, "ticket": ticket})
    )
    assert rendered.strip() == ""


def test_correction_form_is_prefilled_with_the_decision_type(user_client, decision):
    html = user_client.get(decision.get_absolute_url()).content.decode()
    assert 'name="decision_type" value="refund"' in html
    assert f'name="supersedes" value="{decision.pk}"' in html


# Targets: named by the text kept at record time, resolved only when followed


def target_link(decision):
    return reverse("decisioning:decision-target", args=[decision.pk])


def test_decision_keeps_the_targets_name_as_it_was(user_client, user):
    ticket = Ticket.objects.create(title="Refund for order 7", owner=user)
    decision = Decision.objects.create(target=ticket, decision_type="refund", decided_by=user)
    assert decision.target_repr == "Refund for order 7"
    ticket.title = "Renamed"
    ticket.save()
    html = user_client.get(LIST).content.decode()
    assert "Refund for order 7" in html and target_link(decision) in html


def test_target_link_redirects_to_the_targets_page(user_client, user):
    ticket = Ticket.objects.create(title="t", owner=user)
    decision = Decision.objects.create(target=ticket, decision_type="refund", decided_by=user)
    response = user_client.get(target_link(decision))
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()


def test_target_without_a_page_is_named_without_a_link(user_client, user):
    about_user = Decision.objects.create(target=user, decision_type="access", decided_by=user)
    html = user_client.get(LIST).content.decode()
    assert target_link(about_user) not in html
    assert 'data-testid="decision-target-name">alice<' in html


def test_target_link_is_404_for_a_target_the_viewer_cannot_see(user_client, user):
    secret = Secret.objects.create(text="s")
    decision = Decision.objects.create(target=secret, decision_type="x", decided_by=user)
    assert user_client.get(target_link(decision)).status_code == 404


def test_target_link_is_404_for_a_deleted_target_whose_name_stays_in_the_log(user_client, user):
    ticket = Ticket.objects.create(title="Gone soon", owner=user)
    decision = Decision.objects.create(target=ticket, decision_type="x", decided_by=user)
    ticket.delete()
    assert user_client.get(target_link(decision)).status_code == 404
    assert "Gone soon" in user_client.get(LIST).content.decode()


def test_target_link_of_another_users_decision_is_404(user, assert_hidden_from_other_user):
    ticket = Ticket.objects.create(title="t", owner=user)
    decision = Decision.objects.create(target=ticket, decision_type="x", decided_by=user)
    assert_hidden_from_other_user(target_link(decision))


def test_recorded_at_is_still_protected_after_the_target_repr_migration(user):
    ticket = Ticket.objects.create(title="t", owner=user)
    decision = Decision.objects.create(target=ticket, decision_type="x", decided_by=user)
    with pytest.raises(DatabaseError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(
            recorded_at=timezone.now() - timedelta(days=1)
        )


@pytest.mark.parametrize("existing", [1, 30])
def test_record_decision_query_count_does_not_grow_with_decisions(
    user_client, user, ticket, existing, django_assert_num_queries
):
    create_many(user, existing, [ticket])
    data = {"decision_type": "refund", "outcome": "approved", "idempotency_key": "k-count"}
    # session, user, claim the key (3: in a savepoint, as the test runs in a transaction),
    # savepoint, lock the key, the user's permissions, the target, the decision (no savepoint of
    # its own), complete the key, release; the answer prepends the new row, so the list is not
    # read again.
    with django_assert_num_queries(12):
        first = user_client.post(record_url(ticket), data, headers={"HX-Request": "true"})
    # session, user, the claim that conflicts (4, in its savepoint), the stored answer.
    with django_assert_num_queries(7):
        replay = user_client.post(record_url(ticket), data, headers={"HX-Request": "true"})
    assert first.status_code == replay.status_code == 200
    assert replay["Idempotent-Replayed"] == "true"
