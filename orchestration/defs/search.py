"""The ``search/index`` asset: the full-text index of the report sections, beside the warehouse.

It reads this run's working copy (the searchable sections of ``fct_report_sections``, the
reports' dates and areas, their recipients), writes ``<warehouse dir>/search/pfd-search-<run
id>.sqlite`` (incrementally from the index the warehouse names when few reports changed) and
names it in the working copy's ``orchestration.search_index``. Publishing the warehouse is then
the atomic switch of the index too (``orchestration/search/files.py``); a run that fails publishes
neither. Its group sits between the marts and audit it reads and the publication.
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)

from orchestration.defs.metadata import markdown_table
from orchestration.defs.resources import WarehouseResource

SEARCH_GROUP = "search"
SEARCH_INDEX_KEY = AssetKey(["search", "index"])
# The marts the index reads: its text, the filters, what the results show and the names masked.
MART_KEYS = [
    AssetKey([name])
    for name in ("fct_report_sections", "fct_reports", "fct_report_recipients", "dim_deceased")
]
URLS_SHOWN = 20


@asset(
    key=SEARCH_INDEX_KEY,
    group_name=SEARCH_GROUP,
    deps=MART_KEYS,
    kinds={"sqlite"},
    description="Full-text index (SQLite FTS5, BM25, porter stemming, diacritics ignored) of the"
    " four searchable report sections (circumstances, concerns, action, inquest), one row per"
    " report with what the filters need (date, coroner area, recipients with organisation keys"
    " and types). A new file per run beside the warehouse (`search/pfd-search-RUN.sqlite`),"
    " built incrementally from the published index when few reports changed, named in the"
    " warehouse's `orchestration.search_index` and so published with it atomically. Read it"
    ' with `pfdw search "ligature points"` or `orchestration.search.search`.',
)
def search_index(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    from orchestration.search.build import build_for_warehouse
    from orchestration.search.coverage import TextCoverage

    working = warehouse.working_copy(context.run_id)
    result, record = build_for_warehouse(working, context.run_id)
    coverage = TextCoverage(record.reports_with_text, record.reports_total)
    context.log.info(
        f"search index {record.index_file}: {result.mode} build, {result.documents:,} reports,"
        f" {result.changed:,} changed, {result.removed:,} removed, {result.seconds:.1f}s"
        + (f" ({result.reason})" if result.mode == "full" and result.reason else "")
    )
    return MaterializeResult(
        metadata={
            "index_file": MetadataValue.path(str(result.path)),
            "documents": result.documents,
            "coverage": coverage.sentence(),
            "reports_with_text": record.reports_with_text,
            "reports_total": record.reports_total,
            "build_mode": result.mode,
            "full_build_reason": result.reason if result.mode == "full" else "",
            "changed_reports": result.changed,
            "removed_reports": result.removed,
            "seconds": round(result.seconds, 2),
            "size_mb": round(result.size_bytes / 1_048_576, 2),
        }
    )


@asset_check(
    asset=SEARCH_INDEX_KEY,
    name="every_report_with_text_indexed_once",
    # Blocking: an index that lost reports is never published with the warehouse.
    blocking=True,
    description="Every report with a searchable section in this run's warehouse is in the index"
    " exactly once, and the index holds no other report. Blocking: a failed check stops the"
    " publication, so the published warehouse and its index stay as they were.",
)
def every_report_with_text_indexed_once(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> AssetCheckResult:
    from orchestration.search.build import audit_index
    from orchestration.search.files import index_folder, named_index_of

    working = warehouse.working_copy(context.run.run_id)
    record = named_index_of(working)
    if record is None:
        return AssetCheckResult(
            passed=False, metadata={"problem": "the warehouse names no search index"}
        )
    audit = audit_index(working, index_folder(working) / record.index_file)
    rows = [("missing", url) for url in audit.missing[:URLS_SHOWN]]
    rows += [("not expected", url) for url in audit.unexpected[:URLS_SHOWN]]
    return AssetCheckResult(
        passed=audit.passed,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "reports_with_sections": audit.expected,
            "reports_indexed": audit.indexed,
            "text_rows": audit.text_rows,
            "missing": len(audit.missing),
            "not_expected": len(audit.unexpected),
            "failing_reports": MetadataValue.md(markdown_table(("problem", "report"), rows)),
        },
    )
