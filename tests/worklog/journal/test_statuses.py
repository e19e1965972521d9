"""What a work log's status means (seed 003's WorkLogStatus): a final log is read only until it
is reopened; an archived log is left out of the default list and of reports unless asked for;
reports filter by status."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.services import create_api_token
from worklog.journal.enrichment import (
    add_bullet,
    add_skill_signal,
    request_enrichment,
    review_bullet,
)
from worklog.journal.exceptions import WorkLogFinalError
from worklog.journal.reports import generate_report
from worklog.journal.selectors import report_data
from worklog.journal.services import (
    add_attachment,
    add_external_link,
    change_status,
    create_worklog,
    delete_worklog,
    update_worklog,
)
from worklog.models import WorkLog, WorkLogReport, WorkLogStatus

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
DAY = date(2026, 12, 2)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def make_log(user, title, status=WorkLogStatus.DRAFT, **fields):
    fields.setdefault("effort_minutes", 60)
    return create_worklog(
        user, occurred_on=DAY, title=title, content=title, status=status, **fields
    )


def url(name, *args):
    return reverse(f"worklog:{name}", args=args)


# Final logs are read only until reopened


def test_a_final_log_and_its_parts_cannot_change_until_reopened(user):
    worklog = make_log(user, "Shipped", WorkLogStatus.FINAL)
    bullet = add_bullet(make_log(user, "Other"), text="x")
    refused = [
        lambda: update_worklog(worklog, title="Changed"),
        lambda: delete_worklog(worklog),
        lambda: add_external_link(worklog, url="https://github.com/a/b/pull/1"),
        lambda: add_attachment(
            worklog,
            uploaded_by=user,
            upload=SimpleUploadedFile("a.txt", b"x", content_type="text/plain"),
        ),
        lambda: add_bullet(worklog, text="More"),
        lambda: add_skill_signal(worklog, name="SQL", kind="technical"),
        lambda: request_enrichment(worklog),
    ]
    for attempt in refused:
        with pytest.raises(WorkLogFinalError, match="reopen"):
            attempt()
    worklog.refresh_from_db()
    assert worklog.title == "Shipped" and not worklog.is_deleted
    assert not worklog.bullets.exists() and not worklog.external_links.exists()
    change_status(bullet.worklog, WorkLogStatus.FINAL)
    with pytest.raises(WorkLogFinalError):
        review_bullet(bullet, status="rejected")
    reopened = change_status(worklog, WorkLogStatus.DRAFT)
    assert reopened.status == WorkLogStatus.DRAFT
    assert update_worklog(worklog, title="Changed").title == "Changed"


def test_a_final_log_leaves_final_only_by_reopening_or_archiving(user):
    worklog = make_log(user, "Shipped", WorkLogStatus.FINAL)
    with pytest.raises(WorkLogFinalError):
        change_status(worklog, WorkLogStatus.READY)
    assert change_status(worklog, WorkLogStatus.ARCHIVED).status == WorkLogStatus.ARCHIVED
    with pytest.raises(ValidationError):
        change_status(worklog, "lost")


def test_a_log_is_made_final_by_an_edit_or_the_status_button(user):
    worklog = make_log(user, "Draft")
    assert update_worklog(worklog, status=WorkLogStatus.FINAL).status == WorkLogStatus.FINAL
    assert change_status(worklog, WorkLogStatus.DRAFT).status == WorkLogStatus.DRAFT
    assert change_status(worklog, WorkLogStatus.FINAL).status == WorkLogStatus.FINAL


def test_the_page_of_a_final_log_is_read_only_and_offers_reopen(user_client, user):
    worklog = make_log(user, "Shipped", WorkLogStatus.FINAL)
    page = user_client.get(url("journal-detail", worklog.pk)).content.decode()
    assert 'data-testid="read-only"' in page
    assert url("journal-edit", worklog.pk) not in page and "Add link" not in page
    assert 'value="draft"' in page  # the reopen button
    edit = user_client.get(url("journal-edit", worklog.pk))
    assert edit.status_code == 302 and edit["Location"] == url("journal-detail", worklog.pk)
    data = {"title": "x", "content": "x", "occurred_on": DAY, "effort_minutes": 0}
    data |= {"work_type": "delivery", "status": "draft"}
    assert user_client.post(url("journal-edit", worklog.pk), data).status_code == 409
    deleted = user_client.post(url("journal-delete", worklog.pk), headers=HTMX)
    assert deleted.status_code == 409 and "reopen" in deleted.content.decode().lower()
    enrich = user_client.post(url("journal-enrich", worklog.pk), headers=HTMX)
    assert enrich.status_code == 409
    link = user_client.post(url("journal-link-add", worklog.pk), {"url": "https://x.org/"})
    assert link.status_code == 409
    worklog.refresh_from_db()
    assert worklog.title == "Shipped" and not worklog.is_deleted
    assert not worklog.external_links.exists()
    reopened = user_client.post(url("journal-status", worklog.pk), {"status": "draft"})
    assert reopened.status_code == 302
    worklog.refresh_from_db()
    assert worklog.status == WorkLogStatus.DRAFT
    unknown = user_client.post(url("journal-status", worklog.pk), {"status": "nope"})
    assert unknown.status_code == 422


def test_status_change_is_hidden_from_another_user(user, assert_hidden_from_other_user):
    worklog = make_log(user, "Mine", WorkLogStatus.FINAL)
    assert_hidden_from_other_user(
        url("journal-status", worklog.pk), method="post", data={"status": "draft"}
    )
    worklog.refresh_from_db()
    assert worklog.status == WorkLogStatus.FINAL


def test_the_api_refuses_to_enrich_a_final_log(client, user):
    worklog = make_log(user, "Shipped", WorkLogStatus.FINAL)
    token = create_api_token(user=user, name="t")[1]
    response = client.post(
        f"/api/v1/journal/worklogs/{worklog.pk}/enrich",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 409 and response.json()["code"] == "worklog_final"
    worklog.refresh_from_db()
    assert worklog.enrichment_status == "pending" and not worklog.skill_signals.exists()


# Archived logs are hidden from the default list


def test_archived_logs_are_hidden_from_the_default_list(user_client, user):
    make_log(user, "Kept")
    make_log(user, "Put away", WorkLogStatus.ARCHIVED)
    listing = user_client.get(url("journal"), {"date": DAY.isoformat()}).content.decode()
    assert "Kept" in listing and "Put away" not in listing
    only = user_client.get(url("journal"), {"date": DAY.isoformat(), "status": "archived"})
    assert "Put away" in only.content.decode() and "Kept" not in only.content.decode()
    everything = user_client.get(url("journal"), {"date": DAY.isoformat(), "status": "all"})
    assert "Put away" in everything.content.decode() and "Kept" in everything.content.decode()


def test_archived_logs_are_hidden_from_the_api_list_unless_asked(client, user):
    make_log(user, "Kept")
    make_log(user, "Put away", WorkLogStatus.ARCHIVED)
    token = create_api_token(user=user, name="t")[1]
    headers = {"Authorization": f"Bearer {token}"}

    def titles(**query):
        response = client.get("/api/v1/journal/worklogs", query, headers=headers)
        assert response.status_code == 200, response.content
        return sorted(log["title"] for log in response.json())

    assert titles() == ["Kept"]
    assert titles(status="archived") == ["Put away"]
    assert titles(status="all") == ["Kept", "Put away"]
    refused = client.get("/api/v1/journal/worklogs", {"status": "x"}, headers=headers)
    assert refused.status_code == 422


# Reports filter by status and leave archived logs out unless asked


def test_reports_leave_archived_logs_out_unless_asked(user):
    make_log(user, "Draft work")
    make_log(user, "Final work", WorkLogStatus.FINAL)
    make_log(user, "Old work", WorkLogStatus.ARCHIVED)
    default = generate_report(user, kind="weekly", anchor=DAY)
    assert [log.title for log in report_data(default).worklogs] == ["Draft work", "Final work"]
    assert default.metadata["statuses"] == ["draft", "ready", "final"]
    assert "Statuses: Draft, Ready, Final" in default.content_md
    finals = generate_report(user, kind="weekly", anchor=DAY, statuses=["final"])
    assert [log.title for log in report_data(finals).worklogs] == ["Final work"]
    assert report_data(finals).totals["minutes"] == 60
    archived = generate_report(user, kind="weekly", anchor=DAY, statuses=["final", "archived"])
    assert [log.title for log in report_data(archived).worklogs] == ["Final work", "Old work"]
    with pytest.raises(ValidationError):
        generate_report(user, kind="weekly", anchor=DAY, statuses=[])
    with pytest.raises(ValidationError):
        generate_report(user, kind="weekly", anchor=DAY, statuses=["lost"])


def test_reports_page_and_api_filter_by_status(user_client, client, user):
    make_log(user, "Final work", WorkLogStatus.FINAL)
    make_log(user, "Draft work")
    data = {"kind": "weekly", "anchor": DAY.isoformat(), "statuses": ["final"]}
    response = user_client.post(url("journal-reports"), data)
    assert response.status_code == 302
    page = user_client.get(response["Location"]).content.decode()
    assert "Final work" in page and "Draft work" not in page
    form = user_client.get(url("journal-reports")).content.decode()
    assert 'name="statuses" id="id_statuses_4" value="archived"' in form
    refused = user_client.post(url("journal-reports"), {**data, "statuses": ["lost"]})
    assert refused.status_code == 422
    none_ticked = user_client.post(url("journal-reports"), {**data, "statuses": []})
    assert none_ticked.status_code == 302
    assert WorkLogReport.objects.latest("created_at").metadata["statuses"] == [
        "draft",
        "ready",
        "final",
    ]
    token = create_api_token(user=user, name="t")[1]
    created = client.post(
        "/api/v1/journal/reports",
        {"kind": "weekly", "anchor": DAY.isoformat(), "statuses": ["draft"]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201 and created.json()["metadata"]["statuses"] == ["draft"]
    assert created.json()["metadata"]["count"] == 1


def test_reports_made_before_the_status_filter_keep_their_logs(user):
    make_log(user, "Old work", WorkLogStatus.ARCHIVED)
    report = generate_report(user, kind="weekly", anchor=DAY, statuses=["archived"])
    report.metadata.pop("statuses")
    report.save()
    assert [log.title for log in report_data(report).worklogs] == ["Old work"]
    assert WorkLog.objects.count() == 1
