from .models import User


def update_profile(
    *, user: User, first_name: str, last_name: str, email: str, time_zone: str
) -> User:
    user.first_name = first_name
    user.last_name = last_name
    user.email = email
    user.time_zone = time_zone
    user.full_clean(validate_unique=False)
    user.save(update_fields=["first_name", "last_name", "email", "time_zone"])
    return user
