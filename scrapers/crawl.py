"""Run one crawl in a subprocess, then validate it and write ``run.json`` to the run folder.

Scrapy's reactor cannot be restarted inside a long-lived process (Dagster, pytest), so every
crawl is a fresh ``python -m scrapy crawl`` with ``SCRAPY_SETTINGS_MODULE=scrapers.settings``.
For the offline snapshot the runner starts the snapshot server itself (unless given a
``base_url``). Only a run.json with status "finished" is loadable; a crawl that exits non-zero
raises :class:`CrawlFailedError`, a crawl whose pages parse to nothing raises
:class:`LayoutDriftError`. Both are raised after run.json is written.

Command line: ``pfdw collect --crawl-only --run-dir data/runs/x --as-of 2013-10-31`` (fault
flags, ``--set NAME=VALUE`` Scrapy overrides, ``--timeout``; see ``pfdw collect --help``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from orchestration.warehouse.children import die_with_parent
from scrapers import settings as crawl_settings
from scrapers.common.items import CrawlErrorItem, NotModifiedItem, SkippedPageItem
from scrapers.common.progress import (
    DEFAULT_PROGRESS_INTERVAL_S,
    PROGRESS_FILE,
    PROGRESS_INTERVAL_SETTING,
    CrawlProgress,
    ProgressTracker,
)
from scrapers.common.source import CrawlSource, crawl_source
from scrapers.common.stats import (
    STAT_LISTING_PAGE_1_CARDS,
    STAT_LISTING_PAGES,
    STAT_REPORT_PAGES,
    STAT_REPORT_PAGES_EMPTY,
)
from scrapers.extensions import STATS_FILE
from scrapers.pipelines import ITEM_FILES

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("snapshot", "live")
MODES = ("full", "incremental")
RUN_FILE = "run.json"
LOG_FILE = "crawl.log"
CONTACT_ENV_VAR = "PFDW_CRAWLER_CONTACT"
# How often the runner looks at the crawl (for its progress file) while waiting for it to end.
POLL_SECONDS = 0.25


class CrawlError(RuntimeError):
    """A crawl that did not produce a loadable run. ``result`` holds what was recorded."""

    def __init__(self, message: str, result: CrawlResult):
        super().__init__(message)
        self.result = result


class CrawlFailedError(CrawlError):
    """The crawl process failed (non-zero exit, timeout, no stats, unusable listing)."""


class LayoutDriftError(CrawlError):
    """The site's markup no longer matches scrapers/judiciary_pfd/selectors.py."""


