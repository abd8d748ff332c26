"""Item pipelines: each item type goes to its own JSON Lines file in the run folder.

File names are the contract with the raw loaders (see ``scrapers.common.items``). The shared
files, and those of the item classes a spider lists in ``run_item_types``, are created when the
spider opens, so an empty file means "none", not "not written". A source's item class names its
own file with a ``run_file`` class attribute (for example ``run_file = "recommendations.jsonl"``);
a file not created at open is created on its first item.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from scrapers.common.items import CrawlErrorItem, NotModifiedItem, SkippedPageItem

# The files every spider's run folder holds (its own items' files come from ``run_file``).
ITEM_FILES: dict[type, str] = {
    NotModifiedItem: "not_modified.jsonl",
    SkippedPageItem: "skipped.jsonl",
    CrawlErrorItem: "errors.jsonl",
}


def run_dir_from_settings(settings: Any) -> Path:
    run_dir = settings.get("PFDW_RUN_DIR")
    if not run_dir:
        raise NotConfigured(
            "PFDW_RUN_DIR is not set: pass -s PFDW_RUN_DIR=<run folder> (scrapers.crawl does)"
        )
    return Path(run_dir)


def item_to_json_line(item: Any) -> str:
    return json.dumps(ItemAdapter(item).asdict(), ensure_ascii=False, sort_keys=True) + "\n"


class JsonLinesRunPipeline:
    """Appends each item as one JSON line to its type's file, flushing after every item."""

    def __init__(self, run_dir: Path, crawler: Any = None):
        self.run_dir = run_dir
        self.crawler = crawler
        self.files: dict[type, IO[str]] = {}
        self.opened_names: dict[str, type] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> JsonLinesRunPipeline:
        return cls(run_dir_from_settings(crawler.settings), crawler)

    def open_spider(self, spider: Any = None) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        # Scrapy no longer passes the spider: the crawler knows it.
        spider = spider or getattr(self.crawler, "spider", None)
        own = {item_type: item_type.run_file for item_type in getattr(spider, "run_item_types", ())}
        for item_type, file_name in {**own, **ITEM_FILES}.items():
            self._open(item_type, file_name)

    def _open(self, item_type: type, file_name: str) -> IO[str]:
        if file_name in self.opened_names:
            raise TypeError(
                f"{item_type.__name__} and {self.opened_names[file_name].__name__} "
                f"both write {file_name}"
            )
        self.opened_names[file_name] = item_type
        handle = (self.run_dir / file_name).open("a", encoding="utf-8")
        self.files[item_type] = handle
        return handle

    def close_spider(self, spider: Any = None) -> None:
        for handle in self.files.values():
            handle.close()
        self.files.clear()
        self.opened_names.clear()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        handle = self.files.get(type(item))
        if handle is None:
            file_name = getattr(type(item), "run_file", None)
            if not isinstance(file_name, str) or not file_name.endswith(".jsonl"):
                raise TypeError(
                    f"no output file for item type {type(item).__name__}: expected one of "
                    f"{[t.__name__ for t in ITEM_FILES]} or a class with run_file = '<name>.jsonl'"
                )
            handle = self._open(type(item), file_name)
        handle.write(item_to_json_line(item))
        handle.flush()
        return item
