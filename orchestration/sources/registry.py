"""The ONE list of sources: one line per slug. Everything else finds a source here.

The Dagster code location makes a crawl asset and a raw load asset for every crawled source, the
dbt translator maps each dbt source table onto its raw asset, and a test checks that every slug
has its folder in every tier (``orchestration.sources.spec``). Adding a source: see ARCHITECTURE.md.
"""

from __future__ import annotations

from orchestration.sources import hssib_recommendations, judiciary_pfd, returns
from orchestration.sources.raw_runs import BOOKKEEPING_TABLES
from orchestration.sources.spec import RAW_SCHEMA, CrawlRequest, SourceSpec

SOURCES: tuple[SourceSpec, ...] = (
    judiciary_pfd.SOURCE,
    hssib_recommendations.SOURCE,
    returns.SOURCE,
)

# The crawled ones: a crawl asset and a raw load asset each.
SPIDERS: tuple[SourceSpec, ...] = tuple(source for source in SOURCES if source.crawled)


def source(slug: str) -> SourceSpec:
    for spec in SOURCES:
        if spec.slug == slug:
            return spec
    raise ValueError(f"no source {slug!r}; known: {', '.join(s.slug for s in SOURCES)}")


__all__ = [
    "BOOKKEEPING_TABLES",
    "RAW_SCHEMA",
    "SOURCES",
    "SPIDERS",
    "CrawlRequest",
    "SourceSpec",
    "source",
]
