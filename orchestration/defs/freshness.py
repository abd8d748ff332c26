"""Freshness policies that follow the schedules: when an asset should have been updated by.

Dagster 1.13's ``FreshnessPolicy`` on the asset spec (freshness checks and their sensor,
``build_last_update_freshness_checks`` / ``build_sensor_for_freshness_checks``, are superseded
since 1.12 and warn when built). The daemon that ``pfdw ui`` / ``dagster dev`` start evaluates
the policies, with no runs and no sensor; the asset page shows Pass / Fail and the deadline.

The deadline of each policy is its schedule's tick plus ``GRACE``, and the update must have
happened after the tick: the daily collection at 06:00 Europe/London must have updated the crawl,
the raw crawl tables, the key marts and the published warehouse between 06:00 and 07:00, and a
failed or missing 06:00 run reads as "Failing" from 07:00 until a run succeeds. The audit report
follows the Monday 07:00 audit.

The returns (``raw/returns__*``) have no policy: they change when someone sends a file, on no
schedule, so an old load is not a late one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from dagster import AssetKey, AssetSpec, FreshnessPolicy, ScheduleDefinition

from orchestration.defs.publication import PUBLISHED_KEY
from orchestration.sources.registry import RAW_SCHEMA, SPIDERS

# The daily job takes about a minute offline and a few on the live site; an hour is room for a
# slow site or a run queued behind another writer.
GRACE = timedelta(hours=1)

# The marts analysts read first: when these are late, every answer is.
KEY_MARTS = (
    "fct_reports",
    "fct_report_recipients",
    "fct_responses",
    "dim_organisations",
    "fct_safety_recommendations",
)
AUDIT_REPORT = AssetKey(["audit", "report"])
DAILY_SCHEDULE = "daily_collection_schedule"
WEEKLY_AUDIT_SCHEDULE = "weekly_publication_audit_schedule"


def deadline_cron(schedule_cron: str, grace: timedelta) -> str:
    """The schedule's cron moved ``grace`` (whole hours) later: "0 6 * * *" + 1h -> "0 7 * * *".

    Only schedules at one fixed time a day are supported; anything else is one clear error."""
    fields = schedule_cron.split()
    hours, remainder = divmod(int(grace.total_seconds()), 3600)
    if len(fields) != 5 or not fields[1].isdigit() or not fields[0].isdigit() or remainder:
        raise ValueError(
            f"cannot derive a freshness deadline from cron {schedule_cron!r} plus {grace}:"
            " expected a fixed minute and hour and a whole number of hours"
        )
    hour = int(fields[1]) + hours
    if hour > 23:
        raise ValueError(
            f"freshness deadline of cron {schedule_cron!r} plus {grace} passes midnight"
        )
    return " ".join([fields[0], str(hour), *fields[2:]])


def policy_after(schedule: ScheduleDefinition, grace: timedelta = GRACE) -> FreshnessPolicy:
    """Updated between the schedule's tick and ``grace`` after it, in the schedule's timezone."""
    cron = schedule.cron_schedule
    assert isinstance(cron, str)  # one cron string per schedule in this project
    return FreshnessPolicy.cron(
        deadline_cron=deadline_cron(cron, grace),
        lower_bound_delta=grace,
        timezone=schedule.execution_timezone or "UTC",
    )


def freshness_policies(schedules: Sequence[ScheduleDefinition]) -> dict[AssetKey, FreshnessPolicy]:
    """Which assets have a policy, and which of the code location's schedules it follows."""
    by_name = {schedule.name: schedule for schedule in schedules}
    daily = policy_after(by_name[DAILY_SCHEDULE])
    keys = [PUBLISHED_KEY, *(AssetKey([mart]) for mart in KEY_MARTS)]
    for spec in SPIDERS:
        keys.append(AssetKey(["crawl", spec.slug]))
        keys += [AssetKey([RAW_SCHEMA, f"{spec.slug}__{table}"]) for table in spec.raw_tables]
    policies = dict.fromkeys(keys, daily)
    policies[AUDIT_REPORT] = policy_after(by_name[WEEKLY_AUDIT_SCHEDULE])
    return policies


def with_freshness_policies(
    policies: dict[AssetKey, FreshnessPolicy],
) -> Callable[[AssetSpec], AssetSpec]:
    """A function for ``Definitions.map_asset_specs`` that attaches the policies."""

    def attach(spec: AssetSpec) -> AssetSpec:
        policy = policies.get(spec.key)
        return spec.replace_attributes(freshness_policy=policy) if policy else spec

    return attach
