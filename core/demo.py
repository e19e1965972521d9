"""The demo account that `make run` signs you in with. Each app that has demo data offers a
`demo.load_demo_data(user)` function; `manage.py load_demo_data` calls them in app order."""

from .models import User

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "worklog-demo"


def ensure_demo_user() -> tuple[User, bool]:
    user, created = User.objects.get_or_create(
        username=DEMO_USERNAME,
        defaults={
            "first_name": "Demo",
            "last_name": "User",
            "email": "demo@example.com",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user, created
