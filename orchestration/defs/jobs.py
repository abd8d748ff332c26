"""Jobs: daily collection, monthly full recrawl, weekly publication audit, returns inbox, and the
whole pipeline with its audit (what ``make run`` runs).

Selections are by group, tag and lineage, never by lists of dbt model names, so new models and
new spiders join by themselves. Every job that writes the warehouse carries ``WRITER_TAGS``;
``dagster.yaml`` lets one such run go at a time, so runs queue instead of competing for DuckDB.

``collect_and_audit`` and ``weekly_publication_audit`` select the Great Expectations checks by
their keys, which come from the suite registry (it imports Great Expectations, ~3 s), so they are
built by functions when the code location loads, not at import.
"""

from dagster import AssetSelection, define_asset_job

from orchestration.defs.audit import AUDIT_GROUP, AUDIT_REPORT_KEY
from orchestration.defs.collection import crawl_run_config
from orchestration.defs.publication import PUBLISHED_KEY
from orchestration.defs.returns import RETURNS_TABLES, returns_key

JOB_TAG_KEY = "pfdw/job"
WRITER_TAGS = {"pfdw/warehouse": "writer"}
COLLECT_AND_AUDIT = "collect_and_audit"
WEEKLY_PUBLICATION_AUDIT = "weekly_publication_audit"

PUBLISH = AssetSelection.assets(PUBLISHED_KEY)
AUDIT = AssetSelection.groups(AUDIT_GROUP) | AssetSelection.tag(
    JOB_TAG_KEY, WEEKLY_PUBLICATION_AUDIT
)
PIPELINE = AssetSelection.all() - AUDIT
# The raw returns and everything built on them (returns models, their checks, the audit report).
RETURNS = AssetSelection.assets(*(returns_key(table) for table in RETURNS_TABLES)).downstream()

daily_collection = define_asset_job(
    "daily_collection",
    selection=PIPELINE,
    description="Incremental crawl of every spider, raw loads (the raw crawl suites block dbt on"
    " broken data), dbt build (models, seeds, tests), returns load and reconciliation models,"
    " their checks, then publish the warehouse. The audit report is the weekly job's.",
    config=crawl_run_config("auto"),
    tags={**WRITER_TAGS, JOB_TAG_KEY: "daily_collection"},
)

full_recrawl = define_asset_job(
    "full_recrawl",
    selection=PIPELINE,
    description="Crawl the whole site again (catches edits to old pages), load, dbt build,"
    " publish.",
    config=crawl_run_config("full"),
    tags={**WRITER_TAGS, JOB_TAG_KEY: "full_recrawl"},
)

returns_inbox = define_asset_job(
    "returns_inbox",
    selection=RETURNS | AssetSelection.assets(AUDIT_REPORT_KEY) | PUBLISH,
    description="Triggered by the returns inbox sensor, once per file version: load every"
    " bundled and inbox returns file (a bad file is quarantined with its reason), rebuild the"
    " reconciliation, run the audit, publish.",
    tags={**WRITER_TAGS, JOB_TAG_KEY: "returns_inbox"},
)


def collect_and_audit_job():
    """Everything: the daily collection plus the audit report (Data Docs, dated summary)."""
    return define_asset_job(
        COLLECT_AND_AUDIT,
        selection=AssetSelection.all(),
        description="The whole pipeline end to end (what `make run` runs): crawl every spider,"
        " load, dbt build and tests, returns load and reconciliation, every Great Expectations"
        " suite as an asset check, the audit report with Data Docs, publish.",
        config=crawl_run_config("auto"),
        tags={**WRITER_TAGS, JOB_TAG_KEY: COLLECT_AND_AUDIT},
    )


def weekly_publication_audit_job():
    from orchestration.defs.checks import suite_check_keys

    audit_checks = AssetSelection.checks(*suite_check_keys(blocking=False))
    return define_asset_job(
        WEEKLY_PUBLICATION_AUDIT,
        selection=RETURNS | AUDIT | audit_checks | PUBLISH,
        description="Publication-completeness and reconciliation audit for every coroner area"
        " and organisation: reload the returns, rebuild the reconciliation, run every audit"
        " suite as an asset check, write Data Docs and the dated summary, then publish.",
        tags={**WRITER_TAGS, JOB_TAG_KEY: WEEKLY_PUBLICATION_AUDIT},
    )


def build_jobs() -> list:
    return [
        daily_collection,
        full_recrawl,
        returns_inbox,
        weekly_publication_audit_job(),
        collect_and_audit_job(),
    ]
