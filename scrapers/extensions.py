"""Run statistics (``stats.json`` at close) and crawl progress (``progress.json`` every few
seconds) in the run folder."""

from __future__ import annotations

import json
import os
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.utils.asyncio import create_looping_call

from scrapers.common.progress import (
    DEFAULT_PROGRESS_INTERVAL_S,
    PROGRESS_FILE,
    PROGRESS_INTERVAL_SETTING,
    STAT_LISTING_PAGES_EXPECTED,
)
from scrapers.pipelines import run_dir_from_settings

STATS_FILE = "stats.json"
ITEM_TYPE_PREFIX = "pfdw/items/"


def json_safe(value: Any) -> Any:
    """Scrapy stats hold datetimes and, occasionally, other objects: make them JSON values."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


class RunStatsExtension:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.run_dir = run_dir_from_settings(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunStatsExtension:
        extension = cls(crawler)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def item_scraped(self, item: Any, spider: Any = None) -> None:
        self.crawler.stats.inc_value(f"{ITEM_TYPE_PREFIX}{type(item).__name__}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats())
        # CoreStats sets this on the same signal; set it here too so order never matters.
        stats["finish_reason"] = reason
        write_json_atomically(self.run_dir / STATS_FILE, json_safe(stats))


def write_json_atomically(target: Path, value: Any) -> None:
    """Write ``value`` as JSON beside ``target`` and rename it into place: a reader sees the
    old file or the new one, never half of one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".json.partial")
    partial.write_text(
        json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    os.replace(partial, target)


def _stage(request: Any) -> str:
    return str(request.meta.get("stage") or "")


def _is_first_request(request: Any) -> bool:
    """Not a retry of a page already asked for (Scrapy's retries, or a truncated page's)."""
    return not request.meta.get("retry_times") and not request.meta.get("truncated_attempts")


class CrawlProgressExtension:
    """Every ``PFDW_PROGRESS_INTERVAL`` seconds, and once at close, write ``progress.json``:
    pages answered, asked for and not answered, and first asked for, per request stage
    (``request.meta["stage"]``), plus errors. The crawl runner reads it while it waits and
    turns it into a line a person reads (``scrapers.common.progress``). An interval of 0 writes
    only the closing snapshot."""

    def __init__(self, crawler: Any, interval: float):
        self.crawler = crawler
        self.run_dir = run_dir_from_settings(crawler.settings)
        self.interval = interval
        self.started = time.monotonic()
        self.sequence = 0
        self.done: dict[str, int] = {}
        self.scheduled: dict[str, int] = {}
        self.settled: dict[str, int] = {}  # left the downloader, or dropped unscheduled
        self.requested: dict[str, int] = {}
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlProgressExtension:
        interval = crawler.settings.getfloat(PROGRESS_INTERVAL_SETTING, DEFAULT_PROGRESS_INTERVAL_S)
        extension = cls(crawler, max(0.0, interval))
        for handler, signal in (
            (extension.spider_opened, signals.spider_opened),
            (extension.request_scheduled, signals.request_scheduled),
            (extension.request_dropped, signals.request_dropped),
            (extension.request_left_downloader, signals.request_left_downloader),
            (extension.response_received, signals.response_received),
            (extension.spider_closed, signals.spider_closed),
        ):
            crawler.signals.connect(handler, signal=signal)
        return extension

    def spider_opened(self, spider: Any = None) -> None:
        self.started = time.monotonic()
        if self.interval > 0:
            self.task = create_looping_call(self.write)
            self.task.start(self.interval, now=False)

    @staticmethod
    def _inc(counts: dict[str, int], stage: str) -> None:
        counts[stage] = counts.get(stage, 0) + 1

    def request_scheduled(self, request: Any, spider: Any = None) -> None:
        self._inc(self.scheduled, _stage(request))
        if _is_first_request(request):
            self._inc(self.requested, _stage(request))

    def request_dropped(self, request: Any, spider: Any = None) -> None:
        self._inc(self.settled, _stage(request))  # a duplicate: never goes out

    def request_left_downloader(self, request: Any, spider: Any = None) -> None:
        stage = _stage(request)
        if stage in self.scheduled:  # robots.txt is fetched without being scheduled
            self._inc(self.settled, stage)

    def response_received(self, response: Any, request: Any, spider: Any = None) -> None:
        self._inc(self.done, _stage(request))

    def parsing(self) -> dict[str, int]:
        """Pages answered and not yet through their callback, per stage: they may still ask
        for more (a listing page for the next one), so they count as pending."""
        engine = getattr(self.crawler, "engine", None)
        slot = getattr(getattr(engine, "scraper", None), "slot", None)
        if slot is None:
            return {}
        counts: dict[str, int] = {}
        queued = [entry[1] for entry in list(getattr(slot, "queue", ()))]
        for request in [*queued, *list(getattr(slot, "active", ()))]:
            self._inc(counts, _stage(request))
        return counts

    def snapshot(self, finish_reason: str | None = None) -> dict[str, Any]:
        stats = self.crawler.stats
        parsing = self.parsing()
        pending = {
            stage: max(0, count - self.settled.get(stage, 0)) + parsing.get(stage, 0)
            for stage, count in self.scheduled.items()
        }
        expected = stats.get_value(STAT_LISTING_PAGES_EXPECTED)
        spider = getattr(self.crawler, "spider", None)
        return {
            "spider": getattr(spider, "name", None),
            "sequence": self.sequence,
            "elapsed_s": round(time.monotonic() - self.started, 3),
            "done": dict(self.done),
            "pending": {stage: count for stage, count in pending.items() if count},
            "requested": dict(self.requested),
            "errors": int(stats.get_value(f"{ITEM_TYPE_PREFIX}CrawlErrorItem", 0) or 0),
            "items": int(stats.get_value("item_scraped_count", 0) or 0),
            "listing_pages_expected": expected if isinstance(expected, int) else None,
            "finished": finish_reason is not None,
            "finish_reason": finish_reason,
        }

    def write(self, finish_reason: str | None = None) -> None:
        self.sequence += 1
        write_json_atomically(self.run_dir / PROGRESS_FILE, self.snapshot(finish_reason))

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.write(finish_reason=reason)