@dataclass(frozen=True)
class CrawlResult:
    run_id: str
    run_dir: Path
    status: str  # "finished" | "failed"
    failure_reason: str | None
    counts: dict[str, int]
    base_url: str
    returncode: int | None
    wall_seconds: float
    peak_rss_kb: int | None  # peak resident set size of the scrapy process
    run: dict[str, Any] = field(repr=False)

    @property
    def loadable(self) -> bool:
        return self.status == "finished"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def setting_arg(value: Any) -> str:
    """Render a setting for ``scrapy -s NAME=value`` so Scrapy's getters read it back."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    if isinstance(value, Path):
        return str(value)
    return str(value)


def build_settings(
    source: str, run_dir: Path, contact: str | None, overrides: dict[str, Any] | None
) -> dict[str, Any]:
    """The profile for ``source`` plus the run folder, User-Agent and caller overrides."""
    merged: dict[str, Any] = dict(crawl_settings.PROFILES[source])
    merged["PFDW_RUN_DIR"] = str(run_dir)
    merged["USER_AGENT"] = crawl_settings.user_agent(contact or crawl_settings.PLACEHOLDER_CONTACT)
    merged.update(overrides or {})
    return merged


def build_command(spider: str, spider_args: dict[str, Any], settings: dict[str, Any]) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    for name, value in spider_args.items():
        if value is not None:
            command += ["-a", f"{name}={value}"]
    for name, value in settings.items():
        if value is not None:
            command += ["-s", f"{name}={setting_arg(value)}"]
    return command


def _count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open(encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip())


def _read_json_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _wait_for_exit(pid: int, pidfd: int | None, seconds: float) -> None:
    """Sleep up to ``seconds``, waking as soon as the child exits (when a pidfd is at hand)."""
    if seconds <= 0:
        return
    if pidfd is None:
        time.sleep(seconds)
        return
    select.select([pidfd], [], [], seconds)


def _open_pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux 5.3+: poll with sleeps instead
        return None


def _run_subprocess(
    command: list[str],
    env: dict[str, str],
    log_path: Path,
    timeout_s: float | None,
    poll: Callable[[], None] | None = None,
) -> tuple[int, bool, int | None, float]:
    """Run the crawl; returns (exit code, timed out, peak RSS in KiB, wall seconds).

    While it runs, ``poll`` is called every POLL_SECONDS (in this thread: no thread is left
    behind). If anything here raises (``poll`` included, or Ctrl-C), the crawl is killed and
    reaped before the error goes on."""
    started = time.monotonic()
    deadline = started + timeout_s if timeout_s else None
    timed_out = False
    with log_path.open("ab") as log_handle:
        # The crawl dies with this process: a run killed with kill -9 leaves no Scrapy behind.
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_handle,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent(),  # noqa: PLW1509 - only arms the parent-death signal
        )
        pidfd = _open_pidfd(process.pid)
        reaped = None
        try:
            while reaped is None:
                # wait4 (not Popen.wait) so the child's peak RSS is known.
                pid, wait_status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    reaped = wait_status, usage
                    break
                now = time.monotonic()
                if deadline is not None and now >= deadline:
                    timed_out = True
                    process.kill()
                    _, wait_status, usage = os.wait4(process.pid, 0)
                    reaped = wait_status, usage
                    break
                if poll is not None:
                    poll()
                wait = POLL_SECONDS if deadline is None else min(POLL_SECONDS, deadline - now)
                _wait_for_exit(process.pid, pidfd, wait)
        finally:
            if reaped is None:  # an error or an interrupt here: the crawl must not outlive it
                process.kill()
                os.wait4(process.pid, 0)
            if pidfd is not None:
                os.close(pidfd)
        wait_status, usage = reaped
        returncode = os.waitstatus_to_exitcode(wait_status)
        process.returncode = returncode
    # ru_maxrss is in KiB on Linux.
    return returncode, timed_out, int(usage.ru_maxrss), time.monotonic() - started


class _ProgressReader:
    """Reads the crawl's progress.json while it runs; hands each new snapshot on as a line."""

    def __init__(
        self, spider: str, run_dir: Path, on_progress: Callable[[CrawlProgress], None] | None
    ):
        self.path = run_dir / PROGRESS_FILE
        self.on_progress = on_progress
        self.tracker = ProgressTracker(spider)
        self.sequence: int | None = None

    def read(self) -> dict[str, Any] | None:
        try:
            snapshot = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # not written yet (the file is replaced whole)
            return None
        return snapshot if isinstance(snapshot, dict) else None

    def poll(self) -> None:
        snapshot = self.read()
        if snapshot is None or snapshot.get("sequence") == self.sequence:
            return
        self.sequence = snapshot.get("sequence")
        progress = self.tracker.update(snapshot)
        if self.on_progress is not None and not snapshot.get("finished"):
            self.on_progress(progress)

    def finish(self, status: str, mode: str, wall_seconds: float) -> None:
        snapshot = self.read()
        if snapshot is not None and snapshot.get("sequence") != self.sequence:
            self.tracker.update(snapshot)
        if self.on_progress is not None:
            self.on_progress(self.tracker.final(status, mode, wall_seconds))


def progress_interval(value: float | str | None, overrides: dict[str, Any] | None) -> float:
    """Seconds between progress lines: ``value``, else a ``PFDW_PROGRESS_INTERVAL`` settings
    override, else $PFDW_PROGRESS_INTERVAL, else the default. 0 turns the lines off."""
    where = "progress_interval_s"
    if value is None and overrides and PROGRESS_INTERVAL_SETTING in overrides:
        value, where = overrides[PROGRESS_INTERVAL_SETTING], PROGRESS_INTERVAL_SETTING
    if value is None and os.environ.get(PROGRESS_INTERVAL_SETTING):
        value, where = os.environ[PROGRESS_INTERVAL_SETTING], f"${PROGRESS_INTERVAL_SETTING}"
    if value is None:
        return DEFAULT_PROGRESS_INTERVAL_S
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise ValueError(f"{where} must be a number of seconds, 0 or more, got {value!r}")
    return seconds


@contextlib.contextmanager
def _crawl_origin(
    source: str,
    canonical_origin: str,
    base_url: str | None,
    as_of: date | None,
    snapshot_layout: str,
    snapshot_faults: Any,
) -> Iterator[str]:
    if base_url:
        yield base_url.rstrip("/")
        return
    if source == "live":
        yield canonical_origin
        return
    from scrapers.snapshot.server import FaultConfig, SnapshotConfig, serve_in_background

    config = SnapshotConfig(
        as_of=as_of,
        layout=snapshot_layout,
        faults=snapshot_faults if snapshot_faults is not None else FaultConfig(),
        host="127.0.0.1",
        port=0,
    )
    with serve_in_background(config) as server:
        yield server.base_url.rstrip("/")


