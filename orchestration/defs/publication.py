"""The last step of every writing run: publish this run's working copy for analysts, atomically.

Each publication is recorded inside the warehouse it publishes (``orchestration.publications``:
run id, job, time, logical date), so the published file says which run built it. A run that fails
leaves the published warehouse as it was; ``report_failed_run`` then adds an observation to the
publication asset saying so ("stale but safe": which run failed, which run's warehouse analysts
still read), so the UI does not leave the failed marts as the last word.

The search index (``search/index``) is published with the warehouse: the warehouse names its
index file, so the rename switches both. After a publication the index files that neither the
new warehouse nor the previous publication names are removed; a failed run's own index file goes
in ``report_failed_run`` (or, at the latest, at the next publication).
"""

from datetime import UTC, datetime
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetObservation,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.defs.collection import collection_assets
from orchestration.defs.metadata import markdown_table, query_rows
from orchestration.defs.resources import CrawlerResource, WarehouseResource
from orchestration.search import files as search_files
from orchestration.warehouse import connection, publish

PUBLICATION_GROUP = "publication"
PUBLISHED_KEY = AssetKey(["warehouse", "published"])
TABLE_COUNTS_SQL = """
    SELECT table_schema, count(*) AS tables
    FROM information_schema.tables
    WHERE table_schema NOT IN ('information_schema', 'pg_catalog')
    GROUP BY table_schema ORDER BY table_schema"""
PUBLICATIONS_TABLE = "orchestration.publications"
PUBLICATIONS_DDL = f"""
    CREATE SCHEMA IF NOT EXISTS orchestration;
    CREATE TABLE IF NOT EXISTS {PUBLICATIONS_TABLE} (
        run_id VARCHAR NOT NULL, job VARCHAR, published_at TIMESTAMPTZ NOT NULL,
        as_of DATE)"""
HISTORY_SHOWN = 5


def record_publication(working: Path, run_id: str, job: str, as_of) -> datetime:
    """Add this run's row to the publication history inside the copy about to be published."""
    published_at = datetime.now(UTC)
    with connection.connect(working) as con:
        con.execute(PUBLICATIONS_DDL)
        con.execute(
            f"INSERT INTO {PUBLICATIONS_TABLE} VALUES (?, ?, ?, ?)",  # noqa: S608
            [run_id, job, published_at, as_of],
        )
    return published_at


def publication_history(warehouse: Path, limit: int = HISTORY_SHOWN) -> list[tuple]:
    """The latest publications recorded in a warehouse file, newest first ([] when none)."""
    if not Path(warehouse).exists():
        return []
    with connection.connect(warehouse, read_only=True) as con:
        if not connection.table_exists(con, "orchestration", "publications"):
            return []
        return con.execute(
            f"SELECT run_id, job, published_at, as_of FROM {PUBLICATIONS_TABLE}"  # noqa: S608
            " ORDER BY published_at DESC LIMIT ?",
            [limit],
        ).fetchall()


def report_failed_run(instance, run, warehouse: Path) -> str:
    """Record on the publication asset that ``run`` failed and what analysts still read; remove
    the search index file the run built (no warehouse names it: it was never published)."""
    search_files.discard_run_index(warehouse, run.run_id)
    history = publication_history(warehouse, limit=1)
    if history:
        last_run, last_job, last_at, _ = history[0]
        still = (
            f"the published warehouse is intact: still run {last_run} ({last_job}), published"
            f" {last_at:%Y-%m-%d %H:%M %Z}"
        )
    else:
        still = "nothing was published before it either"
    text = (
        f"stale but safe: run {run.run_id} ({run.job_name}) failed and published nothing; {still}"
    )
    instance.report_runless_asset_event(
        AssetObservation(
            asset_key=PUBLISHED_KEY,
            description=text,
            metadata={
                "state": "stale but safe",
                "failed_run": MetadataValue.dagster_run(run.run_id),
                "failed_job": run.job_name,
                "published_by_run": MetadataValue.dagster_run(history[0][0]) if history else "none",
                "warehouse": MetadataValue.path(str(warehouse)),
            },
        )
    )
    return text


def build_publication_asset(upstream: list) -> object:
    @asset(
        key=PUBLISHED_KEY,
        group_name=PUBLICATION_GROUP,
        deps=upstream,
        kinds={"duckdb"},
        description="The analysts' warehouse file: this run's working copy, checkpointed and"
        " renamed over the published path in one atomic step. Readers that hold the old file"
        " open keep a complete old version; open it read-only. Its latest materialization names"
        " the run that published the current warehouse; a run that fails publishes nothing and"
        " adds an observation here saying the warehouse is stale but safe.",
    )
    def warehouse_published(
        context: AssetExecutionContext, warehouse: WarehouseResource, crawler: CrawlerResource
    ) -> MaterializeResult:
        published = warehouse.published_path()
        working = publish.working_path(published, context.run_id)
        if not working.exists():
            context.log.info("this run wrote nothing to the warehouse; nothing to publish")
            return MaterializeResult(
                metadata={"published": False, "warehouse": MetadataValue.path(str(published))}
            )
        as_of = crawler.logical_as_of()
        published_at = record_publication(working, context.run_id, context.job_name, as_of)
        columns, rows = query_rows(working, TABLE_COUNTS_SQL)
        # This publication's index, and the previous one's for readers that still hold it.
        kept_indexes = search_files.index_files_to_keep(working)
        publish.publish(published, context.run_id)
        removed = publish.remove_stale_working_copies(published)
        removed_indexes = search_files.remove_unnamed_index_files(published, kept_indexes)
        history = publication_history(published)
        return MaterializeResult(
            metadata={
                "published": True,
                "state": "current",
                "published_by_run": MetadataValue.dagster_run(context.run_id),
                "published_by_job": context.job_name,
                "published_at": MetadataValue.timestamp(published_at),
                "as_of": str(as_of or ""),
                "publication_history": MetadataValue.md(
                    markdown_table(
                        ("run", "job", "published at", "as of"),
                        [(r, j, f"{at:%Y-%m-%d %H:%M:%S %Z}", a) for r, j, at, a in history],
                    )
                ),
                "warehouse": MetadataValue.path(str(published.resolve())),
                "size_mb": round(published.stat().st_size / 1_048_576, 1),
                "tables_per_schema": MetadataValue.json({r[0]: r[1] for r in rows}),
                "stale_working_copies_removed": len(removed),
                "search_index": kept_indexes[0] if kept_indexes else "none",
                "search_index_files_removed": len(removed_indexes),
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
    from orchestration.defs.search import every_report_with_text_indexed_once, search_index

    upstream = [
        *collection_assets(),
        *build_dbt_assets(),
        load_returns,
        build_audit_report_asset(),
        search_index,
    ]
    checks = [
        build_suite_checks(blocking_only=True),
        build_suite_checks(blocking_only=False),
        every_report_with_text_indexed_once,
    ]
    return [*upstream, *checks, build_publication_asset(upstream)]
