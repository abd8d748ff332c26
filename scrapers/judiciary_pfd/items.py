"""The items yielded by the judiciary_pfd spider: one PFD report page, and the report's own text
(see ``scrapers.common.items`` for the items every spider shares and the run folder layout)."""

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
    # Inline report text split on its numbered headings, when the page carries it (the same
    # sections as its ReportTextItem): [{"number": "1", "heading": "CORONER",
    #   "section_key": "coroner", "text": "..."}]; [] when absent
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
    # Which stored copy the page is, when the offline replica says so: "page_scrape" or
    # "no_document_links" and the ISO date it was captured; None on the live site (captured when
    # fetched).
    capture_kind = scrapy.Field()
    captured_on = scrapy.Field()


class ReportTextItem(scrapy.Item):
    """The report's own words, read from the page (inline) or from its report PDF. One per report
    whose text was read in this run; a report whose PDF was already read from the same URL in an
    earlier run gets none (the warehouse keeps that text)."""

    run_file = "report_texts.jsonl"

    url = scrapy.Field()  # canonical report page URL (the report's natural key)
    text_source = scrapy.Field()  # "page" | "pdf"
    document_url = scrapy.Field()  # canonical URL of the PDF read, or None for page text
    # "sections" | "no_sections" | "stand_in" (the snapshot's stand-in PDF) | "unreadable"
    text_status = scrapy.Field()
    sent_to_text = scrapy.Field()  # the addressee block ("THIS REPORT IS BEING SENT TO:"), or None
    # [{"number": "5", "heading": "CORONER'S CONCERNS", "section_key": "coroners_concerns",
    #   "text": "..."}], in the order of the text
    sections = scrapy.Field()
    raw_text = scrapy.Field()  # the whole text read (page lines, or the PDF's text), "" if none
    page_count = scrapy.Field()  # pages in the PDF, or None
    parse_warnings = scrapy.Field()  # ["read the first 40 of 52 pages", ...]
    content_hash = scrapy.Field()  # sha256 of the parsed fields (not of the crawl time)
    crawled_at = scrapy.Field()  # ISO-8601 UTC time the text was read
