"""Collect HSSIB safety recommendations: crawl the log (or its offline snapshot) into a run
folder, then load it (``load``). The Dagster assets call ``crawl`` and ``load`` separately;
``collect_hssib`` does both for scripts and tests."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from orchestration.sources.hssib_recommendations.load import (
    SOURCES,
    SPIDER,
    HssibLoadResult,
    load_hssib_run,
)
from orchestration.sources.raw_runs import new_run_dir
from orchestration.sources.spec import CrawlRequest
from orchestration.warehouse import connection
from scrapers.hssib_recommendations import CANONICAL_ORIGIN

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HssibCollectResult:
    run_dir: Path
    load: HssibLoadResult
    crawl: Any  # scrapers.crawl.CrawlResult


def load(warehouse: Path, run_dir: Path) -> HssibLoadResult:
    """Open the warehouse file for writing, load one hssib run folder, close it."""
    warehouse = Path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with connection.connect(warehouse) as con:
        return load_hssib_run(con, run_dir)


def new_hssib_run_dir(runs_root: Path, now: datetime | None = None) -> Path:
    return new_run_dir(runs_root, SPIDER, now)


def collect_hssib(
    *,
    warehouse: Path,
    runs_root: Path,
    as_of: date | None = None,
    source: str = "snapshot",
    crawl_options: dict[str, Any] | None = None,
) -> HssibCollectResult:
    """Crawl the HSSIB safety recommendations log (or its offline snapshot) and load the run.

    Always a full crawl (the log is small: 43 pages in the snapshot). ``as_of`` is recorded as the
    run's logical date; the snapshot's HSSIB section has no dated history, so it serves the same
    pages for any as_of. ``crawl_options`` go to ``scrapers.crawl.run_crawl`` (base_url,
    timeout_s, settings_overrides, snapshot_faults, ...)."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, got {source!r}")
    if source == "live" and as_of is not None:
        raise ValueError("as_of applies to the offline snapshot only; the live site is today")
    options = dict(crawl_options or {})
    request = CrawlRequest(
        warehouse=Path(warehouse),
        runs_root=Path(runs_root),
        mode="full",
        source=source,
        base_url=options.pop("base_url", None),
        as_of=as_of,
        options=options,
    )
    _mode, result = crawl(request)
    run_dir = result.run_dir
    loaded = load(Path(warehouse), run_dir)
    log.info(
        "hssib run %s: %d recommendations (%d new, %d changed)",
        loaded.run_id,
        loaded.recommendations_in_run,
        loaded.new_recommendations,
        loaded.changed_recommendations,
    )
    return HssibCollectResult(run_dir=run_dir, load=loaded, crawl=result)


def crawl(request: CrawlRequest) -> tuple[str, Any]:
    """The crawl half of :func:`collect_hssib` for the Dagster asset: always the whole log (43
    pages on the snapshot), whatever mode the job asks for; the spider accepts only mode=full."""
    from scrapers.crawl import run_crawl  # imports Scrapy; keep it out of import time

    # The crawler's base_url is the judiciary site's. A snapshot served elsewhere serves the
    # HSSIB section too; the live HSSIB log is on its own site.
    base_url = CANONICAL_ORIGIN if request.source == "live" else request.base_url
    run_dir = new_hssib_run_dir(request.runs_root)
    run_dir.mkdir(parents=True)
    crawl = run_crawl(
        spider=SPIDER,
        source=request.source,
        run_dir=run_dir,
        mode="full",
        base_url=base_url,
        as_of=request.as_of,
        on_progress=request.on_progress,
        **request.options,
    )
    return "full", crawl


def load_metadata(result: Any) -> dict[str, Any]:
    return {
        "run_id": result.run_id,
        "already_loaded": result.already_loaded,
        "rows_loaded": result.recommendations_in_run,
        "new_recommendations": result.new_recommendations,
        "changed_recommendations": result.changed_recommendations,
        "unchanged_recommendations": result.unchanged_recommendations,
        "errors": result.errors,
    }
