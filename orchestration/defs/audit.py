"""The ``audit/report`` asset: runs every Great Expectations suite on this run's working copy,
adds the results to the one Data Docs site under this run's name (job, run id, as-of date) and
writes the dated summary (``expectations.report``). The suites as asset checks are in
``orchestration.defs.checks``.
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
from orchestration.warehouse.docs import GX_MOUNT, url

AUDIT_GROUP = "audit"
AUDIT_REPORT_KEY = AssetKey(["audit", "report"])
ROWS_SHOWN = 20
# Where `make docs` (pfdw docs, default port) serves the Data Docs site beside the dbt docs.
DATA_DOCS_URL = url(path=f"{GX_MOUNT}/index.html")


def build_audit_report_asset(deps: list | None = None) -> AssetsDefinition:
    @asset(
        key=AUDIT_REPORT_KEY,
        group_name=AUDIT_GROUP,
        deps=deps
        or [
            AssetKey(["audit_returns_reconciliation"]),
            AssetKey(["audit_publication_completeness"]),
            AssetKey(["audit_ref_sequence_gaps"]),
            AssetKey(["audit_foi_campaign"]),
        ],
        kinds={"great_expectations"},
        # Markdown in the UI: a path in angle brackets would be swallowed as an HTML tag.
        description="Runs every Great Expectations suite on this run's warehouse, adds the"
        " results to the Data Docs site (`DATA_DIR/audit/data_docs/index.html`, the last runs"
        " kept, each named after its job, run and as-of date; served by `make docs` at"
        f" {DATA_DOCS_URL}), writes a dated summary (`DATA_DIR/audit/STAMP/summary.md`)"
        " and appends the per-area history (`DATA_DIR/audit/history/`).",
    )
    def audit_report(
        context: AssetExecutionContext, warehouse: WarehouseResource, audit: AuditResource
    ):
        from expectations.report import run_audit

        working = warehouse.working_copy(context.run_id)
        run = run_audit(
            working,
            warehouse.data_directory(),
            config=audit.audit_config(),
            run_label=f"{context.job_name}-{context.run_id[:8]}",
        )
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
                "data_docs_url": MetadataValue.url(DATA_DOCS_URL),
                "data_docs_run": run.docs_run_name or "",
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
