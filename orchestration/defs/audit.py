"""The ``audit/report`` asset: runs every Great Expectations suite on this run's working copy and
writes Data Docs and the dated summary (``expectations.report``). The suites as asset checks are
in ``orchestration.defs.checks``.
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.defs.metadata import markdown_table
from orchestration.defs.resources import AuditResource, WarehouseResource

AUDIT_GROUP = "audit"
AUDIT_REPORT_KEY = AssetKey(["audit", "report"])
ROWS_SHOWN = 20


def build_audit_report_asset(deps: list | None = None) -> AssetsDefinition:
    @asset(
        key=AUDIT_REPORT_KEY,
        group_name=AUDIT_GROUP,
        deps=deps
        or [
            AssetKey(["audit_returns_reconciliation"]),
            AssetKey(["audit_publication_completeness"]),
            AssetKey(["audit_ref_sequence_gaps"]),
        ],
        kinds={"great_expectations"},
        description="Runs every Great Expectations suite, writes Data Docs and a dated summary"
        " under <data dir>/audit/<stamp>/, and appends the per-area history.",
    )
    def audit_report(
        context: AssetExecutionContext, warehouse: WarehouseResource, audit: AuditResource
    ):
        from expectations.report import run_audit

        working = warehouse.working_copy(context.run_id)
        run = run_audit(working, warehouse.data_directory(), config=audit.audit_config())
        summary = run.summary
        suites = [
            [s["suite"], "passed" if s["success"] else s["severity"], s["row_count"],
             ", ".join(s["failing_entities"][:15])]
            for s in summary["suites"]
        ]  # fmt: skip
        return MaterializeResult(
            metadata={
                "audit_folder": MetadataValue.path(str(run.folder)),
                "data_docs": MetadataValue.path(str(run.docs_index or "")),
                "summary": MetadataValue.path(str(run.folder / "summary.md")),
                "suites": MetadataValue.md(
                    markdown_table(["suite", "result", "rows", "failing"], suites)
                ),
                "return_outcomes": MetadataValue.json(
                    summary["return_outcomes_by_organisation_type"]
                ),
                "errors": run.has_errors,
            }
        )

    return audit_report
