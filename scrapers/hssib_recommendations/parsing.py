"""Pure parsing of HSSIB safety recommendations log pages (listing, log items, investigations).

Every function takes HTML (or a parsel/Scrapy selector) and plain values and returns plain data;
nothing fetches, writes or reads the clock. Selectors, labels and phrases live in
``scrapers.hssib_recommendations.selectors``. Text is kept verbatim: ``<br>`` becomes "\\n",
paragraphs of one section are joined with a blank line, and nothing inside a paragraph is trimmed
or collapsed.

This module is the one the spider and the tests use. The parts it is built from sit beside it:
``blocks`` (a page as headings, paragraphs and list items), ``due_dates`` (day dates and the due
dates of planned actions, with the rule for periods) and ``recipients`` (who a recommendation is
addressed to); their public functions are importable from here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from parsel import Selector

from scrapers.common.html import (
    ASCII_WHITESPACE,
    as_selector,
    element_text,
    origin_of,
    strip_ascii,
)
from scrapers.hssib_recommendations import selectors as sel
from scrapers.hssib_recommendations.blocks import Block, page_blocks, shorten
from scrapers.hssib_recommendations.due_dates import (
    DueDate,
    find_due_phrase,
    parse_day_month_year,
    parse_planned_action,
)
from scrapers.hssib_recommendations.recipients import (
    RecipientParse,
    parse_recipients,
    split_recipient_names,
)

__all__ = [
    "Block",
    "DueDate",
    "ListingEntry",
    "ListingPage",
    "RecipientParse",
    "canonicalize_url",
    "declared_log_url",
    "find_due_phrase",
    "has_page_footer",
    "is_real_site_url",
    "origin_of",
    "page_blocks",
    "parse_capture",
    "parse_day_month_year",
    "parse_investigation_page",
    "parse_listing_page",
    "parse_planned_action",
    "parse_recipients",
    "parse_recommendation_page",
    "recommendation_from_investigation_block",
    "split_recipient_names",
]

# ------------------------------------------------------------------------------------------------
# URLs


def is_real_site_url(url: str) -> bool:
    """Whether a URL is on hssib.org.uk itself (so its path is a real address)."""
    return (urlsplit(url).hostname or "").lower() in sel.REAL_HOSTS


def canonicalize_url(url: str, crawl_origin: str) -> str:
    """Put a URL on the real origin, https://www.hssib.org.uk, when it is on the crawled origin
    or on hssib.org.uk already (with or without www). Other URLs are returned unchanged."""
    parts = urlsplit(url)
    this_origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
    if this_origin != origin_of(crawl_origin) and not is_real_site_url(url):
        return url
    canonical = urlsplit(sel.CANONICAL_ORIGIN)
    return urlunsplit((canonical.scheme, canonical.netloc, parts.path, parts.query, parts.fragment))


# ------------------------------------------------------------------------------------------------
# Pages


def _label_is(label: str, expected: str) -> bool:
    return label.casefold() == expected.casefold()


def _starts_with_label(label: str, expected: str) -> bool:
    return label.casefold().startswith(expected.casefold())


def _main_container(selector: Selector) -> Any:
    for css in sel.MAIN_CONTENT.split(","):
        found = selector.css(css.strip())
        if found:
            return found[0].root
    body = selector.css("body")
    return (body[0] if body else selector).root


def _absolute(href: str, page_url: str) -> str:
    return urljoin(page_url, href.strip())


def has_page_footer(html_or_selector: Any) -> bool:
    """False when a page arrived cut off in transit (its footer never came)."""
    return bool(as_selector(html_or_selector).css(sel.PAGE_FOOTER))


def declared_log_url(selector: Selector, page_url: str) -> tuple[str | None, list[str]]:
    """The real address of a log item: the page's canonical link, else the crawled URL when it
    was crawled from hssib.org.uk itself, else unknown (None, with a warning)."""
    crawl_origin = origin_of(page_url)
    canonical = selector.css(sel.CANONICAL_LINK).get()
    if canonical and canonical.strip():
        return canonicalize_url(_absolute(canonical, page_url), crawl_origin), []
    if is_real_site_url(page_url):
        return canonicalize_url(page_url.split("#")[0], crawl_origin), []
    return None, ["log item address on hssib.org.uk not known: the page declares no canonical link"]


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day(text: str) -> date | None:
    if not _ISO_DAY.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_capture(html_or_selector: Any) -> tuple[str | None, str | None, list[str]]:
    """(captured_on, capture_date_basis, warnings): the capture a log item page states.

    The offline replica states the day of the stored copy it serves and how to read it
    (``<meta name="pfdw:captured-on" content="2025-08-25">``, ``<meta
    name="pfdw:capture-date-basis" content="on_or_after">``: captured on or after that day).
    hssib.org.uk states neither, so a live page gives (None, None): it was captured when fetched.
    Both or neither: a date that is not an ISO day, a basis not in ``sel.CAPTURE_DATE_BASES``, or
    one without the other drops both to None with a warning naming the value."""
    selector = as_selector(html_or_selector)
    raw_day = selector.css(sel.CAPTURED_ON_META).get()
    raw_basis = selector.css(sel.CAPTURE_DATE_BASIS_META).get()
    if raw_day is None and raw_basis is None:
        return None, None, []
    day = _iso_day(strip_ascii(raw_day or ""))
    basis = strip_ascii(raw_basis or "")
    problems = []
    if raw_day is None:
        problems.append("no capture date")
    elif day is None:
        problems.append(f"capture date {raw_day!r} is not an ISO date (YYYY-MM-DD)")
    if raw_basis is None:
        problems.append("no capture date basis")
    elif basis not in sel.CAPTURE_DATE_BASES:
        problems.append(
            f"capture date basis {raw_basis!r} is not one of {sorted(sel.CAPTURE_DATE_BASES)}"
        )
    if problems:
        return None, None, [f"stated capture dropped: {'; '.join(problems)}"]
    return day.isoformat(), basis, []


_SECTION_OF_STATE = {
    "start": "header",
    "awaiting_date": "header",
    "recipient": "header",
    "recommendation": "recommendation",
    "response": "response",
    "actions": "actions",
    "links": "links",
    "received": "received",
    "additional": "additional_section",
}


def parse_recommendation_page(html_or_selector: Any, page_url: str) -> dict:
    """Parse one log item page into plain fields (those of HssibRecommendationItem).

    ``page_url`` is the URL the page was fetched from; links are resolved against it and put on
    the real origin.
    """
    selector = as_selector(html_or_selector)
    crawl_origin = origin_of(page_url)
    warnings: list[str] = []
    log_url, log_warnings = declared_log_url(selector, page_url)
    warnings.extend(log_warnings)

    page_title = None
    investigation_title = investigation_url = None
    date_raw = None
    date_label_seen = False
    recipient_heading = None
    reference = reference_source = None
    actions_heading = None
    links_label_present = False
    received_raw = None
    closure_note = None
    truncated = False
    truncated_in = None
    recommendation_paragraphs: list[str] = []
    response_paragraphs: list[str] = []
    action_texts: list[str] = []
    additional_sections: list[dict] = []
    state = "start"

    for block in page_blocks(_main_container(selector)):
        label = block.label
        if not label and state != "recommendation" and state != "response":
            continue
        if state == "awaiting_date":
            state = "start"
            if not block.is_heading and parse_day_month_year(label):
                date_raw = label
                continue
        if label.startswith(sel.CUT_OFF_NOTICE):
            truncated = True
            truncated_in = truncated_in or _SECTION_OF_STATE[state]
            continue
        if _label_is(label, sel.BACK_TO_LOG_TEXT):
            break
        if block.tag == "h1" and page_title is None and state == "start":
            page_title = label
            continue
        if _starts_with_label(label, sel.INVESTIGATION_LABEL):
            investigation_title = label[len(sel.INVESTIGATION_LABEL) :].strip() or None
            if block.links and block.links[0][0]:
                href = _absolute(block.links[0][0], page_url)
                investigation_url = canonicalize_url(href, crawl_origin)
            continue
        if _starts_with_label(label, sel.RECOMMENDATION_DATE_LABEL):
            date_label_seen = True
            value = label[len(sel.RECOMMENDATION_DATE_LABEL) :].strip()
            if value:
                date_raw = value
            else:
                state = "awaiting_date"
            continue
        if (
            block.is_heading
            and _starts_with_label(label, sel.RECOMMENDATION_HEADING)
            and (state in ("start", "recipient"))
        ):
            state = "recommendation"
            ref = sel.REFERENCE_ON_PAGE.search(label[len(sel.RECOMMENDATION_HEADING) :])
            if ref:
                reference, reference_source = ref.group(1), "page"
            continue
        if _label_is(label, sel.RESPONSE_HEADING):
            state = "response"
            continue
        matched_actions = next((h for h in sel.ACTIONS_HEADINGS if _label_is(label, h)), None)
        if matched_actions:
            actions_heading = label
            state = "actions"
            continue
        if _label_is(label, sel.LINKS_LABEL):
            links_label_present = True
            state = "links"
            continue
        received = sel.RESPONSE_RECEIVED.match(label)
        if received and not block.in_list:
            received_raw = received["date"].strip()
            state = "received"
            continue
        if state in ("start", "recipient") and block.is_heading:
            recipient_heading = label
            state = "recipient"
            continue
        if state in ("recommendation", "response") and sel.CLOSURE_NOTE.search(label):
            closure_note = block.text
            continue
        if block.is_heading and state in ("response", "actions", "links", "received", "additional"):
            additional_sections.append({"heading": label, "paragraphs": []})
            state = "additional"
            continue
        if state == "recommendation":
            recommendation_paragraphs.append(block.text)
        elif state == "response":
            response_paragraphs.append(block.text)
        elif state == "actions":
            action_texts.append(block.text.strip(ASCII_WHITESPACE) if block.in_list else block.text)
        elif state == "additional":
            additional_sections[-1]["paragraphs"].append(block.text)
        elif state == "links":
            continue  # the link list itself; link targets are not part of the record
        else:
            warnings.append(f"unexpected text in {_SECTION_OF_STATE[state]}: {shorten(label)!r}")

    recommendation_text = "\n\n".join(recommendation_paragraphs) or None
    response_text = "\n\n".join(response_paragraphs) or None
    if recommendation_text is None:
        warnings.append("no safety recommendation text on the page")
    if date_label_seen and date_raw is None:
        warnings.append("recommendation date is empty")
    elif not date_label_seen:
        warnings.append("no recommendation date label (page has no header block)")
    recommendation_date = parse_day_month_year(date_raw)
    if date_raw and recommendation_date is None:
        warnings.append(f"unparseable recommendation date: {date_raw!r}")

    recipients = parse_recipients(recommendation_text or "", recipient_heading)
    warnings.extend(recipients.warnings)

    if reference is None and response_text:
        quoted = sel.REFERENCE_QUOTED.search(response_text)
        if quoted:
            reference = quoted.group(1) or quoted.group(2)
            reference_source = "response_text"

    planned_actions = []
    for position, text in enumerate(action_texts, start=1):
        action, action_warnings = parse_planned_action(text, position)
        planned_actions.append(action)
        warnings.extend(action_warnings)
    if actions_heading and not planned_actions:
        warnings.append("actions heading with no actions under it")

    received_date = parse_day_month_year(received_raw)
    if received_raw and received_date is None:
        warnings.append(f"unparseable response received date: {received_raw!r}")
    if response_text and received_raw is None and not truncated:
        warnings.append("response without a 'Response received on' date")
    if truncated:
        warnings.append(f"record cut off in the stored copy (in {truncated_in})")
    captured_on, capture_date_basis, capture_warnings = parse_capture(selector)
    warnings.extend(capture_warnings)
    latest_shown = max((d for d in (recommendation_date, received_date) if d), default=None)
    if captured_on and latest_shown and date.fromisoformat(captured_on) < latest_shown:
        warnings.append(
            f"stated capture date {captured_on} is before the latest date the page shows "
            f"({latest_shown.isoformat()})"
        )

    return {
        "page_title": page_title,
        "log_url": log_url,
        "investigation_title": investigation_title,
        "investigation_url": investigation_url,
        "reference": reference,
        "reference_source": reference_source,
        "recommendation_date_raw": date_raw,
        "recommendation_date": recommendation_date.isoformat() if recommendation_date else None,
        "recipient_heading": recipient_heading,
        "recommendation_prefix": recipients.prefix,
        "recipient_phrase": recipients.phrase,
        "recipients": recipients.names,
        "recipients_source": recipients.source,
        "recommendation_text": recommendation_text,
        "response_text": response_text,
        "closure_note": closure_note,
        "actions_heading": actions_heading,
        "planned_actions": planned_actions,
        "links_label_present": links_label_present,
        "additional_sections": [
            {"heading": s["heading"], "text": "\n\n".join(s["paragraphs"])}
            for s in additional_sections
        ],
        "response_received_raw": received_raw,
        "response_received_date": received_date.isoformat() if received_date else None,
        "truncated": truncated,
        "truncated_in": truncated_in,
        "captured_on": captured_on,
        "capture_date_basis": capture_date_basis,
        "parse_warnings": warnings,
    }


@dataclass(frozen=True)
class ListingEntry:
    item_url: str  # absolute, on the crawled origin (to fetch)
    investigation_title: str | None
    investigation_url: str | None  # absolute, on the crawled origin


@dataclass(frozen=True)
class ListingPage:
    entries: list[ListingEntry]
    next_page_url: str | None  # absolute, on the crawled origin


def parse_listing_page(html_or_selector: Any, page_url: str) -> ListingPage:
    """Entries of one safety recommendations log listing page, and the next page's URL."""
    selector = as_selector(html_or_selector)
    entries = []
    for entry in selector.css(sel.LISTING_ENTRY):
        href = entry.css(sel.LISTING_ENTRY_ITEM_LINK).get()
        if not href:
            continue
        investigation = entry.css(sel.LISTING_ENTRY_INVESTIGATION_LINK)
        investigation_title = investigation_url = None
        if investigation:
            investigation_title = element_text(investigation[0].root).strip() or None
            link = investigation[0].attrib.get("href")
            investigation_url = _absolute(link, page_url) if link else None
        entries.append(
            ListingEntry(_absolute(href, page_url), investigation_title, investigation_url)
        )
    next_href = selector.css(sel.LISTING_NEXT_PAGE).get()
    return ListingPage(entries, _absolute(next_href, page_url) if next_href else None)


