"""The project's JSON API at /api/v1/: one NinjaAPI that each app adds its router to. Requests
authenticate with a personal token (`Authorization: Bearer <token>`, from the profile page), so
the session login that guards the web pages does not apply here. Every error is JSON:
`{"code": "...", "message": "..."}`, and the schema lists, for each operation, the errors it
answers with."""

import logging
import re
from datetime import date, datetime
from functools import wraps
from typing import Annotated

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from pydantic import AfterValidator, BeforeValidator, StringConstraints, WithJsonSchema

from core.api_auth import ApiTokenAuth
from core.validators import supported_date_problem
from worklog.teams.exceptions import WeekLockedError

logger = logging.getLogger(__name__)

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_input",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


class Error(Schema):
    """Every error answer: a machine-readable `code` and a sentence; some carry more fields."""

    code: str
    message: str


ERROR_DESCRIPTIONS = {
    400: "The body cannot be read (not JSON, or too large), or the Idempotency-Key is malformed",
    401: "No valid API token",
    403: "Not allowed to do this",
    404: "No such object, or not yours",
    409: "The object's state does not allow this now",
    422: "The input is not valid",
    503: "The database cannot be reached; try again shortly",
}


class ApiError(HttpError):
    """An error with a machine-readable `code`, raised by the apps' routers; `extra` fields
    (e.g. the ids of the conflicting objects) go into the JSON body beside it."""

    def __init__(self, status_code: int, code: str, message: str, **extra) -> None:
        self.code = code
        self.extra = extra
        super().__init__(status_code, message)


# A request's text field: JSON can carry NUL (\u0000), which PostgreSQL cannot store in text, so
# it is answered 422, as the schema's pattern says.
WITHOUT_NUL = r"^[^\x00]*$"
PlainText = Annotated[str, StringConstraints(pattern=WITHOUT_NUL)]


def _supported(value: date) -> date:
    if problem := supported_date_problem(value):
        raise ValueError(problem)
    return value


def _written_as(pattern: str, how: str):
    """Refuses what the schema's `pattern` does not admit, before pydantic reads it more
    leniently (it takes 0 for 1970-01-01)."""
    compiled = re.compile(pattern)

    def check(value):
        if not isinstance(value, str) or not compiled.match(value):
            raise ValueError(f"write it as {how}")
        return value

    return BeforeValidator(check)


# EARLIEST_YEAR to LATEST_YEAR (core.validators) as the schema's pattern says them.
YEAR = r"(19[0-9]{2}|2[0-9]{3})"
DATE_PATTERN = rf"^{YEAR}-[0-9]{{2}}-[0-9]{{2}}$"
# A day (its midnight), or a time on it with an offset up to 14 hours either way or none (the
# user's own zone).
DATETIME_PATTERN = (
    rf"^{YEAR}-[0-9]{{2}}-[0-9]{{2}}([Tt ][0-9]{{2}}:[0-9]{{2}}(:[0-9]{{2}}(\.[0-9]+)?)?"
    r"([Zz]|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?)?$"
)

# A request's date: answered 422 unless written YYYY-MM-DD in the supported years, as the
# schema's pattern says.
SupportedDate = Annotated[
    date,
    _written_as(DATE_PATTERN, "YYYY-MM-DD, between the years 1900 and 2999"),
    AfterValidator(_supported),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
# A request's date and time: also answered 422 for a UTC offset beyond 14 hours.
SupportedDateTime = Annotated[
    datetime,
    _written_as(
        DATETIME_PATTERN,
        "YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][±hh:mm], between the years 1900 and 2999, with "
        "a time-zone offset between -14:00 and +14:00",
    ),
    AfterValidator(_supported),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN}),
]


class JsonOrEmptyParser(Parser):
    """An empty body is an empty object: a hotkey's bare `curl -X POST` needs no `-d '{}'`.
    Every body is an object (or null, for an optional one): a list or a string is refused."""

    def parse_body(self, request: HttpRequest) -> dict:
        if not request.body.strip():
            return {}
        body = super().parse_body(request)
        if body is not None and not isinstance(body, dict):
            raise ValueError("The request body must be a JSON object.")
        return body


class WorklogAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """The schema, with the errors the API itself answers any operation with (401, 503; 422
        for bad parameters or body; 400 for an unreadable body; 404 for an unknown object in the
        path) beside the ones each operation declares, all as `Error`."""
        schema = super().get_openapi_schema(**kwargs)
        schema["components"]["schemas"]["Error"] = Error.model_json_schema()
        for operations in schema["paths"].values():
            for operation in operations.values():
                _list_errors(operation)
        return schema

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        # Last, so it only answers paths no endpoint matched: in JSON, like every API error.
        patterns.append(path("<path:unknown>", csrf_exempt(unknown_endpoint)))
        for pattern in patterns:
            pattern.callback = _json_method_not_allowed(pattern.callback)
            # Token-authenticated, not by the session: LoginRequiredMiddleware must let them pass.
            login_not_required(pattern.callback)
        return patterns, app_name, namespace


def _list_errors(operation: dict) -> None:
    parameters = operation.get("parameters", [])
    statuses = {401, 503}
    if parameters or "requestBody" in operation:
        statuses.add(422)
    if "requestBody" in operation:
        statuses.add(400)
    if any(parameter["in"] == "path" for parameter in parameters):
        statuses.add(404)
    responses = operation["responses"]
    statuses.update(int(status) for status in responses if int(status) >= 400)
    for status in sorted(statuses):
        responses[str(status)] = {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }


def _json_method_not_allowed(view):
    """Ninja answers a method a path does not have in plain text; this answers in JSON."""

    @wraps(view)
    def respond(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        problem = error_response(
            request, 405, "method_not_allowed", f"{request.method} is not allowed; use {allowed}."
        )
        problem["Allow"] = allowed
        return problem

    return respond


def unknown_endpoint(request: HttpRequest, unknown: str) -> HttpResponse:
    return error_response(request, 404, "not_found", f"No API endpoint at {request.path}.")


api = WorklogAPI(
    title="Worklog API",
    version="1",
    description=(
        "Time your work from hotkeys and integrations. Authenticate with a token from your "
        "profile page: `Authorization: Bearer <token>`."
    ),
    urls_namespace="api",
    auth=ApiTokenAuth(),
    parser=JsonOrEmptyParser(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, **extra
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
    return error_response(request, error.status_code, error.code, error.message, **error.extra)


@api.exception_handler(WeekLockedError)
def on_week_locked(request: HttpRequest, error: WeekLockedError) -> HttpResponse:
    return error_response(
        request, 409, "week_locked", str(error), week_start=error.week_start.isoformat()
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return error_response(
        request,
        401,
        "unauthorized",
        "A valid API token is required: send 'Authorization: Bearer <token>'.",
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    code = STATUS_CODES.get(error.status_code, "error")
    return error_response(request, error.status_code, code, error.message)


def _problem_of(item: dict) -> str:
    if item.get("type") == "string_pattern_mismatch" and item["ctx"]["pattern"] == WITHOUT_NUL:
        return "must not contain NUL characters"
    return item.get("msg", "")


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    details = [
        {"location": list(item.get("loc", ())), "message": _problem_of(item)}
        for item in error.errors
    ]
    summary = "; ".join(
        f"{'.'.join(str(part) for part in d['location'])}: {d['message']}" for d in details
    )
    return error_response(
        request, 422, "invalid_input", f"The request is not valid: {summary}", errors=details
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", str(error) or "Not found.")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(
        request, 400, "bad_request", f"The request body is larger than the {limit} bytes allowed."
    )


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.exception("The database failed under %s", request.path)
    response = error_response(
        request, 503, "unavailable", "The database cannot be reached; try again shortly."
    )
    response["Retry-After"] = "30"
    return response


api.add_router("/timer", "worklog.timer.api.router")
api.add_router("/sessions", "worklog.procedures.api.router")
api.add_router("/sops", "worklog.procedures.api.sops_router")
api.add_router("/journal", "worklog.journal.api.router")
api.add_router("/timesheets", "worklog.teams.api.router")
