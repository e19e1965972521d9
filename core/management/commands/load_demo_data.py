from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core.demo import DEMO_PASSWORD, DEMO_USERNAME, ensure_demo_user


class Command(BaseCommand):
    help = "Creates the demo user and each app's demo data; running it again duplicates nothing."

    @transaction.atomic
    def handle(self, *args, **options):
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
