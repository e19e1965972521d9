from http import HTTPStatus

from django.http import JsonResponse

from config.api import STATUS_CODES


class ApiErrorsAsJsonMiddleware:
    """Every answer under `api_prefix` is JSON: an error Django itself answered before or after
    the API's views (a 400 for a bad Host header, a 500 for an unexpected failure) is rewritten
    as `{"code", "message"}`, like the API's own errors. First in the list, so it sees them all."""

    api_prefix = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path_info.startswith(self.api_prefix)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return _json_error(response.status_code)
        return response


def _json_error(status: int) -> JsonResponse:
    if status >= 500:
        message = "The server failed to answer; the failure was logged."
    else:
        message = f"{HTTPStatus(status).phrase}: the request cannot be answered."
    return JsonResponse(
        {"code": STATUS_CODES.get(status, "error"), "message": message}, status=status
    )
