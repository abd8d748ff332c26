"""HTML for the HSSIB section of the offline snapshot.

Every value from the records goes through ``html.escape``. Text is rendered so that it reads back
verbatim: a blank line ("\\n\\n") separates ``<p>`` elements and a single "\\n" becomes ``<br>``;
nothing is trimmed. Internal links are root-relative, so pages work on any origin; canonical
links name the real hssib.org.uk address and are only written where that address is known.
The page structure (an ``article`` holding the labelled blocks in page order) is the contract the
parser in ``scrapers.hssib_recommendations.parsing`` reads; the labels are the real site's.
"""

from __future__ import annotations

from html import escape

from scrapers.snapshot.hssib.site import (
    CANONICAL_ORIGIN,
    CAPTURE_DATE_BASIS,
    CUT_OFF_NOTICE,
    EARLIEST_STORED_COPY,
    LOG_PATH,
    HssibSite,
    Investigation,
    Record,
    display_text,
)
from scrapers.snapshot.render import CAPTURED_ON_META

SITE_NAME = "Health Services Safety Investigations Body (offline snapshot)"
# Beside the judiciary replica's ``pfdw:captured-on``: how to read that date. hssib.org.uk has
# neither tag; the spider treats a page without them as captured when it was fetched.
CAPTURE_DATE_BASIS_META = "pfdw:capture-date-basis"


def paragraphs(text: str, css_class: str | None = None) -> str:
    """Text as ``<p>`` elements: blank lines split paragraphs, single newlines become ``<br>``."""
    attribute = f' class="{escape(css_class)}"' if css_class else ""
    return "".join(
        f"<p{attribute}>" + "<br>".join(escape(line) for line in chunk.split("\n")) + "</p>"
        for chunk in text.split("\n\n")
    )


def _page(title: str, body: str, canonical_url: str | None = None, head: str = "") -> str:
    canonical = f'<link rel="canonical" href="{escape(canonical_url)}">' if canonical_url else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} | HSSIB</title>{canonical}{head}</head><body>"
        f'<header class="site-header"><p><a href="{LOG_PATH}">{escape(SITE_NAME)}</a></p>'
        "</header>"
        f'<main id="main-content">{body}</main>'
        '<footer class="site-footer"><p>Offline replica built from stored copies of '
        "hssib.org.uk pages; see the project's snapshot provenance notes.</p></footer>"
        "</body></html>"
    )


def _capture_meta(record: Record) -> str:
    """The page's stated capture: a lower bound (``site.capture_date_lower_bound``)."""
    return (
        f'<meta name="{CAPTURED_ON_META}" content="{escape(record.captured_on.isoformat())}">'
        f'<meta name="{CAPTURE_DATE_BASIS_META}" content="{escape(CAPTURE_DATE_BASIS)}">'
    )


def _capture_line(record: Record) -> str:
    day = record.captured_on
    return escape(
        f"Captured on or after {display_text(day)} ({day.isoformat()}). The day of the stored "
        "copy is not recorded: this is the latest of the page's recommendation date and response "
        f"received date, where it shows them, and {display_text(EARLIEST_STORED_COPY)}, before "
        "which no stored copy was made."
    )


def _snapshot_note(record: Record) -> str:
    lines = [_capture_line(record)]
    if record.is_stand_in:
        lines.append(
            "Offline snapshot stand-in: the address of this log item on hssib.org.uk is not "
            "known, so this page has no canonical address."
        )
    if record.source_urls:
        links = ", ".join(
            f'<a href="{escape(url)}">{escape(url)}</a>' for url in record.source_urls
        )
        lines.append(f"Text taken from stored copies of: {links}")
    if record.notes:
        lines.append("Curator's note: " + escape(record.notes))
    return (
        '<aside class="snapshot-note">' + "".join(f"<p>{line}</p>" for line in lines) + "</aside>"
    )


def _cut_off_notice() -> str:
    return f'<p class="cut-off-notice"><strong>{escape(CUT_OFF_NOTICE)}</strong></p>'