def parse_investigation_page(html_or_selector: Any, page_url: str) -> dict:
    """An investigation page: its title, canonical URL and each recommendation block.

    Each block gives the recipient heading, the recommendation text and the log item link
    (absolute, on the crawled origin) when the page links one.
    """
    selector = as_selector(html_or_selector)
    crawl_origin = origin_of(page_url)
    title_node = selector.css(sel.INVESTIGATION_TITLE)
    title = element_text(title_node[0].root).strip() if title_node else None
    canonical = selector.css(sel.CANONICAL_LINK).get()
    url = canonicalize_url(_absolute(canonical or page_url, page_url).split("#")[0], crawl_origin)
    blocks = []
    for position, block in enumerate(selector.css(sel.INVESTIGATION_BLOCK), start=1):
        heading = block.css(sel.INVESTIGATION_BLOCK_RECIPIENT)
        heading_text = element_text(heading[0].root).strip() if heading else None
        link = block.css(sel.INVESTIGATION_BLOCK_LOG_LINK).get()
        paragraphs = []
        truncated = False
        for node in page_blocks(block.root):
            if node.is_heading or (link and any(href == link for href, _ in node.links)):
                continue
            if node.label.startswith(sel.CUT_OFF_NOTICE):
                truncated = True
                continue
            paragraphs.append(node.text)
        blocks.append(
            {
                "position": position,
                "recipient_heading": heading_text,
                "recommendation_text": "\n\n".join(paragraphs) or None,
                "log_item_url": _absolute(link, page_url) if link else None,
                "truncated": truncated,
            }
        )
    return {"title": title, "url": url, "recommendations": blocks}


