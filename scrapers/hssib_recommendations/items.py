"""The item yielded by the hssib_recommendations spider: one HSSIB/HSIB safety recommendation.

All URLs are canonical: the origin the crawler talked to (for example the offline snapshot on
127.0.0.1) is replaced by https://www.hssib.org.uk. ``log_url`` is null when the real address of
the log item is not known (the snapshot's stand-in pages); ``page_path`` is then the stable key.
Raw text is kept verbatim beside parsed values (``*_raw`` / ``*_text`` beside ``*_date``).
"""

from __future__ import annotations

import scrapy


class HssibRecommendationItem(scrapy.Item):
    """One safety recommendation with its response and planned actions, as displayed."""

    # The run folder file scrapers.pipelines.JsonLinesRunPipeline writes these items to.
    run_file = "recommendations.jsonl"

    # Where it was read. Natural key: log_url when known, else page_path.
    log_url = scrapy.Field()  # canonical log item URL, or None when the address is not known
    page_path = scrapy.Field()  # path (and query) of the page parsed, e.g. /safety-...-log/x
    source_page_kind = scrapy.Field()  # "log_item" | "investigation_page"
    listing_page = scrapy.Field()  # listing page number the item was found on, or None
    page_title = scrapy.Field()  # h1 text, or None (pages without a header block)
    # The investigation.
    investigation_title = scrapy.Field()
    investigation_url = scrapy.Field()  # canonical investigation page URL, or None
    investigation_source = scrapy.Field()  # "page" | "listing" | "investigation_page" | None
    reference = scrapy.Field()  # "R/2024/020" or "2023/227", or None
    reference_source = scrapy.Field()  # "page" | "response_text" | None
    recommendation_date_raw = scrapy.Field()  # as displayed, or None (label empty or absent)
    recommendation_date = scrapy.Field()  # ISO date or None
    # The recommendation and who it is for.
    recipient_heading = scrapy.Field()  # a recipient heading as displayed, or None
    recommendation_prefix = scrapy.Field()  # "HSSIB recommends that" | "HSIB ..." | "It is ..."
    recipient_phrase = scrapy.Field()  # the recipient words as written in the text
    recipients = scrapy.Field()  # ["NHS England", "Medicines and Healthcare products ..."]
    recipients_source = scrapy.Field()  # "recipient_heading" | "prefix" | "subject" | "none"
    recommendation_text = scrapy.Field()
    # The response.
    response_text = scrapy.Field()  # None when the page shows no response
    closure_note = scrapy.Field()  # HSSIB's closure statement shown instead of a response
    actions_heading = scrapy.Field()  # the actions heading as displayed, or None
    # [{"position", "text" (verbatim bullet), "description", "due_text" ("by Autumn 2025"),
    #   "due_date" (ISO, END of the period), "due_rule", "additional_comments"}]
    planned_actions = scrapy.Field()
    links_label_present = scrapy.Field()  # the page shows a "Links:" label
    additional_sections = scrapy.Field()  # [{"heading", "text"}], e.g. "Additional actions ..."
    response_received_raw = scrapy.Field()  # "25 August 2025", or None
    response_received_date = scrapy.Field()  # ISO date or None
    # Completeness and diagnostics.
    truncated = scrapy.Field()  # the stored copy behind the page is cut off
    truncated_in = scrapy.Field()  # "recommendation" | "response" | "actions" | ... | None
    # The capture the page states (offline replica only): the ISO day and how to read it
    # ("on_or_after": captured on or after that day). None on hssib.org.uk, whose pages are
    # captured when fetched (crawled_at).
    captured_on = scrapy.Field()
    capture_date_basis = scrapy.Field()  # "on_or_after" | None
    parse_warnings = scrapy.Field()  # human-readable strings
    crawled_at = scrapy.Field()  # ISO-8601 UTC timestamp of the fetch
    http_etag = scrapy.Field()  # ETag response header or None
