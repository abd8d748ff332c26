"""Run statistics: count items by type and write ``stats.json`` to the run folder at close."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from typing import Any

from scrapy import signals

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
        self.run_dir.mkdir(parents=True, exist_ok=True)
        target = self.run_dir / STATS_FILE
        partial = target.with_suffix(".json.partial")
        partial.write_text(
            json.dumps(json_safe(stats), indent=2, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        os.replace(partial, target)
