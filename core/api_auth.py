from django.http import HttpRequest
from ninja.security import HttpBearer

from .models import User
from .services import user_for_api_token


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a token from the profile page. Requests carry no
    cookie, so they need no CSRF token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_api_token(token)
        if user is not None:
            request.user = user
        return user
