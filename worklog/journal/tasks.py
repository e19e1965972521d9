"""Background work of the worklog app, run by `manage.py db_worker`."""

from django.tasks import task

from worklog.journal.enrichment import run_enrichment


@task
def enrich_worklog_task(worklog_id: str) -> str:
    """Enrich one work log; returns its resulting enrichment status."""
    return run_enrichment(worklog_id).enrichment_status
