"""Pure parsing of judiciary.uk PFD listing and report pages.

Every function here takes HTML (or a parsel/Scrapy selector) and returns plain data; nothing
fetches, writes or reads the clock. Selectors and label variants live in
``scrapers.judiciary_pfd.selectors``; HTML helpers every source uses in ``scrapers.common.html``.
Values are kept verbatim: only ASCII whitespace is stripped from their ends (a trailing
non-breaking space is data, not layout), and ``<br>`` becomes "\\n".
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from parsel import Selector

from scrapers.common.html import (  # noqa: F401 (parsing.as_selector etc. for callers)
    ASCII_WHITESPACE,
    SKIPPED_TAGS,
    as_selector,
    block_text,
    element_text,
    origin_of,
    strip_ascii,
)
from scrapers.judiciary_pfd import selectors as sel
from scrapers.judiciary_pfd.labels import (  # noqa: F401 (parsing.match_header_line for callers)
    match_addressee_label,
    match_header_label,
    match_header_line,
)
from scrapers.judiciary_pfd.report_text import (  # noqa: F401 (parsing.split_report_sections)
    marked_heading,
    numbered_heading,
    split_report_sections,
    split_report_text,
)

LEGACY_POST_REASON = "legacy category post: no report header fields or documents"

_UPLOAD_MONTH = re.compile(r"/wp-content/uploads/(\d{4})/(\d{2})/")
_ISO_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:$|[T ])")
_BLOCK_LIST_TAGS = frozenset({"ul", "ol"})


# --- URLs --------------------------------------------------------------------------------------


def canonicalize_url(url: str, crawl_origin: str) -> str:
    """Replace the crawled origin with https://www.judiciary.uk; path and query stay as they are.

    URLs on any other origin are returned unchanged.
    """
    parts = urlsplit(url)
    if f"{parts.scheme.lower()}://{parts.netloc.lower()}" != origin_of(crawl_origin):
        return url
    canonical = urlsplit(sel.CANONICAL_ORIGIN)
    return urlunsplit((canonical.scheme, canonical.netloc, parts.path, parts.query, parts.fragment))


def to_crawl_url(canonical_url: str, crawl_origin: str) -> str:
    """The inverse of :func:`canonicalize_url`: where to fetch a canonical URL from."""
    return canonicalize_url(canonical_url, sel.CANONICAL_ORIGIN).replace(
        sel.CANONICAL_ORIGIN, origin_of(crawl_origin), 1
    )


def parse_upload_month(url: str) -> tuple[int | None, int | None]:
    """(year, month) from ``/wp-content/uploads/YYYY/MM/``; (None, None) for anything else."""
    match = _UPLOAD_MONTH.search(urlsplit(url).path)
    if not match:
        return None, None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None, None
    return year, month


def file_name_from_url(url: str) -> str:
    """The URL-decoded last non-empty path segment ("" for a bare origin)."""
    segments = [segment for segment in urlsplit(url).path.split("/") if segment]
    return unquote(segments[-1]) if segments else ""


def classify_document(
    file_name: str, url: str | None = None, *, is_download_button: bool = False
) -> str:
    """``response``, ``report`` or ``other``, decided from the file name (never from order).

    A file whose name contains "response" is a response. The page's own download button is its
    report. A related file named "{ref}-{Organisation}" is a response named after its author,
    unless the name says it is a report ("...-PFD-report...") or an enclosure ("...-Appendix-1",
    a Chief Coroner's letter), which is ``other``. Any other document file is a report. A link
    that is not a file (no document extension), or, when ``url`` is given, not under
    /wp-content/uploads/, is ``other`` (some "responses" are links to other report pages).
    """
    if url is not None and sel.UPLOADS_PATH not in urlsplit(url).path:
        return "other"
    lowered = file_name.lower()
    if not lowered.endswith(sel.DOCUMENT_EXTENSIONS):
        return "other"
    if any(marker in lowered for marker in sel.RESPONSE_MARKERS):
        return "response"
    if is_download_button:
        return "report"
    if re.match(sel.REF_PREFIXED_FILE, lowered):
        if any(marker in lowered for marker in sel.REPORT_MARKERS):
            return "report"
        if any(marker in lowered for marker in sel.ENCLOSURE_MARKERS):
            return "other"
        return "response"
    return "report"


# --- completeness and listings ----------------------------------------------------------------


def is_complete_page(html: str | bytes, page: Selector | None = None) -> bool:
    """A complete page has ``footer.site-footer`` and ends with ``</html>``."""
    text = html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html
    if not strip_ascii(text).lower().endswith("</html>"):
        return False
    page = page if page is not None else Selector(text=text)
    return bool(page.css(sel.PAGE_FOOTER))


def parse_page_count(html_or_selector: Any) -> int:
    """Largest number among the pagination links (and the current page); 1 without pagination."""
    page = as_selector(html_or_selector)
    raw_numbers = page.css(sel.PAGINATION_NUMBERS).getall()
    texts = (strip_ascii(text).replace(",", "") for text in raw_numbers)
    numbers = [int(value) for value in texts if value.isdigit()]
    return max(numbers, default=1)


def parse_listing_page(html_or_selector: Any, url: str, crawl_origin: str | None = None) -> dict:
    """Cards and page count of a listing page.

    Returns ``{"cards": [{"url", "canonical_url", "title", "date_added"}], "page_count": int}``;
    ``url`` is the address the page was fetched from (relative links resolve against it).
    """
    page = as_selector(html_or_selector)
    origin = crawl_origin or origin_of(url)
    cards = []
    seen: set[str] = set()
    for link in page.css(sel.LISTING_CARD_LINK):
        href = strip_ascii(link.attrib.get("href", ""))
        if not href:
            continue
        absolute = urljoin(url, href)
        if absolute in seen:
            continue
        seen.add(absolute)
        card_time = link.xpath("ancestor::div[contains(@class, 'card')][1]").css(
            sel.LISTING_CARD_TIME
        )
        cards.append(
            {
                "url": absolute,
                "canonical_url": canonicalize_url(absolute, origin),
                "title": strip_ascii(element_text(link)),
                "date_added": card_time.get(),
            }
        )
    return {"cards": cards, "page_count": parse_page_count(page)}


# --- report pages ------------------------------------------------------------------------------


_INLINE_TEXT_START = re.compile(r"^\s*(?:regulation\s+28\b|1\s*[.)]?\s+CORONER\b)", re.IGNORECASE)


def _flow_blocks(flow: Selector) -> list[Selector]:
    """``div.flow``'s blocks in order (list items one by one, tables whole), file blocks
    skipped."""
    blocks: list[Selector] = []
    for child in flow.xpath("./*"):
        tag = child.root.tag.lower() if isinstance(child.root.tag, str) else ""
        classes = child.attrib.get("class", "")
        if not tag or tag in SKIPPED_TAGS:
            continue
        if "wp-block-file" in classes or "govuk-button" in classes:
            continue
        if tag in _BLOCK_LIST_TAGS:
            blocks.extend(child.xpath("./li"))
            continue
        blocks.append(child)
    return blocks


def _report_block_text(block: Selector) -> str:
    """A block of inline report text as lines; a heading (``<h3>``, or a leading ``<strong>``)
    gets a line of its own ("<p><strong>5 CORONER'S CONCERNS</strong> During ..." ->
    "5 CORONER'S CONCERNS" / "During ...") and, when unnumbered, its template number."""
    text = block_text(block)
    if block.root.tag.lower() in sel.REPORT_TEXT_HEADING_TAGS:
        return marked_heading(text) or text
    first = block.xpath("./*[1]")
    if not first or strip_ascii(block.root.text or ""):
        return text
    tag = first[0].root.tag
    if not isinstance(tag, str) or tag.lower() not in sel.REPORT_TEXT_HEADING_TAGS:
        return text
    heading = block_text(first[0])
    line = marked_heading(heading) if heading and text.startswith(heading) else None
    if line is None:
        return text
    rest = strip_ascii(text[len(heading) :])
    return "\n".join(part for part in (line, rest) if part)


def _report_table_lines(table: Selector) -> list[str]:
    """Report text held as GOV.UK table rows keyed by the heading cell (header rows, with a
    ``th`` label, are not report text)."""
    lines: list[str] = []
    for row in table.css(sel.REPORT_TEXT_TABLE_ROWS):
        if row.xpath("./th"):
            continue
        cells = row.xpath(f"./{sel.REPORT_TEXT_TABLE_CELLS}")
        if len(cells) < 2:
            continue
        lines.append(numbered_heading(block_text(cells[0])))
        lines.extend(text for cell in cells[1:] if (text := block_text(cell)))
    return lines


def _is_report_text_start(text: str, header_text: str, labels: dict[str, str]) -> bool:
    """The report's own text starts here: its title, its section 1, or its addressee label (a
    "sent to" label standing alone, or one after the header's own)."""
    if _INLINE_TEXT_START.match(text):
        return True
    addressee = match_addressee_label(strip_ascii(header_text))
    return addressee is not None and (not addressee or sel.ADDRESSEE_FIELD in labels)


def _parse_header(page: Selector) -> dict:
    header: dict[str, str | None] = dict.fromkeys(sel.HEADER_FIELDS)
    labels: dict[str, str] = {}
    warnings: list[str] = []
    inline_lines: list[str] = []
    read_tables: set[int] = set()

    def record(field: str, label: str, value: str) -> None:
        if field in labels:
            warnings.append(f"duplicate label: {field}")
            return
        header[field] = value
        labels[field] = label

    in_inline_text = False
    for flow in page.css(sel.HEADER_FLOW):
        for block in _flow_blocks(flow):
            if block.root.tag.lower() == "table":
                read_tables.add(id(block.root))
                table_lines = _report_table_lines(block)
                if table_lines:
                    in_inline_text = True
                    inline_lines.extend(table_lines)
                continue
            text = element_text(block)
            report_lines = _report_block_text(block)
            if not in_inline_text and _is_report_text_start(report_lines, text, labels):
                in_inline_text = True
            if in_inline_text:
                inline_lines.append(report_lines)
                continue
            matched = match_header_line(text)
            if matched:
                record(*matched)
            elif strip_ascii(text):
                inline_lines.append(report_lines)
    for table in page.xpath("//table"):
        if id(table.root) not in read_tables:
            inline_lines.extend(_report_table_lines(table))
    for row in page.css(sel.HEADER_TABLE_ROWS):
        label_cell = row.css(sel.HEADER_TABLE_LABEL)
        value_cell = row.css(sel.HEADER_TABLE_VALUE)
        if not label_cell or not value_cell:
            continue
        matched_label = match_header_label(element_text(label_cell[0]))
        if matched_label:
            record(matched_label[0], matched_label[1], strip_ascii(element_text(value_cell[0])))
    for field in sel.HEADER_FIELDS:
        if field not in labels:
            warnings.append(f"missing label: {field}")
    return {
        "header": header,
        "header_labels": labels,
        "warnings": warnings,
        "inline_text": "\n".join(line for line in inline_lines if line),
    }


def _parse_title(page: Selector) -> str | None:
    for query in (sel.REPORT_TITLE, sel.REPORT_TITLE_FALLBACK):
        found = page.css(query)
        if found:
            return strip_ascii(element_text(found[0]))
    return None


def _parse_date_added(page: Selector) -> tuple[str | None, str | None, list[str]]:
    found = page.css(sel.REPORT_DATE_ADDED)
    if not found:
        return None, None, ["missing date_added"]
    time_element = found[0]
    raw = time_element.attrib.get("datetime")
    text = strip_ascii(element_text(time_element))
    warnings = []
    if raw is None:
        warnings.append("missing date_added: time element has no datetime attribute")
    elif not _is_iso_date(raw):
        warnings.append(f"unparseable date_added: {raw}")
    return raw, text, warnings


def _is_iso_date(raw: str) -> bool:
    match = _ISO_DATE_PREFIX.match(strip_ascii(raw))
    if not match:
        return False
    try:
        date.fromisoformat(match.group(1))
    except ValueError:
        return False
    return True


def _parse_category_pills(page: Selector, page_url: str, crawl_origin: str) -> list[dict]:
    pills = []
    for link in page.css(sel.CATEGORY_PILLS):
        href = strip_ascii(link.attrib.get("href", ""))
        canonical = canonicalize_url(urljoin(page_url, href), crawl_origin) if href else None
        slug = None
        if canonical and sel.CATEGORY_ARCHIVE_PATH in urlsplit(canonical).path:
            slug = file_name_from_url(canonical) or None
        pills.append({"text": strip_ascii(element_text(link)), "href": canonical, "slug": slug})
    return pills


def _parse_documents(page: Selector, page_url: str, crawl_origin: str) -> list[dict]:
    documents: list[dict] = []
    seen: set[str] = set()
    for source, query in sel.DOCUMENT_LINKS:
        for link in page.css(query):
            href = strip_ascii(link.attrib.get("href", ""))
            if not href or href.startswith("#"):
                continue
            url = canonicalize_url(urljoin(page_url, href), crawl_origin)
            if url in seen:
                continue
            seen.add(url)
            file_name = file_name_from_url(url)
            kind = classify_document(file_name, url, is_download_button=source == "file_button")
            if source == "file_button" and kind == "other":
                # The page's own download button is its report, whatever the file is called.
                kind = "report"
            upload_year, upload_month = parse_upload_month(url)
            documents.append(
                {
                    "url": url,
                    "link_text": strip_ascii(element_text(link)),
                    "file_name": file_name,
                    "upload_year": upload_year,
                    "upload_month": upload_month,
                    "kind": kind,
                    "position": len(documents) + 1,
                    "source": source,
                }
            )
    return documents


HASHED_FIELDS = (
    "page_title",
    "date_added_raw",
    "date_added_text",
    "header",
    "header_labels",
    "category_pills",
    "report_sections",
    "documents",
)


def content_hash(parsed: dict) -> str:
    """sha256 of a canonical JSON of the parsed content; independent of raw HTML and crawl time."""
    content = {field: parsed.get(field) for field in HASHED_FIELDS}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_report_page(html_or_selector: Any, url: str, crawl_origin: str | None = None) -> dict:
    """Parse one report page into the ReportItem fields that come from the page itself.

    ``url`` is the address the page was fetched from; ``crawl_origin`` (default: its origin)
    is replaced by https://www.judiciary.uk in every URL returned. ``is_empty`` is True when
    the page has no header fields and no documents (a legacy category post, or layout drift).
    ``inline_text`` is the report's own text shown on the page, as lines ("" when none).
    """
    page = as_selector(html_or_selector)
    origin = crawl_origin or origin_of(url)
    date_added_raw, date_added_text, date_warnings = _parse_date_added(page)
    header = _parse_header(page)
    documents = _parse_documents(page, url, origin)
    parsed = {
        "url": canonicalize_url(url, origin),
        "page_title": _parse_title(page),
        "date_added_raw": date_added_raw,
        "date_added_text": date_added_text,
        "header": header["header"],
        "header_labels": header["header_labels"],
        "category_pills": _parse_category_pills(page, url, origin),
        "report_sections": split_report_sections(header["inline_text"]),
        "documents": documents,
        "parse_warnings": date_warnings + header["warnings"],
    }
    parsed["content_hash"] = content_hash(parsed)
    # Not hashed: it says which stored copy the page is, not what the page shows.
    parsed["capture_kind"], parsed["captured_on"] = parse_capture(page)
    parsed["is_empty"] = not header["header_labels"] and not documents
    parsed["inline_text"] = header["inline_text"]
    return parsed


def parse_capture(page: Selector) -> tuple[str | None, str | None]:
    """(capture kind, ISO capture date) that the offline replica states for the stored copy it
    serves (``<meta name="pfdw:capture-kind">``, ``<meta name="pfdw:captured-on">``); (None, None)
    on the live site, whose pages are captured when fetched. Values it does not know are dropped."""
    kind = strip_ascii(page.css(sel.CAPTURE_KIND_META).attrib.get("content", ""))
    day = strip_ascii(page.css(sel.CAPTURED_ON_META).attrib.get("content", ""))
    if kind not in sel.CAPTURE_KINDS or not _is_iso_date(day):
        return None, None
    return kind, day[:10]


def report_pdf_url(documents: list[dict]) -> str | None:
    """The report PDF whose text is read when the page shows none: the first document of kind
    "report" that is a PDF (a .docx report is not read)."""
    for document in documents:
        path = urlsplit(document["url"]).path.lower()
        if document["kind"] == "report" and path.endswith(sel.REPORT_PDF_EXTENSION):
            return document["url"]
    return None
