"""Collection assets: one crawl asset per spider slug, its raw load, the shared crawl bookkeeping.

The crawl runs the spider in a subprocess (Scrapy's reactor cannot restart inside a long-lived
process) into a run folder and records the folder in its metadata; the load asset loads that
folder into this run's working copy of the warehouse (see ``orchestration.warehouse.publish``).
"""

import time
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)
from pydantic import Field

from orchestration.defs.metadata import markdown_table, query_rows, table_row_count
from orchestration.defs.resources import CrawlerResource, WarehouseResource
from orchestration.sources.registry import (
    BOOKKEEPING_TABLES,
    RAW_SCHEMA,
    SPIDERS,
    CrawlRequest,
    SourceSpec,
)

CRAWL_GROUP = "collection"
RAW_GROUP = "raw"
FAILING_ROWS_SHOWN = 20


def crawl_key(slug: str) -> AssetKey:
    return AssetKey(["crawl", slug])


def raw_key(table: str) -> AssetKey:
    return AssetKey([RAW_SCHEMA, table])


def crawl_op_name(slug: str) -> str:
    return f"crawl__{slug}"


class CrawlConfig(Config):
    mode: str = Field(
        default="auto",
        description="auto (incremental when the warehouse holds reports, else full) | full"
        " | incremental",
    )


def _crawl_metadata(mode: str, request: CrawlRequest, crawl) -> dict:
    counts = crawl.counts
    return {
        "run_dir": MetadataValue.path(str(crawl.run_dir)),
        "mode": mode,
        "source": request.source,
        "base_url": MetadataValue.url(crawl.base_url) if crawl.base_url else "",
        "as_of": request.as_of.isoformat() if request.as_of else "today",
        "pages_fetched": counts.get("pages_fetched", 0),
        "errors": counts.get("errors", 0),
        # Every count the crawl runner reports (reports_parsed, recommendations, ...).
        **{name: value for name, value in sorted(counts.items())},
        "crawl_duration_s": round(float(crawl.wall_seconds), 2),
        "crawler_peak_rss_mb": round((crawl.peak_rss_kb or 0) / 1024, 1),
    }


def build_crawl_asset(spec: SourceSpec) -> AssetsDefinition:
    @asset(
        key=crawl_key(spec.slug),
        group_name=CRAWL_GROUP,
        kinds={"scrapy"},
        description=f"Crawl: {spec.description} Runs the `{spec.slug}` spider in a subprocess"
        " into a new run folder under `<data dir>/runs/`, logging pages, rate and time left"
        " every few seconds ($PFDW_PROGRESS_INTERVAL, default 5).",
    )
    def _crawl(
        context: AssetExecutionContext,
        config: CrawlConfig,
        warehouse: WarehouseResource,
        crawler: CrawlerResource,
    ) -> MaterializeResult:
        from scrapers.crawl import CrawlError

        source = crawler.crawl_source()
        as_of = crawler.logical_as_of()
        if source == "live" and as_of is not None:
            raise Failure("crawler as_of applies to the offline snapshot only; unset it for live")
        request = CrawlRequest(
            warehouse=warehouse.working_copy(context.run_id),
            runs_root=warehouse.runs_root(),
            mode=config.mode,
            source=source,
            base_url=crawler.crawl_base_url(),
            as_of=as_of,
            options=crawler.crawl_options(),
            # Pages, rate and time left every few seconds, then totals: the run's log.
            on_progress=lambda progress: context.log.info(progress.line),
        )
        try:
            mode, crawl = spec.crawl(request)
        except CrawlError as exc:
            result = exc.args[1] if len(exc.args) > 1 else None
            metadata = {}
            if result is not None:
                metadata = _crawl_metadata(request.mode, request, result)
                metadata["crawl_log"] = MetadataValue.path(str(result.run_dir / "crawl.log"))
            raise Failure(
                description=f"{spec.slug} crawl failed ({type(exc).__name__}): {exc.args[0]}",
                metadata=metadata,
            ) from exc
        return MaterializeResult(metadata=_crawl_metadata(mode, request, crawl))

    return _crawl


def latest_run_dir(context: AssetExecutionContext, slug: str) -> Path:
    event = context.instance.get_latest_materialization_event(crawl_key(slug))
    if event is None or event.asset_materialization is None:
        raise Failure(f"no {slug} crawl has been materialized yet: materialize crawl/{slug} first")
    entry = event.asset_materialization.metadata.get("run_dir")
    if entry is None:
        raise Failure(f"the latest crawl/{slug} materialization carries no run_dir")
    return Path(entry.value)


