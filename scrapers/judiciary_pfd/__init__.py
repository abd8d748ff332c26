"""judiciary_pfd: Prevention of Future Deaths reports on judiciary.uk (items, selectors, parsing,
spider)."""

from scrapers.common.source import CrawlSource

CANONICAL_ORIGIN = "https://www.judiciary.uk"

CRAWL_SOURCE = CrawlSource(
    slug="judiciary_pfd",
    canonical_origin=CANONICAL_ORIGIN,
    item_counts={"reports_parsed": "reports.jsonl"},
    modes=("full", "incremental"),
)
