from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.demo import DEMO_PASSWORD, DEMO_USERNAME, ensure_demo_user


class Command(BaseCommand):
    help = (
        "Creates the demo user and each app's demo data; running it again duplicates nothing. "
        "With DEBUG off it refuses unless told this is not production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="Load the demo data with DEBUG off (a benchmark, a fuzzing run).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG and not options["not_production"]:
            # The demo user is a superuser whose password is in the README.
            raise CommandError(
                f"This creates the superuser {DEMO_USERNAME!r} with the published password "
                f"{DEMO_PASSWORD!r}, and DEBUG is off, as in production: nothing was loaded. "
                "Run it with DEBUG=1, or add --i-know-this-is-not-production."
            )
        user, created = ensure_demo_user()
        loaded = []
        for config in apps.get_app_configs():
            try:
                demo = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.demo":
                    raise
                continue
            if hasattr(demo, "load_demo_data"):
                demo.load_demo_data(user)
                loaded.append(config.label)
        state = "created" if created else "already there"
        apps_loaded = ", ".join(loaded) or "none"
        self.stdout.write(f"Demo user {DEMO_USERNAME!r} ({state}); demo data for: {apps_loaded}.")
        self.stdout.write(f"Sign in as {DEMO_USERNAME} / {DEMO_PASSWORD}")