def validate_run(
    stats: dict[str, Any] | None, run_dir: Path, spider: str = "judiciary_pfd"
) -> tuple[str | None, type[CrawlError] | None]:
    """Why a crawl whose process exited 0 is still not loadable, or (None, None)."""
    # A drift message points at the one file to fix: the source's selectors.
    selectors = crawl_source(spider).selectors_file
    if stats is None:
        return f"the crawl wrote no {STATS_FILE}", CrawlFailedError
    finish_reason = stats.get("finish_reason")
    if isinstance(finish_reason, str) and finish_reason.startswith("layout drift"):
        return finish_reason, LayoutDriftError  # the canary's own words name the pages
    if finish_reason != "finished":
        return f"the crawl closed with reason {finish_reason!r}, not 'finished'", CrawlFailedError
    page_1_cards = stats.get(STAT_LISTING_PAGE_1_CARDS)
    if page_1_cards is None:
        listing_errors = [
            error
            for error in _read_json_lines(run_dir / ITEM_FILES[CrawlErrorItem])
            if error.get("stage") == "listing"
        ]
        detail = f": {listing_errors[0]['reason']}" if listing_errors else ""
        return f"listing page 1 could not be fetched{detail}", CrawlFailedError
    if page_1_cards == 0:
        return (
            "layout drift: listing page 1 had no report cards; selectors in "
            f"{selectors} no longer match the site",
            LayoutDriftError,
        )
    report_pages = int(stats.get(STAT_REPORT_PAGES, 0))
    empty_pages = int(stats.get(STAT_REPORT_PAGES_EMPTY, 0))
    if report_pages > 0 and 2 * empty_pages >= report_pages:
        return (
            f"layout drift: {empty_pages} of {report_pages} report pages parsed to nothing; "
            f"selectors in {selectors} no longer match the site",
            LayoutDriftError,
        )
    return None, None


