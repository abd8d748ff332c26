"""judiciary_pfd: Prevention of Future Deaths reports on judiciary.uk (items, selectors, parsing,
the report's own text from the page or its PDF, spider)."""

from scrapers.common.source import CrawlSource

CANONICAL_ORIGIN = "https://www.judiciary.uk"

CRAWL_SOURCE = CrawlSource(
    slug="judiciary_pfd",
    canonical_origin=CANONICAL_ORIGIN,
    item_counts={"reports_parsed": "reports.jsonl", "report_texts": "report_texts.jsonl"},
    modes=("full", "incremental"),
)
