"""The spiders the code location orchestrates: one entry per slug, one crawl asset per entry.

A new source (HSSIB, issue 7) is one more ``SpiderSpec``: its slug (spider name and raw table
prefix), the raw tables its loader writes, and the function that crawls it into a run folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

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


def crawl_judiciary_pfd(request: CrawlRequest) -> tuple[str, Any]:
    """The crawl half of ``orchestration.collect`` (the load is its own asset)."""
    from orchestration import collect

    mode, _run_dir, crawl = collect.crawl_judiciary_pfd(
        warehouse=request.warehouse,
        runs_root=request.runs_root,
        mode=request.mode,
        source=request.source,
        as_of=request.as_of,
        base_url=request.base_url,
        crawl_options=request.options,
    )
    return mode, crawl


def load_judiciary_pfd(warehouse: Path, run_dir: Path) -> Any:
    from orchestration import collect

    return collect.load_judiciary_pfd(warehouse, run_dir)


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
