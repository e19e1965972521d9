from django.core.management.base import BaseCommand, CommandError

from decisioning.services import purge_expired_idempotency_keys
from decisioning.tasks import purge_interval, schedule_purge


class Command(BaseCommand):
    help = (
        "Deletes expired idempotency keys in batches; keys still in flight are kept. With "
        "--schedule, enqueues the periodic background purge instead (once per interval, "
        "however often it is run)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Enqueue the background purge task, which then reschedules itself.",
        )

    def handle(self, *args, batch_size, schedule, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if schedule:
            result = schedule_purge(batch_size=batch_size)
            if result is None:
                self.stdout.write(
                    "The background purge is already scheduled (or the task backend cannot "
                    "defer tasks)."
                )
            else:
                self.stdout.write(
                    f"Scheduled the background purge of expired idempotency keys: now, then "
                    f"every {purge_interval()}."
                )
            return
        deleted = purge_expired_idempotency_keys(batch_size=batch_size)
        self.stdout.write(
            f"Deleted {deleted} expired idempotency key{'s' if deleted != 1 else ''}."
        )
