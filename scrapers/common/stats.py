"""Scrapy stats names the crawl runner (``scrapers.crawl.validate_run``) reads to judge a run.

Every spider sets them the same way, so one rule judges every source: listing page 1 was fetched
and not empty, and item pages did not parse to nothing (layout drift). A spider's own stats carry
its slug in their names.
"""

STAT_LISTING_PAGES = "pfdw/listing_pages"
STAT_LISTING_PAGE_1_CARDS = "pfdw/listing_page_1_cards"
STAT_REPORT_PAGES = "pfdw/report_pages"
STAT_REPORT_PAGES_EMPTY = "pfdw/report_pages_parsed_to_nothing"
