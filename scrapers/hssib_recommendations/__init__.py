"""hssib_recommendations: HSSIB/HSIB national safety recommendations, their responses and planned
actions (items, selectors, parsing, spider; parsing is built from blocks, due_dates and
recipients)."""

from scrapers.common.source import CrawlSource

CANONICAL_ORIGIN = "https://www.hssib.org.uk"

CRAWL_SOURCE = CrawlSource(
    slug="hssib_recommendations",
    canonical_origin=CANONICAL_ORIGIN,
    item_counts={"recommendations": "recommendations.jsonl"},
)
