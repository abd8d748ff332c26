"""Great Expectations suites as Dagster asset checks: one per registered suite, on the asset it
checks (``expectations.registry``).

Checks read this run's working copy of the warehouse. Severity follows the suite's result:
ERROR for broken data (the raw crawl suite, unresolved returns), WARN for findings about the
world (reconciliation gaps, completeness); the failing organisations / areas / fields and the
offending rows are in the metadata. The raw crawl check is blocking: a broken crawl stops
before dbt builds.
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    AssetsDefinition,
    MetadataValue,
    multi_asset_check,
)

from orchestration.defs.audit import DATA_DOCS_URL
from orchestration.defs.metadata import markdown_table
from orchestration.defs.resources import AuditResource, WarehouseResource
from orchestration.warehouse import connection

AUDIT_GROUP = "audit"
AUDIT_REPORT_KEY = AssetKey(["audit", "report"])
ROWS_SHOWN = 20


def check_name(suite_name: str) -> str:
    return f"gx_{suite_name}"


def check_result(spec, outcome) -> AssetCheckResult:
    """Reduce a suite outcome to a check result a person can act on in the UI."""
    rows = [r for e in outcome.failed_expectations for r in e.unexpected_rows][:ROWS_SHOWN]
    columns = sorted({k for r in rows for k in r}) if rows else []
    failed = [
        f"{e.severity}: {e.expectation}" + (f" on {e.column}" if e.column else "")
        + (f" -> {', '.join(e.failing_entities[:10])}" if e.failing_entities else "")
        for e in outcome.failed_expectations
    ]  # fmt: skip
    return AssetCheckResult(
        asset_key=AssetKey(list(spec.asset_key)),
        check_name=check_name(spec.name),
        passed=outcome.success,
        severity=AssetCheckSeverity.ERROR
        if outcome.severity == "error"
        else AssetCheckSeverity.WARN,
        metadata={
            "suite": spec.name,
            "table": spec.table,
            "rows_validated": outcome.row_count,
            "failing_entities": MetadataValue.json(outcome.failing_entities),
            "failing_entity_count": len(outcome.failing_entities),
            "failed_expectations": MetadataValue.md(
                "\n".join(f"- {f}" for f in failed) or "_none_"
            ),
            "offending_rows": MetadataValue.md(
                markdown_table(columns, [[r.get(c) for c in columns] for r in rows])
            ),
            "facts": MetadataValue.json(
                {k: v for k, v in outcome.facts.items() if k != "area_rows"}
            ),  # fmt: skip
            # the suite's history, run by run (the audit report adds each run to it)
            "data_docs": MetadataValue.url(DATA_DOCS_URL),
        },
    )


def suite_check_keys(blocking: bool | None = None) -> list[AssetCheckKey]:
    """The asset check keys of the registered suites (optionally only (non-)blocking ones)."""
    from expectations.registry import SUITES

    return [
        AssetCheckKey(AssetKey(list(s.asset_key)), check_name(s.name))
        for s in SUITES
        if blocking is None or s.blocking == blocking
    ]


def build_suite_checks(blocking_only: bool | None = None) -> AssetsDefinition:
    """One multi-asset check carrying a check per registered suite (optionally only blocking)."""
    from expectations.registry import SUITES

    specs = [s for s in SUITES if blocking_only is None or s.blocking == blocking_only]
    check_specs = [
        AssetCheckSpec(
            check_name(s.name),
            asset=AssetKey(list(s.asset_key)),
            description=f"Great Expectations suite {s.name} on {s.table}: {s.description}",
            blocking=s.blocking,
        )
        for s in specs
    ]
    name = "gx_suites" if blocking_only is None else ("gx_blocking" if blocking_only else "gx")

    @multi_asset_check(specs=check_specs, name=name, can_subset=True)
    def _suite_checks(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource, audit: AuditResource
    ):
        from expectations.runner import AuditRunner

        config = audit.audit_config()
        runner = AuditRunner()
        working = warehouse.working_copy(context.run.run_id)
        selected = {k.name for k in context.selected_asset_check_keys}
        with connection.connect(working, read_only=True) as con:
            for spec in specs:
                if check_name(spec.name) not in selected:
                    continue
                frame, facts = spec.load_frame(con, config)
                if nothing_new_to_check(frame, facts):
                    yield nothing_new_result(spec, facts)
                    continue
                yield check_result(spec, runner.validate(spec, frame, config, facts))

    return _suite_checks


def nothing_new_to_check(frame, facts: dict) -> bool:
    """An incremental crawl that saw no new or changed page left its suite an empty frame.

    That is a quiet day on the site, not a broken crawl (the crawl runner already refuses a run
    whose listing shows no report cards), so the blocking suite must not stop the run for it.
    A crawl that could not load a page or lost a listing page is never a quiet day.
    """
    return (
        frame.empty
        and facts.get("latest_mode") == "incremental"
        and not facts.get("pages_not_loaded")
        and not facts.get("listing_pages_lost")
    )


def nothing_new_result(spec, facts: dict) -> AssetCheckResult:
    return AssetCheckResult(
        asset_key=AssetKey(list(spec.asset_key)),
        check_name=check_name(spec.name),
        passed=True,
        metadata={
            "suite": spec.name,
            "table": spec.table,
            "rows_validated": 0,
            "not_validated": "the latest crawl was incremental and observed no new or changed"
            " page: nothing new to validate",
            "facts": MetadataValue.json(facts),
        },
    )