def run_crawl(
    *,
    spider: str = "judiciary_pfd",
    source: str = "snapshot",
    run_dir: Path,
    mode: str = "full",
    state_file: Path | None = None,
    text_state_file: Path | None = None,
    base_url: str | None = None,
    as_of: date | None = None,
    snapshot_layout: str = "current",
    snapshot_faults: Any = None,
    max_listing_pages: int | None = None,
    settings_overrides: dict[str, Any] | None = None,
    timeout_s: float | None = None,
    on_progress: Callable[[CrawlProgress], None] | None = None,
    progress_interval_s: float | None = None,
) -> CrawlResult:
    """Crawl into ``run_dir`` and write its run.json; see the module docstring.

    ``on_progress`` gets a :class:`CrawlProgress` (``.line`` for a person) every
    ``progress_interval_s`` seconds while the crawl runs (see :func:`progress_interval`), and a
    last one (``final``) with totals and the average rate once it has ended."""
    spec: CrawlSource = crawl_source(spider)
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if mode == "incremental" and state_file is None:
        raise ValueError("mode='incremental' needs a state_file")
    if mode == "full" and state_file is not None:
        raise ValueError("state_file is only used with mode='incremental'")
    if state_file is not None and not Path(state_file).is_file():
        raise ValueError(f"state_file {state_file} does not exist")
    if text_state_file is not None and not Path(text_state_file).is_file():
        raise ValueError(f"text_state_file {text_state_file} does not exist")
    if source == "live" and as_of is not None:
        raise ValueError("as_of applies to the offline snapshot only; the live site is today")
    interval = progress_interval(progress_interval_s, settings_overrides)
    starts_snapshot = source == "snapshot" and not base_url
    if not starts_snapshot and (snapshot_faults is not None or snapshot_layout != "current"):
        raise ValueError(
            "snapshot_faults and snapshot_layout apply only to a snapshot the runner starts "
            "itself (source='snapshot' without base_url)"
        )
    run_dir = Path(run_dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    run_files = (
        *ITEM_FILES.values(),
        *spec.item_counts.values(),
        STATS_FILE,
        PROGRESS_FILE,
        RUN_FILE,
    )
    leftovers = [name for name in run_files if (run_dir / name).exists()]
    if leftovers:
        raise ValueError(
            f"run folder {run_dir} already holds {', '.join(leftovers)}: use a new folder per run"
        )

    contact = os.environ.get(CONTACT_ENV_VAR)
    if source == "live" and not contact:
        log.warning(
            "%s is not set: the live crawl identifies itself with a placeholder contact",
            CONTACT_ENV_VAR,
        )
    settings = build_settings(source, run_dir, contact, settings_overrides)
    settings[PROGRESS_INTERVAL_SETTING] = interval
    settings.setdefault("SPIDER_MODULES", [spec.spider_module])
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = "scrapers.settings"
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if part
    )

    started_at = _utc_now()
    with _crawl_origin(
        source, spec.canonical_origin, base_url, as_of, snapshot_layout, snapshot_faults
    ) as origin:
        spider_args = {
            "base_url": origin,
            "mode": mode,
            "state_file": str(Path(state_file).resolve()) if state_file else None,
            # Only spiders that read report documents take it (judiciary_pfd).
            "text_state_file": str(Path(text_state_file).resolve()) if text_state_file else None,
            "max_listing_pages": max_listing_pages,
        }
        command = build_command(spider, spider_args, settings)
        log.info("crawling %s (%s, %s) into %s", origin, source, mode, run_dir)
        progress = _ProgressReader(spider, run_dir, on_progress)
        returncode, timed_out, peak_rss_kb, wall_seconds = _run_subprocess(
            command, env, run_dir / LOG_FILE, timeout_s, poll=progress.poll if interval else None
        )
    finished_at = _utc_now()

    stats_path = run_dir / STATS_FILE
    stats = json.loads(stats_path.read_text(encoding="utf-8")) if stats_path.exists() else None
    counts = {
        "requests": int((stats or {}).get("downloader/request_count", 0)),
        "pages_fetched": int((stats or {}).get("downloader/response_count", 0)),
        "listing_pages": int((stats or {}).get(STAT_LISTING_PAGES, 0)),
        "report_pages": int((stats or {}).get(STAT_REPORT_PAGES, 0)),
        "not_modified": _count_lines(run_dir / ITEM_FILES[NotModifiedItem]),
        "errors": _count_lines(run_dir / ITEM_FILES[CrawlErrorItem]),
        "skipped": _count_lines(run_dir / ITEM_FILES[SkippedPageItem]),
        # The source's own item files (reports_parsed, recommendations, ...).
        **{name: _count_lines(run_dir / file) for name, file in spec.item_counts.items()},
    }
    error_type: type[CrawlError] | None
    if timed_out:
        failure_reason = f"the crawl did not finish within {timeout_s} s and was killed"
        error_type = CrawlFailedError
    elif returncode != 0:
        failure_reason = f"the crawl process exited with code {returncode}; see {LOG_FILE}"
        error_type = CrawlFailedError
    else:
        failure_reason, error_type = validate_run(stats, run_dir, spider)
    status = "failed" if failure_reason else "finished"
    logical_date = as_of or finished_at.date()
    run = {
        "run_id": run_dir.name,
        "spider": spider,
        "mode": mode,
        "source": source,
        "base_url": origin,
        "as_of": as_of.isoformat() if as_of else None,
        "logical_date": logical_date.isoformat(),
        "started_at": _iso(started_at),
        "finished_at": _iso(finished_at),
        "status": status,
        "failure_reason": failure_reason,
        "counts": counts,
        "snapshot_layout": snapshot_layout if starts_snapshot else None,
        "process": {
            "returncode": returncode,
            "wall_seconds": round(wall_seconds, 3),
            "peak_rss_kb": peak_rss_kb,
        },
        "stats": stats,
    }
    partial = run_dir / f"{RUN_FILE}.partial"
    partial.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, run_dir / RUN_FILE)
    progress.finish(status, mode, wall_seconds)
    result = CrawlResult(
        run_id=run_dir.name,
        run_dir=run_dir,
        status=status,
        failure_reason=failure_reason,
        counts=counts,
        base_url=origin,
        returncode=returncode,
        wall_seconds=wall_seconds,
        peak_rss_kb=peak_rss_kb,
        run=run,
    )
    if error_type is not None:
        raise error_type(failure_reason, result)
    return result


# FaultConfig field -> (command-line flag, type); the snapshot server owns the defaults.
FAULT_OPTIONS = {
    "error_rate": ("--error-rate", float),
    "timeout_rate": ("--timeout-rate", float),
    "timeout_seconds": ("--timeout-seconds", float),
    "slow_rate": ("--slow-rate", float),
    "slow_seconds": ("--slow-seconds", float),
    "truncate_rate": ("--truncate-rate", float),
    "permanent_error_rate": ("--permanent-error-rate", float),
    "seed": ("--fault-seed", int),
}


def fault_config(values: dict[str, Any]) -> Any:
    """A snapshot FaultConfig from FAULT_OPTIONS values, or None when none is set."""
    if not values:
        return None
    from scrapers.snapshot.server import FaultConfig

    return FaultConfig(**values)


def summary(result: CrawlResult) -> dict[str, Any]:
    return {
        "run_dir": str(result.run_dir),
        "status": result.status,
        "failure_reason": result.failure_reason,
        "counts": result.counts,
        "wall_seconds": round(result.wall_seconds, 2),
        "pages_per_second": round(result.counts["pages_fetched"] / result.wall_seconds, 1)
        if result.wall_seconds
        else None,
        "peak_rss_mb": round(result.peak_rss_kb / 1024, 1) if result.peak_rss_kb else None,
    }
