from django.core.management.base import BaseCommand

from worklog.timer.services import ask_about_long_sessions, stop_forgotten_sessions
from worklog.timer.tasks import forgotten_timers_interval, schedule_forgotten_timers_check


class Command(BaseCommand):
    help = (
        "Stops running timers that their users asked to stop automatically, and emails "
        '"Still working?" about timers running longer than the long-session limit. With '
        "--schedule, enqueues the periodic background check instead (once per interval, "
        "however often it is run)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Enqueue the background check, which then reschedules itself.",
        )

    def handle(self, *args, schedule, **options):
        if schedule:
            if schedule_forgotten_timers_check() is None:
                self.stdout.write(
                    "The forgotten-timer check is already scheduled (or the task backend "
                    "cannot defer tasks)."
                )
            else:
                self.stdout.write(
                    f"Scheduled the forgotten-timer check: now, then every "
                    f"{forgotten_timers_interval()}."
                )
            return
        stopped = stop_forgotten_sessions()
        asked = ask_about_long_sessions()
        self.stdout.write(
            f"Stopped {len(stopped)} forgotten timer{'s' if len(stopped) != 1 else ''}; "
            f"asked about {len(asked)} long session{'s' if len(asked) != 1 else ''}."
        )