def recommendation_from_investigation_block(block: dict, investigation: dict) -> dict:
    """Fields for a recommendation known only from its investigation page (no log item link)."""
    text = block["recommendation_text"] or ""
    recipients = parse_recipients(text, block["recipient_heading"])
    warnings = ["no log item page linked: fields taken from the investigation page"]
    warnings.extend(recipients.warnings)
    if block["truncated"]:
        warnings.append("record cut off in the stored copy (in recommendation)")
    return {
        "page_title": investigation["title"],
        "log_url": None,
        "investigation_title": investigation["title"],
        "investigation_url": investigation["url"],
        "reference": None,
        "reference_source": None,
        "recommendation_date_raw": None,
        "recommendation_date": None,
        "recipient_heading": block["recipient_heading"],
        "recommendation_prefix": recipients.prefix,
        "recipient_phrase": recipients.phrase,
        "recipients": recipients.names,
        "recipients_source": recipients.source,
        "recommendation_text": block["recommendation_text"],
        "response_text": None,
        "closure_note": None,
        "actions_heading": None,
        "planned_actions": [],
        "links_label_present": False,
        "additional_sections": [],
        "response_received_raw": None,
        "response_received_date": None,
        "truncated": block["truncated"],
        "truncated_in": "recommendation" if block["truncated"] else None,
        # Investigation pages state no capture: the block was captured when it was fetched.
        "captured_on": None,
        "capture_date_basis": None,
        "parse_warnings": warnings,
    }
