from django.core.management.base import BaseCommand, CommandError

from decisioning.services import purge_expired_idempotency_keys


class Command(BaseCommand):
    help = "Deletes expired idempotency keys in batches; keys still in flight are kept."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        deleted = purge_expired_idempotency_keys(batch_size=batch_size)
        self.stdout.write(
            f"Deleted {deleted} expired idempotency key{'s' if deleted != 1 else ''}."
        )
