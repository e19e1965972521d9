import hashlib
import secrets

from django.utils import timezone

from .models import ApiToken, User, Weekday


def lock_users(*user_ids) -> None:
    """Take the users' row locks until the caller's transaction ends, in one order (the lock
    that serialises each user's timer, procedure and timesheet writes)."""
    list(
        User._default_manager.select_for_update()
        .filter(pk__in=sorted(set(user_ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def update_profile(
    *,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    time_zone: str,
    week_start: int = Weekday.MONDAY,
    enrich_on_save: bool = False,
) -> User:
    user.first_name = first_name
    user.last_name = last_name
    user.email = email
    user.time_zone = time_zone
    user.week_start = week_start
    user.enrich_on_save = enrich_on_save
    user.full_clean(validate_unique=False)
    user.save(
        update_fields=[
            "first_name",
            "last_name",
            "email",
            "time_zone",
            "week_start",
            "enrich_on_save",
        ]
    )
    return user


API_TOKEN_PREFIX = "wl_"


def hash_api_token(secret: str) -> str:
    # The secret is 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`, and its secret, which is not stored and cannot be shown again."""
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:10], key_hash=hash_api_token(secret)
    )
    return token, secret


def revoke_api_token(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_for_api_token(secret: str) -> User | None:
    """The active user a live token belongs to, or None: one query."""
    if not secret.startswith(API_TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_api_token(secret), revoked_at=None, user__is_active=True)
        .first()
    )
    return token.user if token else None
