"""Typed items yielded by the spiders.

These items are the contract between the spiders (which never touch the warehouse) and the raw
loader in ``orchestration.raw_load``. The JSON Lines pipeline writes each item type to its own
file inside the crawl's run folder:

    <run_dir>/reports.jsonl        ReportItem, one per report page parsed
    <run_dir>/not_modified.jsonl   NotModifiedItem, one per conditional request answered 304
    <run_dir>/skipped.jsonl        SkippedPageItem, pages deliberately not loaded (with reason)
    <run_dir>/errors.jsonl         CrawlErrorItem, pages that could not be fetched or parsed
    <run_dir>/stats.json           Scrapy stats at close (written by scrapers.extensions)
    <run_dir>/run.json             written by scrapers.crawl when the crawl process has ended

All URLs in items are canonical: the origin the crawler actually talked to (for example the
offline snapshot on 127.0.0.1) is replaced by ``https://www.judiciary.uk``, so a snapshot crawl
and a live crawl produce the same natural keys.
"""

from __future__ import annotations

import scrapy


class ReportItem(scrapy.Item):
    """One PFD report page, as displayed. Raw text is kept verbatim (no trimming of inner text)."""

    url = scrapy.Field()  # canonical report page URL (natural key)
    page_title = scrapy.Field()  # h1 text
    date_added_raw = scrapy.Field()  # the time[datetime] attribute, verbatim, or None
    date_added_text = scrapy.Field()  # the time element's text, or None
    # Header fields as raw text, keyed by canonical field name; None when the label is absent.
    #   date_of_report, ref, deceased_name, coroner_name, coroner_area, category, sent_to
    header = scrapy.Field()
    header_labels = scrapy.Field()  # canonical field name -> label exactly as seen on the page
    category_pills = scrapy.Field()  # [{"text": ..., "href": canonical URL, "slug": ...}]
    # Inline report text split on its numbered headings, when the page carries it:
    #   [{"number": "1", "heading": "CORONER", "text": "..."}]; [] when absent
    report_sections = scrapy.Field()
    # Every document link: [{"url", "link_text", "file_name", "upload_year", "upload_month",
    #   "kind": "report"|"response"|"other", "position", "source": "file_button"|"related"}]
    documents = scrapy.Field()
    content_hash = scrapy.Field()  # sha256 hex of the parsed content (fields + documents)
    crawled_at = scrapy.Field()  # ISO-8601 UTC timestamp of the fetch
    http_etag = scrapy.Field()  # ETag response header or None
    http_last_modified = scrapy.Field()  # Last-Modified response header or None
    parse_warnings = scrapy.Field()  # ["missing label: ref", "unparseable date_added: ...", ...]
    listing_page = scrapy.Field()  # listing page number the report was found on, or None


class NotModifiedItem(scrapy.Item):
    """A revisited report page that answered 304 Not Modified to a conditional request."""

    url = scrapy.Field()
    crawled_at = scrapy.Field()
    http_etag = scrapy.Field()
    http_last_modified = scrapy.Field()


class SkippedPageItem(scrapy.Item):
    """A page in the listing that is deliberately not loaded (e.g. a legacy category post)."""

    url = scrapy.Field()
    reason = scrapy.Field()
    crawled_at = scrapy.Field()


class CrawlErrorItem(scrapy.Item):
    """A page that could not be fetched or parsed after retries. Never silently dropped."""

    url = scrapy.Field()
    stage = scrapy.Field()  # "listing" | "report"
    reason = scrapy.Field()  # human readable, e.g. "HTTP 500 after 5 attempts"
    http_status = scrapy.Field()  # int or None
    attempts = scrapy.Field()  # int
    crawled_at = scrapy.Field()
