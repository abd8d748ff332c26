"""Collect: crawl a source into a run folder, then load the run into the raw tables.

This is the plain-Python core that the Dagster assets and the command line both call. The crawl
itself runs in a subprocess (``scrapers.crawl``); only this module writes to the warehouse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from orchestration.sources.judiciary_pfd.incremental import (
    RevisitPolicy,
    build_crawl_state,
    build_text_state,
    write_crawl_state,
)
from orchestration.sources.judiciary_pfd.load import SPIDER, LoadResult, ensure_raw_schema, load_run
from orchestration.sources.raw_runs import holds_rows, new_run_dir
from orchestration.sources.spec import CrawlRequest
from orchestration.warehouse import connection

log = logging.getLogger(__name__)

MODES = ("auto", "full", "incremental")
SOURCES = ("snapshot", "live")


@dataclass(frozen=True)
class CollectResult:
    run_dir: Path
    mode: str
    load: LoadResult
    crawl: Any  # scrapers.crawl.CrawlResult


def crawl_judiciary_pfd(
    *,
    warehouse: Path,
    runs_root: Path,
    mode: str = "auto",
    source: str = "snapshot",
    as_of: date | None = None,
    base_url: str | None = None,
    policy: RevisitPolicy | None = None,
    crawl_options: dict[str, Any] | None = None,
    on_progress: Callable[[Any], None] | None = None,
) -> tuple[str, Path, Any]:
    """The crawl half: decide the mode (``auto`` = incremental when the warehouse already holds
    reports, else full), write the incremental state and (any mode, when the warehouse exists)
    the text state (which PDF each known text was read from, which report PDFs are unread), run
    the spider in a subprocess (``on_progress``: see ``scrapers.crawl.run_crawl``).

    Returns (mode, run folder, scrapers.crawl.CrawlResult). Raises the crawl runner's
    ``LayoutDriftError`` / ``CrawlFailedError`` when the run is not loadable."""
    from scrapers.crawl import run_crawl  # the crawl runner imports Scrapy; keep it out of import

    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, got {source!r}")
    if source == "live" and as_of is not None:
        raise ValueError("as_of applies to the offline snapshot only; the live site is today")
    warehouse = Path(warehouse)
    if mode == "auto":
        mode = "incremental" if holds_rows(warehouse, "judiciary_pfd__reports") else "full"

    run_dir = new_run_dir(runs_root, SPIDER)
    run_dir.mkdir(parents=True)
    state_file = text_state_file = None
    if mode == "incremental" or warehouse.exists():
        with connection.connect(warehouse, read_only=True) as con:
            # Which PDF each known text came from: a full recrawl does not fetch them again.
            text_state = build_text_state(con)
            if mode == "incremental":
                logical_date = as_of or datetime.now(UTC).date()
                state = build_crawl_state(con, logical_date, policy)
                state_file = write_crawl_state(state, run_dir / "state.json")
                log.info(
                    "incremental crawl: %d known pages, %d to revisit",
                    len(state["known_urls"]),
                    len(state["revisit"]),
                )
        text_state_file = write_crawl_state(text_state, run_dir / "text_state.json")
        log.info(
            "report texts: %d PDFs already read, %d not read yet",
            len(text_state["known"]),
            len(text_state["missing"]),
        )
    crawl = run_crawl(
        spider=SPIDER,
        source=source,
        run_dir=run_dir,
        mode=mode,
        state_file=state_file,
        text_state_file=text_state_file,
        base_url=base_url,
        as_of=as_of,
        on_progress=on_progress,
        **(crawl_options or {}),
    )
    return mode, run_dir, crawl


def load_judiciary_pfd(warehouse: Path, run_dir: Path) -> LoadResult:
    """The load half: one finished run folder into the raw tables, all or nothing."""
    warehouse = Path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with connection.connect(warehouse) as con:
        ensure_raw_schema(con)
        return load_run(con, run_dir)


def collect_judiciary_pfd(
    *,
    warehouse: Path,
    runs_root: Path,
    mode: str = "auto",
    source: str = "snapshot",
    as_of: date | None = None,
    base_url: str | None = None,
    policy: RevisitPolicy | None = None,
    crawl_options: dict[str, Any] | None = None,
    on_progress: Callable[[Any], None] | None = None,
) -> CollectResult:
    """Crawl judiciary.uk (or its offline snapshot) and load the run."""
    mode, run_dir, crawl = crawl_judiciary_pfd(
        warehouse=warehouse,
        runs_root=runs_root,
        mode=mode,
        source=source,
        as_of=as_of,
        base_url=base_url,
        policy=policy,
        crawl_options=crawl_options,
        on_progress=on_progress,
    )
    load = load_judiciary_pfd(warehouse, run_dir)
    return CollectResult(run_dir=run_dir, mode=mode, load=load, crawl=crawl)


def crawl(request: CrawlRequest) -> tuple[str, Any]:
    """The crawl half for the Dagster crawl asset (the load is its own asset)."""
    mode, _run_dir, result = crawl_judiciary_pfd(
        warehouse=request.warehouse,
        runs_root=request.runs_root,
        mode=request.mode,
        source=request.source,
        as_of=request.as_of,
        base_url=request.base_url,
        crawl_options=request.options,
        on_progress=request.on_progress,
    )
    return mode, result


def load_metadata(result: Any) -> dict[str, Any]:
    return {
        "run_id": result.run_id,
        "already_loaded": result.already_loaded,
        "rows_loaded": result.reports_in_run,
        "new_reports": result.new_reports,
        "changed_reports": result.changed_reports,
        "unchanged_reports": result.unchanged_reports,
        "not_modified": result.not_modified,
        "new_documents": result.new_documents,
        "report_texts": result.report_texts,
        "errors": result.errors,
        "skipped": result.skipped,
    }
