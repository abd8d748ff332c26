"""Resources configured once in ``orchestration.definitions``: the warehouse and the crawler.

Every field that has an environment default is resolved when a run calls it, never at import,
so importing the code location reads no environment and touches no file.
"""

import os
from datetime import date
from pathlib import Path

from dagster import ConfigurableResource

from orchestration import publish, settings

SOURCE_ENV = "PFDW_SOURCE"
BASE_URL_ENV = "PFDW_BASE_URL"
AS_OF_ENV = "PFDW_AS_OF"
CRAWL_SOURCES = ("snapshot", "live")


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse. ``path`` is the published (analyst) file; runs write a working copy.

    Unset fields fall back to ``PFDW_WAREHOUSE_PATH`` / ``PFDW_DATA_DIR`` (see
    ``orchestration.settings``), read when the run needs them.
    """

    path: str | None = None
    data_dir: str | None = None

    def published_path(self) -> Path:
        return publish.published_path(self.path) if self.path else settings.warehouse_path()

    def data_directory(self) -> Path:
        return Path(self.data_dir) if self.data_dir else settings.data_dir()

    def runs_root(self) -> Path:
        return self.data_directory() / "runs"

    def working_copy(self, run_id: str) -> Path:
        """This run's working file, created from the published warehouse on first use."""
        return publish.ensure_working_copy(self.published_path(), run_id)


class CrawlerResource(ConfigurableResource):
    """Where the spiders crawl: the offline snapshot (default) or the live site.

    ``as_of`` (YYYY-MM-DD, snapshot only) serves the site as it looked that day and is also the
    dbt ``as_of`` var, so a past state can be rebuilt. ``scrapy_log_level`` quiets the crawl log.
    """

    source: str | None = None
    base_url: str | None = None
    as_of: str | None = None
    scrapy_log_level: str | None = None
    timeout_s: float | None = None

    def crawl_source(self) -> str:
        source = self.source or os.environ.get(SOURCE_ENV) or "snapshot"
        if source not in CRAWL_SOURCES:
            raise ValueError(
                f"crawler source must be one of {', '.join(CRAWL_SOURCES)}, got {source!r}"
                f" (resource config 'source' or ${SOURCE_ENV})"
            )
        return source

    def crawl_base_url(self) -> str | None:
        return self.base_url or os.environ.get(BASE_URL_ENV) or None

    def logical_as_of(self) -> date | None:
        text = self.as_of or os.environ.get(AS_OF_ENV)
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"crawler as_of must be a date YYYY-MM-DD, got {text!r}") from exc

    def crawl_options(self) -> dict:
        options: dict = {}
        if self.scrapy_log_level:
            options["settings_overrides"] = {"LOG_LEVEL": self.scrapy_log_level}
        if self.timeout_s:
            options["timeout_s"] = self.timeout_s
        return options
