"""The journal's JSON API: list and create work logs, request their enrichment, generate
reports. Ids of clients, projects and the levels below are the user's own or a 404; an
inconsistent hierarchy or a bad period is a 422 with the reasons per field."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from config.api import ApiError, Error, PlainText, SupportedDate
from worklog.journal import enrichment, reports, selectors, services
from worklog.journal.exceptions import WorkLogFinalError
from worklog.journal.models import (
    Client,
    Epic,
    Feature,
    Project,
    ReportCreatedVia,
    ReportKind,
    Sprint,
    Story,
    Task,
    WorkLogSource,
    WorkLogStatus,
    WorkType,
)

router = Router(tags=["journal"])

MAX_LISTED_WORKLOGS = 1000
NODE_MODELS = {
    "client": Client,
    "project": Project,
    "sprint": Sprint,
    "epic": Epic,
    "feature": Feature,
    "story": Story,
    "task": Task,
}


class WorkLogOut(Schema):
    id: UUID
    occurred_on: date
    title: str
    content: str
    outcome: str
    impact: str
    next_steps: str
    effort_minutes: int
    hours: float
    work_type: str
    status: str
    is_billable: bool
    tags: list[str]
    source: str
    client_id: UUID | None
    project_id: UUID | None
    sprint_id: UUID | None
    epic_id: UUID | None
    feature_id: UUID | None
    story_id: UUID | None
    task_id: UUID | None
    enrichment_status: str
    enrichment_error: str
    ai_summary: str
    created_at: datetime


class WorkLogIn(Schema):
    occurred_on: SupportedDate
    content: PlainText = Field(min_length=1, max_length=20000)
    title: PlainText = Field("", max_length=200)
    outcome: PlainText = Field("", max_length=5000)
    impact: PlainText = Field("", max_length=5000)
    next_steps: PlainText = Field("", max_length=5000)
    effort_minutes: int = Field(0, ge=0, le=24 * 60)
    work_type: WorkType = WorkType.DELIVERY
    status: WorkLogStatus = WorkLogStatus.DRAFT
    is_billable: bool = False
    tags: list[PlainText] = Field(default_factory=list, max_length=50)
    client: UUID | None = None
    project: UUID | None = None
    sprint: UUID | None = None
    epic: UUID | None = None
    feature: UUID | None = None
    story: UUID | None = None
    task: UUID | None = None


class WorkLogQuery(Schema):
    start: SupportedDate | None = Field(None, alias="from")
    end: SupportedDate | None = Field(None, alias="to")
    status: WorkLogStatus | Literal["all"] | None = Field(
        None, description="Only logs of this status, or `all`; by default all but archived ones."
    )


class ReportIn(Schema):
    kind: ReportKind = ReportKind.WEEKLY
    anchor: SupportedDate | None = None
    period_start: SupportedDate | None = None
    period_end: SupportedDate | None = None
    client: UUID | None = None
    project: UUID | None = None
    sprint: UUID | None = None
    title: PlainText = Field("", max_length=200)
    statuses: list[WorkLogStatus] | None = Field(
        None,
        min_length=1,
        description="The statuses of the logs reported on; by default all but archived.",
    )


class ReportOut(Schema):
    id: UUID
    kind: str
    title: str
    period_start: date
    period_end: date
    client_id: UUID | None
    project_id: UUID | None
    sprint_id: UUID | None
    content_md: str
    metadata: dict


def _own_nodes(request: HttpRequest, payload: Schema, names) -> dict:
    """The payload's hierarchy ids as the user's own objects; 404 for anything else."""
    nodes = {}
    for name in names:
        pk = getattr(payload, name)
        if pk is None:
            nodes[name] = None
            continue
        node = NODE_MODELS[name].objects.for_user(request.user).filter(pk=pk).first()
        if node is None:
            raise ApiError(404, "not_found", f"No {name} {pk} of yours.")
        nodes[name] = node
    return nodes


def _invalid(error: ValidationError) -> ApiError:
    problems = "; ".join(
        f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
    )
    return ApiError(422, "invalid_input", problems)


@router.get("/worklogs", response=list[WorkLogOut], summary="Work logs, by day")
def worklogs(request: HttpRequest, filters: Query[WorkLogQuery]):
    found = selectors.worklogs_for(request.user)
    if filters.start and filters.end and filters.end < filters.start:
        raise ApiError(422, "invalid_range", "'to' must not be before 'from'.")
    if filters.start:
        found = found.filter(occurred_on__gte=filters.start)
    if filters.end:
        found = found.filter(occurred_on__lte=filters.end)
    found = selectors.filter_by_status(found, filters.status)
    return list(found.order_by("-occurred_on", "-created_at")[:MAX_LISTED_WORKLOGS])


@router.post("/worklogs", response={201: WorkLogOut, 404: Error}, summary="Log work")
def create_worklog(request: HttpRequest, payload: WorkLogIn):
    fields = payload.dict(exclude=set(NODE_MODELS))
    fields.update(_own_nodes(request, payload, NODE_MODELS))
    try:
        worklog = services.create_worklog(request.user, source=WorkLogSource.IMPORT, **fields)
    except ValidationError as error:
        raise _invalid(error) from error
    return Status(201, worklog)


@router.get("/worklogs/{worklog_id}", response=WorkLogOut, summary="One work log")
def worklog(request: HttpRequest, worklog_id: UUID):
    return get_object_or_404(selectors.worklogs_for(request.user), pk=worklog_id)


@router.post(
    "/worklogs/{worklog_id}/enrich",
    response={200: WorkLogOut, 409: dict},
    summary="Enrich a work log (queued); 409 for a final one, which is read only",
)
def enrich(request: HttpRequest, worklog_id: UUID):
    worklog = get_object_or_404(selectors.worklogs_for(request.user), pk=worklog_id)
    try:
        return enrichment.request_enrichment(worklog)
    except WorkLogFinalError as error:
        raise ApiError(409, error.code, str(error)) from error


@router.post("/reports", response={201: ReportOut, 404: Error}, summary="Generate a report")
def create_report(request: HttpRequest, payload: ReportIn):
    nodes = _own_nodes(request, payload, ("client", "project", "sprint"))
    try:
        report = reports.generate_report(
            request.user,
            kind=payload.kind,
            anchor=payload.anchor,
            period_start=payload.period_start,
            period_end=payload.period_end,
            title=payload.title,
            created_via=ReportCreatedVia.API,
            statuses=payload.statuses,
            **nodes,
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return Status(201, report)


@router.get("/reports/{report_id}", response=ReportOut, summary="One report")
def report(request: HttpRequest, report_id: UUID):
    return get_object_or_404(selectors.reports_for(request.user), pk=report_id)
