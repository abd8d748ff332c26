"""The last step of every writing run: publish this run's working copy for analysts, atomically."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.defs.collection import collection_assets
from orchestration.defs.metadata import query_rows
from orchestration.defs.resources import WarehouseResource
from orchestration.warehouse import publish

PUBLICATION_GROUP = "publication"
PUBLISHED_KEY = AssetKey(["warehouse", "published"])
TABLE_COUNTS_SQL = """
    SELECT table_schema, count(*) AS tables
    FROM information_schema.tables
    WHERE table_schema NOT IN ('information_schema', 'pg_catalog')
    GROUP BY table_schema ORDER BY table_schema"""


def build_publication_asset(upstream: list) -> object:
    @asset(
        key=PUBLISHED_KEY,
        group_name=PUBLICATION_GROUP,
        deps=upstream,
        kinds={"duckdb"},
        description="The analysts' warehouse file: this run's working copy, checkpointed and"
        " renamed over the published path in one atomic step. Readers that hold the old file"
        " open keep a complete old version; open it read-only.",
    )
    def warehouse_published(
        context: AssetExecutionContext, warehouse: WarehouseResource
    ) -> MaterializeResult:
        published = warehouse.published_path()
        working = publish.working_path(published, context.run_id)
        if not working.exists():
            context.log.info("this run wrote nothing to the warehouse; nothing to publish")
            return MaterializeResult(
                metadata={"published": False, "warehouse": MetadataValue.path(str(published))}
            )
        columns, rows = query_rows(working, TABLE_COUNTS_SQL)
        publish.publish(published, context.run_id)
        removed = publish.remove_stale_working_copies(published)
        return MaterializeResult(
            metadata={
                "published": True,
                "warehouse": MetadataValue.path(str(published.resolve())),
                "size_mb": round(published.stat().st_size / 1_048_576, 1),
                "tables_per_schema": MetadataValue.json({r[0]: r[1] for r in rows}),
                "stale_working_copies_removed": len(removed),
                "open_read_only": MetadataValue.md(
                    f"`duckdb.connect('{published.resolve()}', read_only=True)`"
                ),
            }
        )

    return warehouse_published


def all_assets() -> list:
    """Every asset and check of the code location, publication last. Reads the dbt manifest.

    The raw crawl suites are blocking checks on the raw load assets (a broken crawl stops before
    dbt builds); the other suites are warning-level checks on the marts they audit. The blocking
    and the other suites are two check definitions so each runs as early as its asset allows.
    """
    from orchestration.defs.audit import build_audit_report_asset
    from orchestration.defs.checks import build_suite_checks
    from orchestration.defs.dbt import build_dbt_assets
    from orchestration.defs.returns import load_returns

    upstream = [
        *collection_assets(),
        *build_dbt_assets(),
        load_returns,
        build_audit_report_asset(),
    ]
    checks = [build_suite_checks(blocking_only=True), build_suite_checks(blocking_only=False)]
    return [*upstream, *checks, build_publication_asset(upstream)]
