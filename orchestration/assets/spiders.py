"""The spiders the code location orchestrates: one entry per slug, one crawl asset per entry.

A new source (HSSIB, issue 7) is one more ``SpiderSpec``: its slug (spider name and raw table
prefix), the raw tables its loader writes, and the function that crawls it into a run folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from orchestration import publish

RAW_SCHEMA = "raw"
CRAWL_GROUP = "collection"
RAW_GROUP = "raw"
# Written by every spider's load; dbt source ``crawl``.
BOOKKEEPING_TABLES = ("crawl_runs", "crawl_errors", "skipped_pages")


@dataclass(frozen=True)
class CrawlRequest:
    """Everything a crawl function needs, resolved from resources and run config."""

    warehouse: Path  # this run's working copy (read for incremental state only)
    runs_root: Path
    mode: str  # auto | full | incremental
    source: str  # snapshot | live
    base_url: str | None
    as_of: date | None
    options: dict[str, Any]


@dataclass(frozen=True)
class SpiderSpec:
    slug: str
    description: str
    raw_tables: tuple[str, ...]  # table names without the slug prefix, e.g. "reports"
    dbt_source: str  # the dbt source name whose tables these are
    crawl: Callable[[CrawlRequest], Any]  # returns (mode, scrapers.crawl.CrawlResult)
    load: Callable[[Path, Path], Any]  # (warehouse, run_dir) -> raw_load.LoadResult
    preview_sql: str  # the newest rows a person wants to see after a load
    # (check name, raw table, description, SQL selecting the failing rows): broken data, ERROR
    row_checks: tuple[tuple[str, str, str, str], ...] = ()

    def raw_table(self, table: str) -> str:
        return f"{self.slug}__{table}"


def _holds_reports(warehouse: Path, table: str) -> bool:
    if not warehouse.exists():
        return False
    with publish.connect(warehouse, read_only=True) as con:
        found = con.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema = ? AND table_name = ?",
            [RAW_SCHEMA, table],
        ).fetchall()[0][0]
        if not found:
            return False
        # The table name comes from this registry, never from scraped text.
        sql = f'SELECT count(*) > 0 FROM {RAW_SCHEMA}."{table}"'  # noqa: S608
        return con.execute(sql).fetchall()[0][0]


def crawl_judiciary_pfd(request: CrawlRequest) -> tuple[str, Any]:
    """The crawl half of ``orchestration.collect.collect_judiciary_pfd`` (the load is its own
    asset): decide the mode, write the incremental state, run the spider in a subprocess."""
    from orchestration.collect import MODES, new_run_dir
    from orchestration.incremental import build_crawl_state, write_crawl_state
    from scrapers.crawl import run_crawl  # imports Scrapy; keep it out of definitions import

    if request.mode not in MODES:
        raise ValueError(f"crawl mode must be one of {', '.join(MODES)}, got {request.mode!r}")
    mode = request.mode
    if mode == "auto":
        holds = _holds_reports(request.warehouse, "judiciary_pfd__reports")
        mode = "incremental" if holds else "full"
    run_dir = new_run_dir(request.runs_root, "judiciary_pfd")
    run_dir.mkdir(parents=True)
    state_file = None
    if mode == "incremental":
        logical_date = request.as_of or datetime.now(UTC).date()
        with publish.connect(request.warehouse, read_only=True) as con:
            state = build_crawl_state(con, logical_date, None)
        state_file = write_crawl_state(state, run_dir / "state.json")
    crawl = run_crawl(
        spider="judiciary_pfd",
        source=request.source,
        run_dir=run_dir,
        mode=mode,
        state_file=state_file,
        base_url=request.base_url,
        as_of=request.as_of,
        **request.options,
    )
    return mode, crawl


def load_judiciary_pfd(warehouse: Path, run_dir: Path) -> Any:
    from orchestration.raw_load import ensure_raw_schema, load_run

    with publish.connect(warehouse) as con:
        ensure_raw_schema(con)
        return load_run(con, run_dir)


JUDICIARY_PFD = SpiderSpec(
    slug="judiciary_pfd",
    description="Prevention of Future Deaths reports on judiciary.uk (or its offline snapshot).",
    raw_tables=("reports", "documents", "report_versions"),
    dbt_source="judiciary_pfd",
    crawl=crawl_judiciary_pfd,
    load=load_judiciary_pfd,
    preview_sql="""
        SELECT date_added_raw AS date_added, ref_raw AS ref, deceased_name_raw AS deceased,
               coroner_area_raw AS coroner_area, report_url
        FROM raw.judiciary_pfd__reports
        ORDER BY date_added_raw DESC NULLS LAST, report_url
        LIMIT 10""",
    row_checks=(
        (
            "header_fields_parsed",
            "reports",
            "Every report page yields at least one header field (ref, date of report, deceased,"
            " coroner area); a page with none means the page layout changed under the parser.",
            """
            SELECT report_url, page_title, parse_warnings::VARCHAR AS parse_warnings
            FROM raw.judiciary_pfd__reports
            WHERE ref_raw IS NULL AND date_of_report_raw IS NULL
              AND deceased_name_raw IS NULL AND coroner_area_raw IS NULL
            ORDER BY report_url""",
        ),
        (
            "documents_belong_to_reports",
            "documents",
            "Every document link belongs to a report page held in raw.judiciary_pfd__reports.",
            """
            SELECT d.report_url, d.document_url, d.kind
            FROM raw.judiciary_pfd__documents AS d
            LEFT JOIN raw.judiciary_pfd__reports AS r USING (report_url)
            WHERE r.report_url IS NULL
            ORDER BY d.report_url, d.document_url""",
        ),
    ),
)

SPIDERS: tuple[SpiderSpec, ...] = (JUDICIARY_PFD,)
