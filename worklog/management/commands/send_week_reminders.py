from django.core.management.base import BaseCommand

from worklog.teams.services import send_week_reminders
from worklog.teams.tasks import schedule_week_reminders, week_reminders_interval


class Command(BaseCommand):
    help = (
        "Emails the Monday reminders that are due: members whose previous week is not "
        "submitted, managers with weeks waiting. With --schedule, enqueues the periodic "
        "background run instead (once per interval, however often it is run)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Enqueue the background run, which then reschedules itself.",
        )

    def handle(self, *args, schedule, **options):
        if schedule:
            if schedule_week_reminders() is None:
                self.stdout.write(
                    "The week reminders are already scheduled (or the task backend cannot "
                    "defer tasks)."
                )
            else:
                self.stdout.write(
                    f"Scheduled the week reminders: now, then every {week_reminders_interval()}."
                )
            return
        sent = send_week_reminders()
        self.stdout.write(f"Sent {len(sent)} reminder{'s' if len(sent) != 1 else ''}.")
