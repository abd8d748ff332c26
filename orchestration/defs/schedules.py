"""When the jobs run. Times are Europe/London, so they follow BST/GMT.

Built by ``build_schedules()`` when the code location loads, so their default state follows the
``PFDW_AUTOMATION_DEFAULT`` setting (``orchestration.defs.automation``; stopped unless set).
"""

from dagster import ScheduleDefinition

from orchestration.defs.automation import default_schedule_status
from orchestration.defs.jobs import WEEKLY_PUBLICATION_AUDIT, daily_collection, full_recrawl

TIMEZONE = "Europe/London"


def build_schedules() -> list:
    """The schedules, in the default state the setting gives (read now, not at import)."""
    status = default_schedule_status()
    daily_collection_schedule = ScheduleDefinition(
        name="daily_collection_schedule",
        job=daily_collection,
        cron_schedule="0 6 * * *",
        execution_timezone=TIMEZONE,
        default_status=status,
        description="Every day at 06:00: incremental crawl, load, dbt build, publish.",
    )

    weekly_publication_audit_schedule = ScheduleDefinition(
        name="weekly_publication_audit_schedule",
        # By name: the job is built when the code location loads (its checks come from the
        # registry).
        job_name=WEEKLY_PUBLICATION_AUDIT,
        cron_schedule="0 7 * * 1",
        execution_timezone=TIMEZONE,
        default_status=status,
        description="Mondays at 07:00, after that morning's collection.",
    )

    full_recrawl_schedule = ScheduleDefinition(
        name="full_recrawl_schedule",
        job=full_recrawl,
        # The 1st of the month at 02:00, well clear of the 06:00 daily collection.
        cron_schedule="0 2 1 * *",
        execution_timezone=TIMEZONE,
        default_status=status,
        description="Monthly, the whole site again to catch edits to old pages.",
    )
    return [daily_collection_schedule, weekly_publication_audit_schedule, full_recrawl_schedule]