def build_load_asset(spec: SourceSpec) -> AssetsDefinition:
    specs = [
        AssetSpec(
            key=raw_key(spec.raw_table(table)),
            group_name=RAW_GROUP,
            deps=[crawl_key(spec.slug)],
            kinds={"duckdb"},
            description=f"raw.{spec.raw_table(table)}: loaded from the latest {spec.slug} crawl"
            " run folder, all or nothing (DDL in"
            f" orchestration/sources/{spec.slug}/raw_schema.sql).",
        )
        for table in spec.raw_tables
    ]

    check_specs = [
        AssetCheckSpec(
            name,
            asset=raw_key(spec.raw_table(table)),
            description=description,
            blocking=True,  # broken raw data stops the run before dbt builds on it
        )
        for name, table, description, _sql in spec.row_checks
    ]

    @multi_asset(name=f"load__{spec.slug}", specs=specs, check_specs=check_specs)
    def _load(context: AssetExecutionContext, warehouse: WarehouseResource):
        run_dir = latest_run_dir(context, spec.slug)
        working = warehouse.working_copy(context.run_id)
        started = time.monotonic()
        result = spec.load(working, run_dir)
        seconds = time.monotonic() - started
        loaded = spec.load_metadata(result)
        if loaded["already_loaded"]:
            context.log.info("run %s was already loaded; nothing changed", loaded["run_id"])
        columns, rows = query_rows(working, spec.preview_sql)
        shared = {
            "crawl_run_id": loaded.pop("run_id"),
            "run_dir": MetadataValue.path(str(run_dir)),
            **loaded,
            "load_duration_s": round(seconds, 2),
            "warehouse": MetadataValue.path(str(warehouse.published_path())),
            "working_copy": MetadataValue.path(str(working)),
            "newest_rows": MetadataValue.md(markdown_table(columns, rows)),
        }
        for table in spec.raw_tables:
            name = spec.raw_table(table)
            yield MaterializeResult(
                asset_key=raw_key(name),
                metadata={
                    **shared,
                    "dagster/row_count": table_row_count(working, RAW_SCHEMA, name) or 0,
                },
            )
        for name, table, _description, sql in spec.row_checks:
            result = failing_rows_result(working, sql, AssetCheckSeverity.ERROR)
            yield AssetCheckResult(
                asset_key=raw_key(spec.raw_table(table)),
                check_name=name,
                passed=result.passed,
                severity=result.severity,
                metadata=result.metadata,
            )

    return _load


def failing_rows_result(
    warehouse: Path, sql: str, severity: AssetCheckSeverity, **extra
) -> AssetCheckResult:
    """Run a query that selects failing rows; pass when it returns none, else carry them."""
    columns, rows = query_rows(warehouse, sql)
    metadata = {
        "failing_row_count": len(rows),
        "failing_rows": MetadataValue.md(markdown_table(columns, rows[:FAILING_ROWS_SHOWN])),
        **extra,
    }
    if rows:
        metadata["failing_rows_json"] = MetadataValue.json(
            [dict(zip(columns, map(_jsonable, row), strict=True)) for row in rows[:100]]
        )
    return AssetCheckResult(passed=not rows, severity=severity, metadata=metadata)


def _jsonable(value):
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


BOOKKEEPING_DESCRIPTIONS = {
    "crawl_runs": "raw.crawl_runs: one row per crawl run of any spider that reached the warehouse.",
    "crawl_errors": "raw.crawl_errors: pages that could not be fetched or parsed, per run.",
    "skipped_pages": "raw.skipped_pages: pages deliberately not loaded, per run, with the reason.",
}
LATEST_ERRORS_SQL = """
    SELECT e.spider, e.url, e.stage, e.reason, e.http_status, e.attempts
    FROM raw.crawl_errors AS e
    JOIN (SELECT spider, max(started_at) AS started_at FROM raw.crawl_runs GROUP BY spider) AS l
      USING (spider)
    JOIN raw.crawl_runs AS r ON r.run_id = e.run_id AND r.started_at = l.started_at
    ORDER BY e.spider, e.url"""
RECENT_RUNS_SQL = """
    SELECT run_id, spider, mode, source, logical_date, pages_fetched, reports_parsed,
           new_reports, errors, skipped,
           round(epoch(finished_at) - epoch(started_at), 1) AS seconds
    FROM raw.crawl_runs ORDER BY started_at DESC, run_id DESC LIMIT 10"""


def build_bookkeeping_asset() -> AssetsDefinition:
    """The crawl bookkeeping every spider's load writes; materializing it reports its state."""
    upstream = [raw_key(spec.raw_table(table)) for spec in SPIDERS for table in spec.raw_tables]
    specs = [
        AssetSpec(
            key=raw_key(table),
            group_name=RAW_GROUP,
            deps=upstream,
            kinds={"duckdb"},
            description=BOOKKEEPING_DESCRIPTIONS[table],
        )
        for table in BOOKKEEPING_TABLES
    ]
    check = AssetCheckSpec(
        "latest_crawl_without_errors",
        asset=raw_key("crawl_errors"),
        description="The latest crawl of each spider recorded no page errors (a warning: the"
        " pages are retried by the next crawl); the failing rows are the errors and reasons.",
    )

    @multi_asset(name="crawl_bookkeeping", specs=specs, check_specs=[check])
    def _bookkeeping(context: AssetExecutionContext, warehouse: WarehouseResource):
        working = warehouse.working_copy(context.run_id)
        columns, runs = query_rows(working, RECENT_RUNS_SQL)
        for table in BOOKKEEPING_TABLES:
            metadata = {"dagster/row_count": table_row_count(working, RAW_SCHEMA, table) or 0}
            if table == "crawl_runs":
                metadata["recent_runs"] = MetadataValue.md(markdown_table(columns, runs))
            yield MaterializeResult(asset_key=raw_key(table), metadata=metadata)
        result = failing_rows_result(working, LATEST_ERRORS_SQL, AssetCheckSeverity.WARN)
        yield AssetCheckResult(
            asset_key=raw_key("crawl_errors"),
            check_name=check.name,
            passed=result.passed,
            severity=result.severity,
            metadata=result.metadata,
        )

    return _bookkeeping


def collection_assets() -> list[AssetsDefinition]:
    assets: list[AssetsDefinition] = []
    for spec in SPIDERS:
        assets += [build_crawl_asset(spec), build_load_asset(spec)]
    return [*assets, build_bookkeeping_asset()]


def crawl_run_config(mode: str) -> dict:
    """Run config setting every spider's crawl mode (the jobs use it)."""
    return {"ops": {crawl_op_name(spec.slug): {"config": {"mode": mode}} for spec in SPIDERS}}