def render_recommendation_page(record: Record) -> str:
    """One log item page, in the shape the record's stored page had."""
    title = record.investigation_title
    parts: list[str] = ['<article class="recommendation">']
    if record.has_header:
        date = escape(record.recommendation_date or "")
        parts.append(
            f'<h1 class="recommendation__title">{escape(title)}</h1>'
            '<p class="recommendation__investigation">From the investigation: '
            f'<a href="{escape(record.investigation_path)}">{escape(title)}</a></p>'
            '<div class="recommendation__date"><span class="label">Recommendation date:</span>'
            f' <span class="value">{date}</span></div>'
        )
    parts.append(_snapshot_note(record))
    if record.recipient_heading:
        parts.append(
            f'<h2 class="recommendation__recipient">{escape(record.recipient_heading)}</h2>'
        )
    heading = "Safety recommendation"
    if record.reference_in_heading and record.reference:
        heading += " " + record.reference
    parts.append(
        f'<section class="recommendation__text"><h2>{escape(heading)}</h2>'
        f"{paragraphs(record.recommendation_text)}</section>"
    )
    if record.cut_off_after == "recommendation":
        parts.append(_cut_off_notice())
    if record.closure_note:
        parts.append(
            f'<section class="recommendation__closure">{paragraphs(record.closure_note)}</section>'
        )
    if record.response_text:
        parts.append(
            '<section class="recommendation__response"><h2>Response:</h2>'
            f"{paragraphs(record.response_text)}</section>"
        )
    if record.cut_off_after == "response":
        parts.append(_cut_off_notice())
    if record.actions:
        items = "".join(f"<li>{escape(action.text)}</li>" for action in record.actions)
        parts.append(
            '<section class="recommendation__actions">'
            f"<h2>{escape(record.actions_heading)}</h2><ul>{items}</ul></section>"
        )
    if record.cut_off_after == "actions":
        parts.append(_cut_off_notice())
    if record.links_label:
        # The stored copy kept the label but not the links themselves.
        parts.append('<div class="recommendation__links"><p>Links:</p></div>')
    if record.response_received_date:
        parts.append(
            '<p class="recommendation__received">Response received on '
            f"{escape(record.response_received_date)}.</p>"
        )
    for section_heading, section_text in record.additional_sections:
        parts.append(
            f'<section class="recommendation__additional"><h2>{escape(section_heading)}</h2>'
            f"{paragraphs(section_text)}</section>"
        )
    parts.append(
        f'<p class="back-link"><a href="{LOG_PATH}">Back to safety recommendations log</a></p>'
    )
    parts.append("</article>")
    canonical = None if record.is_stand_in else CANONICAL_ORIGIN + record.page_path
    return _page(title, "".join(parts), canonical, _capture_meta(record))


def render_listing_page(site: HssibSite, page: int) -> str | None:
    """Listing page ``page`` (1-based) of the safety recommendations log, or None if absent."""
    records = site.listing_page(page)
    if records is None:
        return None
    entries = "".join(_listing_entry(record) for record in records)
    navigation = [f'<p class="pagination__status">Page {page} of {site.page_count}</p>']
    if page > 1:
        previous = LOG_PATH if page == 2 else f"{LOG_PATH}?page={page - 1}"
        navigation.append(f'<a rel="prev" href="{previous}">Previous page</a>')
    if page < site.page_count:
        navigation.append(f'<a rel="next" href="{LOG_PATH}?page={page + 1}">Next page</a>')
    body = (
        '<h1>Safety recommendations log</h1><ul class="log-list">'
        f'{entries}</ul><nav class="pagination">{"".join(navigation)}</nav>'
    )
    canonical = CANONICAL_ORIGIN + LOG_PATH + (f"?page={page}" if page > 1 else "")
    return _page("Safety recommendations log", body, canonical)


def _listing_entry(record: Record) -> str:
    title = escape(record.investigation_title)
    return (
        f'<li class="log-entry"><h2><a href="{escape(record.page_path)}">{title}</a></h2>'
        '<p class="log-entry__investigation">From the investigation: '
        f'<a href="{escape(record.investigation_path)}">{title}</a></p></li>'
    )


def _investigation_block(record: Record) -> str:
    heading = record.recipient_heading or " and ".join(record.recipients)
    cut = _cut_off_notice() if record.cut_off_after == "recommendation" else ""
    return (
        f'<div class="investigation-recommendation"><h3>{escape(heading)}</h3>'
        f"{paragraphs(record.recommendation_text)}{cut}"
        f'<p><a class="investigation-recommendation__link" href="{escape(record.page_path)}">'
        "Read the response in the safety recommendations log</a></p></div>"
    )


def render_investigation_page(investigation: Investigation) -> str:
    note = ""
    if investigation.recorded_urls:
        links = ", ".join(
            f'<a href="{escape(url)}">{escape(url)}</a>' for url in investigation.recorded_urls
        )
        note = (
            '<aside class="snapshot-note"><p>Offline snapshot: this page lists only the '
            f"recommendations held in the stored records. Addresses recorded: {links}</p></aside>"
        )
    blocks = "".join(_investigation_block(record) for record in investigation.records)
    body = (
        f'<article class="investigation"><h1>{escape(investigation.title)}</h1>{note}'
        '<section class="investigation__recommendations"><h2>Safety recommendations</h2>'
        f"{blocks}</section></article>"
    )
    return _page(investigation.title, body, investigation.canonical_url)


def render_not_found(path: str) -> str:
    return _page(
        "Page not found",
        f"<h1>Page not found</h1><p>No page at {escape(path)} in the HSSIB snapshot.</p>",
    )


def render_bad_request(message: str) -> str:
    return _page("Bad request", f"<h1>Bad request</h1><p>{escape(message)}</p>")
