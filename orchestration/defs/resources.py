"""Resources configured once in ``orchestration.definitions``: the warehouse and the crawler.

Every field that has an environment default is resolved when a run calls it, never at import,
so importing the code location reads no environment and touches no file.
"""

import os
from datetime import date
from pathlib import Path

from dagster import ConfigurableResource

from orchestration.warehouse import publish, settings, writer_lock

SOURCE_ENV = "PFDW_SOURCE"
BASE_URL_ENV = "PFDW_BASE_URL"
AS_OF_ENV = "PFDW_AS_OF"
CRAWL_SOURCES = ("snapshot", "live")
SCHEDULED_WRITER_WAIT_S = 1800.0  # a scheduled run queues this long behind a manual writer


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse. ``path`` is the published (analyst) file; runs write a working copy.

    Unset fields fall back to ``PFDW_WAREHOUSE_PATH`` / ``PFDW_DATA_DIR`` (see
    ``orchestration.warehouse.settings``), read when the run needs them.
    """

    path: str | None = None
    data_dir: str | None = None
    # How long a run launched by Dagster (schedule, sensor, UI) waits for another writer
    # (``pfdw run``, ``pfdw returns load``) before failing with a line naming it. Unset:
    # $PFDW_WRITER_WAIT_S, else SCHEDULED_WRITER_WAIT_S. ``pfdw run`` takes the lock itself.
    writer_wait_s: float | None = None

    def published_path(self) -> Path:
        return publish.published_path(self.path) if self.path else settings.warehouse_path()

    def data_directory(self) -> Path:
        return Path(self.data_dir) if self.data_dir else settings.data_dir()

    def runs_root(self) -> Path:
        return self.data_directory() / "runs"

    def working_copy(self, run_id: str) -> Path:
        """This run's working file, created from the published warehouse on first use; the
        first call takes the writer lock (``WriterBusyError`` when another writer holds it)."""
        wait_s = self.writer_wait_s
        if wait_s is None and not os.environ.get(writer_lock.WAIT_ENV):
            wait_s = SCHEDULED_WRITER_WAIT_S
        return publish.ensure_working_copy(
            self.published_path(), run_id, wait_s=wait_s, job="dagster run"
        )

    def teardown_after_execution(self, context) -> None:
        """At the end of a run (the code location runs jobs in one process, so resources live
        as long as the run): a run that did not publish removes its working copy and gives up
        the writer lock. After a publish there is nothing left to remove."""
        run = getattr(context, "dagster_run", None)
        run_id = run.run_id if run is not None else None
        if run_id:
            publish.discard(self.published_path(), run_id)


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


class AuditResource(ConfigurableResource):
    """Thresholds of the Great Expectations suites (``expectations.config.AuditConfig``), for
    the asset checks and the audit report alike. Unset: the documented defaults.

    ``thresholds_file`` is a JSON object of field names to values (the same file
    ``pfdw audit run --config`` takes); ``thresholds_json`` the same object
    inline, applied over the file. An unknown name is an error that lists the known ones.
    """

    thresholds_file: str | None = None
    thresholds_json: str | None = None

    def audit_config(self):
        import json

        from expectations.config import AuditConfig

        values: dict = {}
        if self.thresholds_file:
            path = Path(self.thresholds_file)
            if not path.is_file():
                raise FileNotFoundError(f"audit thresholds_file {path} does not exist")
            values.update(json.loads(path.read_text(encoding="utf-8")))
        if self.thresholds_json:
            try:
                inline = json.loads(self.thresholds_json)
            except json.JSONDecodeError as exc:
                raise ValueError(f"audit thresholds_json is not valid JSON: {exc}") from exc
            if not isinstance(inline, dict):
                raise ValueError("audit thresholds_json must be a JSON object of thresholds")
            values.update(inline)
        return AuditConfig.from_mapping(values)
