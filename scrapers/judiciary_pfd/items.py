"""The item yielded by the judiciary_pfd spider: one PFD report page (see
``scrapers.common.items`` for the items every spider shares and the run folder layout)."""

from __future__ import annotations

import scrapy


class ReportItem(scrapy.Item):
    """One PFD report page, as displayed. Raw text is kept verbatim (no trimming of inner text)."""

    # The run folder file scrapers.pipelines.JsonLinesRunPipeline writes these items to.
    run_file = "reports.jsonl"

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
