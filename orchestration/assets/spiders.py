"""The spiders the code location orchestrates: one entry per slug, one crawl asset per entry.

A new source is one more ``SpiderSpec``: its slug (spider name and raw table prefix), the raw
tables its loader writes (their keys are the dbt source's, so lineage is one graph), the function
that crawls it into a run folder, the function that loads that folder, and what of the load a
person should see. Its Great Expectations raw suite joins through ``expectations.registry``.
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
    load: Callable[[Path, Path], Any]  # (warehouse, run_dir) -> a load result
    # load result -> asset metadata; must include ``run_id`` and ``already_loaded``.
    load_metadata: Callable[[Any], dict[str, Any]]
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


def judiciary_pfd_load_metadata(result: Any) -> dict[str, Any]:
    return {
        "run_id": result.run_id,
        "already_loaded": result.already_loaded,
        "rows_loaded": result.reports_in_run,
        "new_reports": result.new_reports,
        "changed_reports": result.changed_reports,
        "unchanged_reports": result.unchanged_reports,
        "not_modified": result.not_modified,
        "new_documents": result.new_documents,
        "errors": result.errors,
        "skipped": result.skipped,
    }


JUDICIARY_PFD = SpiderSpec(
    slug="judiciary_pfd",
    description="Prevention of Future Deaths reports on judiciary.uk (or its offline snapshot).",
    raw_tables=("reports", "documents", "report_versions"),
    dbt_source="judiciary_pfd",
    crawl=crawl_judiciary_pfd,
    load=load_judiciary_pfd,
    load_metadata=judiciary_pfd_load_metadata,
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


def crawl_hssib_recommendations(request: CrawlRequest) -> tuple[str, Any]:
    """The crawl half of ``orchestration.hssib.collect_hssib``: always the whole log (43 pages
    on the snapshot), whatever mode the job asks for; the spider accepts only mode=full."""
    from orchestration import hssib
    from scrapers.crawl import run_crawl  # imports Scrapy; keep it out of import time
    from scrapers.hssib_selectors import CANONICAL_ORIGIN

    # The crawler's base_url is the judiciary site's. A snapshot served elsewhere serves the
    # HSSIB section too; the live HSSIB log is on its own site.
    base_url = CANONICAL_ORIGIN if request.source == "live" else request.base_url
    run_dir = hssib.new_hssib_run_dir(request.runs_root)
    run_dir.mkdir(parents=True)
    crawl = run_crawl(
        spider=hssib.SPIDER,
        source=request.source,
        run_dir=run_dir,
        mode="full",
        base_url=base_url,
        as_of=request.as_of,
        **request.options,
    )
    return "full", crawl


def load_hssib_recommendations(warehouse: Path, run_dir: Path) -> Any:
    from orchestration import hssib, publish

    warehouse = Path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with publish.connect(warehouse) as con:
        return hssib.load_hssib_run(con, run_dir)


def hssib_load_metadata(result: Any) -> dict[str, Any]:
    return {
        "run_id": result.run_id,
        "already_loaded": result.already_loaded,
        "rows_loaded": result.recommendations_in_run,
        "new_recommendations": result.new_recommendations,
        "changed_recommendations": result.changed_recommendations,
        "unchanged_recommendations": result.unchanged_recommendations,
        "errors": result.errors,
    }


HSSIB_RECOMMENDATIONS = SpiderSpec(
    slug="hssib_recommendations",
    description="HSSIB/HSIB safety recommendations log on hssib.org.uk (or its offline"
    " snapshot): recommendation, recipients, response and planned actions.",
    raw_tables=("recommendations",),
    dbt_source="hssib_recommendations",
    crawl=crawl_hssib_recommendations,
    load=load_hssib_recommendations,
    load_metadata=hssib_load_metadata,
    preview_sql="""
        SELECT last_changed_at, reference, investigation_title, recipients::VARCHAR AS recipients,
               response_received_raw, page_path
        FROM raw.hssib_recommendations__recommendations
        ORDER BY last_changed_at DESC, recommendation_key
        LIMIT 10""",
)

SPIDERS: tuple[SpiderSpec, ...] = (JUDICIARY_PFD, HSSIB_RECOMMENDATIONS)
