"""What the code location knows of one source: ``SOURCE`` in ``orchestration/sources/<slug>/``,
listed once in ``orchestration.sources.registry``.

The slug names the source in every tier: ``scrapers/<slug>/`` (if it is crawled), the raw tables
``raw.<slug>__*``, ``dbt_project/models/staging/<slug>/`` (dbt source and ``stg_<slug>__*``), the
Great Expectations suite module ``expectations/suites/<slug>.py``, and the tests and fixtures
(``tests/*/<slug>/``, ``tests/fixtures/<slug>/``). A test checks every registered slug has them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

RAW_SCHEMA = "raw"

# How a source reads the logical date (``--as-of`` / PFDW_AS_OF):
AS_OF_SITE = "the snapshot serves the site as it was that day; statuses are built as of it"
AS_OF_LOGICAL_DATE = "recorded as the run's logical date; the snapshot serves the same pages"
AS_OF_NONE = "not dated: files are loaded as they are"


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
    # Called with each scrapers.common.progress.CrawlProgress while the crawl runs, and with
    # the final one (totals and rate) when it ends; ``.line`` is the text for a person.
    on_progress: Callable[[Any], None] | None = None


@dataclass(frozen=True)
class SourceSpec:
    slug: str
    description: str
    origin: str | None  # the live site it is crawled from; None for files people send
    raw_tables: tuple[str, ...]  # table names without the slug prefix, e.g. "reports"
    dbt_source: str  # the dbt source name whose tables these are
    suites: tuple[str, ...]  # Great Expectations suites on its tables (expectations.registry)
    as_of_rule: str
    # Crawled sources only: (CrawlRequest) -> (mode, scrapers.crawl.CrawlResult); run folder ->
    # raw tables; load result -> asset metadata (with ``run_id`` and ``already_loaded``).
    crawl: Callable[[CrawlRequest], Any] | None = None
    load: Callable[[Path, Path], Any] | None = None
    load_metadata: Callable[[Any], dict[str, Any]] | None = None
    preview_sql: str = ""  # the newest rows a person wants to see after a load
    # (check name, raw table, description, SQL selecting the failing rows): broken data, ERROR
    row_checks: tuple[tuple[str, str, str, str], ...] = ()

    @property
    def crawled(self) -> bool:
        return self.crawl is not None

    def raw_table(self, table: str) -> str:
        return f"{self.slug}__{table}"
