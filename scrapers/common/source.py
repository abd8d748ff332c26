"""What the crawl runner needs to know of one source: ``CRAWL_SOURCE`` in ``scrapers/<slug>/``.

The crawl runner (``scrapers.crawl``) reads the spec of the slug it is asked to crawl and names no
source itself. A spec holds plain values only, so reading it imports neither Scrapy nor the spider.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field

import scrapers

NOT_SOURCES = frozenset({"common", "snapshot"})


@dataclass(frozen=True)
class CrawlSource:
    slug: str  # spider name, package scrapers/<slug>/, raw table prefix
    canonical_origin: str  # the live site; every URL in an item is rewritten onto it
    # run count name -> the run folder file whose lines it counts (run.json "counts")
    item_counts: dict[str, str] = field(default_factory=dict)
    modes: tuple[str, ...] = ("full",)

    @property
    def spider_module(self) -> str:
        return f"scrapers.{self.slug}.spider"

    @property
    def selectors_file(self) -> str:
        """Where a layout-drift message sends a person: the one module of selectors."""
        return f"scrapers/{self.slug}/selectors.py"


def source_slugs() -> list[str]:
    """The packages under scrapers/ that are sources (each has a ``CRAWL_SOURCE``)."""
    return sorted(
        module.name
        for module in pkgutil.iter_modules(scrapers.__path__)
        if module.ispkg and module.name not in NOT_SOURCES
    )


def crawl_source(slug: str) -> CrawlSource:
    """The spec of ``slug``; a clear error naming the known slugs when there is none."""
    if slug not in source_slugs():
        raise ValueError(f"unknown spider {slug!r}; known: {', '.join(source_slugs())}")
    spec = getattr(importlib.import_module(f"scrapers.{slug}"), "CRAWL_SOURCE", None)
    if not isinstance(spec, CrawlSource) or spec.slug != slug:
        raise ValueError(f"scrapers/{slug}/__init__.py must define CRAWL_SOURCE for {slug!r}")
    return spec
