"""HTML for the offline snapshot, following the markup contract (PDFs are in ``pdf.py``).

Every value from the data goes through ``html.escape``; a header value's newlines become
``<br>``. URLs are absolute on the origin being served, as WordPress uses its own site URL.
A report's page text, when the data has it, follows the header in one of the two markups real
pages use (table rows or ``<strong>`` headings), chosen per page by a hash of its URL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from html import escape

from scrapers.snapshot.report_text import ADDRESSEE_HEADING, ReportText, paragraphs
from scrapers.snapshot.site import (
    CANONICAL_ORIGIN,
    CATEGORIES_BY_SLUG,
    CATEGORY_ARCHIVE_PREFIX,
    FILE_BLOCK_FROM,
    HEADER_FIELDS,
    LEGACY_POST_CATEGORY_SLUGS,
    LISTING_PATH,
    REPORTS_PER_PAGE,
    Document,
    ReportCategory,
    ReportEntry,
    stable_choice,
    stable_fraction,
)

LAYOUTS = ("current", "2025-08")
# The two markups of a report's inline text (see report_text_html).
TEXT_MARKUPS = ("table", "strong")
SITE_NAME = "Courts and Tribunals Judiciary"
LISTING_TITLE = "Prevention of future death reports"

CANONICAL_LABELS = {
    "date_of_report": "Date of report",
    "ref": "Ref",
    "deceased_name": "Deceased name",
    "coroner_name": "Coroner name",
    "coroner_area": "Coroner Area",
    "category": "Category",
    "sent_to": "This report is being sent to",
}
# Variants seen on judiciary.uk (judiciary-site.md), with the case and apostrophe variations the
# parser must also meet. Pages using variants are picked by hash (see label_for).
LABEL_VARIANTS = {
    "date_of_report": ("Date of report", "Date of reports", "Date of Report"),
    "ref": ("Ref",),
    "deceased_name": (
        "Deceased name",
        "Deceased's name",
        "Deceased\u2019s name",
        "Name of deceased",
        "Deceased Name",
    ),
    "coroner_name": (
        "Coroner name",
        "Coroners name",
        "Coroner's name",
        "Coroner\u2019s name",
        "Name of coroner",
        "Coroner Name",
    ),
    "coroner_area": (
        "Coroner Area",
        "Coroners Area",
        "Coroner's Area",
        "Coroner\u2019s Area",
        "Coroner area",
    ),
    "category": ("Category",),
    "sent_to": (
        "This report is being sent to",
        "This report is sent to",
        "These reports are being sent to",
        "This death is being sent to",
        "This is being sent to",
        "This has been sent to",
        "These reports have been sent to",
        "The report is being sent to",
        "This report was being sent to",
        "This Report is being sent to",
    ),
}
VARIANT_PAGE_SHARE = 0.25
SPACE_BEFORE_COLON_SHARE = 0.1


def layout_is_known(layout: str) -> bool:
    return layout in LAYOUTS


def on_origin(canonical_url: str, origin: str) -> str:
    """A canonical judiciary.uk URL moved onto the origin being served."""
    if canonical_url.startswith(CANONICAL_ORIGIN):
        return origin + canonical_url[len(CANONICAL_ORIGIN) :]
    return canonical_url


def header_value_html(value: str) -> str:
    return escape(value).replace("\r\n", "\n").replace("\n", "<br>")


def label_for(entry_url: str, field: str) -> tuple[str, str]:
    """(label, separator) for a header field on a page: canonical for most pages."""
    if stable_fraction("label-variant-page", entry_url) >= VARIANT_PAGE_SHARE:
        return CANONICAL_LABELS[field], ":"
    label = stable_choice(LABEL_VARIANTS[field], "label-variant", entry_url, field)
    space_before = stable_fraction("colon", entry_url, field) < SPACE_BEFORE_COLON_SHARE
    return label, " :" if space_before else ":"


def display_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def time_element(day: dt.date | None) -> str:
    if day is None:
        return ""
    return f'<time datetime="{day.isoformat()}">{display_date(day)}</time>'


# The replica says, on each report page, when the stored copy it serves was captured and whether
# that copy had its document links: a status must not call a response "overdue" when the capture
# could not have shown it. judiciary.uk has no such tags; the spider treats a page without them
# as captured live, on the day it was fetched.
CAPTURED_ON_META = "pfdw:captured-on"
CAPTURE_KIND_META = "pfdw:capture-kind"
_CAPTURE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def capture_of(entry: ReportEntry) -> tuple[str, str] | None:
    """(capture kind, ISO date) of the stored copy behind a report page (``capture_of_row``)."""
    return capture_of_row(entry.row)


def capture_of_row(row: Mapping[str, str]) -> tuple[str, str] | None:
    """(capture kind, ISO date) from a snapshot CSV row's ``captured_from`` ("page scrape
    2024-04-07", "cleaned table 2025-07-31 (... no document links)"); None when it says
    neither."""
    captured_from = row.get("captured_from", "")
    found = _CAPTURE_DATE.search(captured_from)
    if found is None:
        return None
    kind = "no_document_links" if "no document links" in captured_from else "page_scrape"
    return kind, found.group(0)


def _capture_meta(entry: ReportEntry) -> str:
    capture = capture_of(entry)
    if capture is None:
        return ""
    kind, day = capture
    return (
        f'<meta name="{CAPTURE_KIND_META}" content="{escape(kind)}">'
        f'<meta name="{CAPTURED_ON_META}" content="{escape(day)}">'
    )


def _document(title: str, body_class: str, main: str, origin: str, head: str = "") -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en-GB"><head><meta charset="utf-8">{head}'
        f"<title>{escape(title)} - {SITE_NAME}</title></head>\n"
        f'<body class="{escape(body_class)}">\n'
        f"{_site_header(origin)}\n"
        f'<main id="main-content" class="site-main">\n{main}</main>\n'
        f"{SITE_FOOTER}\n"
        "</body>\n</html>\n"
    )


def _site_header(origin: str) -> str:
    return (
        '<header class="site-header"><a class="site-header__logo" '
        f'href="{escape(origin)}/">{SITE_NAME}</a> '
        '<span class="site-header__note">Offline snapshot</span></header>'
    )


SITE_FOOTER = (
    '<footer class="site-footer"><p>Offline snapshot of the judiciary.uk Prevention of Future '
    "Deaths section, rendered from published data. Content: Crown copyright, Open Government "
    "Licence v3.0.</p></footer>"
)


# Listings ---------------------------------------------------------------------------------------


def card_html(entry: ReportEntry, origin: str) -> str:
    href = escape(on_origin(entry.url, origin))
    return (
        '    <div class="card card--pfd">\n'
        f'      <h3 class="card__title"><a class="card__link" href="{href}">'
        f"{escape(entry.title)}</a></h3>\n"
        f'      <p class="card__meta">{time_element(entry.date_added)}</p>\n'
        "    </div>\n"
    )


def page_numbers_to_show(current: int, total: int, end_size: int = 1, mid_size: int = 1):
    """WordPress paginate_links: page numbers, with None where an ellipsis goes."""
    shown: list[int | None] = []
    dots = False
    for number in range(1, total + 1):
        near_end = number <= end_size or number > total - end_size
        if near_end or abs(number - current) <= mid_size:
            shown.append(number)
            dots = True
        elif dots:
            shown.append(None)
            dots = False
    return shown


def pagination_html(current: int, total: int, page_url: Callable[[int], str]) -> str:
    if total <= 1:
        return ""  # WordPress prints no pagination for a single page
    links = []
    if current > 1:
        links.append(
            f'<a class="prev page-numbers" href="{escape(page_url(current - 1))}">Previous</a>'
        )
    for number in page_numbers_to_show(current, total):
        if number is None:
            links.append('<span class="page-numbers dots">&hellip;</span>')
        elif number == current:
            links.append(f'<span aria-current="page" class="page-numbers current">{number}</span>')
        else:
            links.append(f'<a class="page-numbers" href="{escape(page_url(number))}">{number}</a>')
    if current < total:
        links.append(
            f'<a class="next page-numbers" href="{escape(page_url(current + 1))}">Next</a>'
        )
    inner = "\n    ".join(links)
    return (
        '  <nav class="navigation pagination" aria-label="Posts"><div class="nav-links">\n'
        f"    {inner}\n"
        "  </div></nav>\n"
    )


def results_page(
    *,
    heading: str,
    title: str,
    body_class: str,
    entries: Sequence[ReportEntry],
    page: int,
    page_url: Callable[[int], str],
    origin: str,
) -> str | None:
    """A listing, archive or search results page; None when ``page`` is past the last page."""
    total = -(-len(entries) // REPORTS_PER_PAGE)
    if page < 1 or (page > 1 and page > total):
        return None
    start = (page - 1) * REPORTS_PER_PAGE
    on_page = entries[start : start + REPORTS_PER_PAGE]
    if on_page:
        cards = "".join(card_html(entry, origin) for entry in on_page)
    else:
        cards = '    <p class="search-results__empty">No results found.</p>\n'
    full_title = title if page == 1 else f"{title} - Page {page} of {total}"
    main = (
        f'  <h1 class="archive__title">{escape(heading)}</h1>\n'
        f'  <div class="search-results">\n{cards}  </div>\n'
        f"{pagination_html(page, max(total, 1), page_url)}"
    )
    return _document(full_title, body_class, main, origin)


def listing_page_url(origin: str, page: int) -> str:
    return f"{origin}{LISTING_PATH}page/{page}/"


def category_page_url(origin: str, slug: str, page: int) -> str:
    if page == 1:
        return f"{origin}{CATEGORY_ARCHIVE_PREFIX}{slug}/"
    return f"{origin}{CATEGORY_ARCHIVE_PREFIX}{slug}/page/{page}/"


def render_listing(entries: Sequence[ReportEntry], page: int, origin: str) -> str | None:
    return results_page(
        heading=LISTING_TITLE,
        title=LISTING_TITLE,
        body_class="archive post-type-archive post-type-archive-pfd",
        entries=entries,
        page=page,
        page_url=lambda number: listing_page_url(origin, number),
        origin=origin,
    )


def render_category_archive(
    category: ReportCategory, entries: Sequence[ReportEntry], page: int, origin: str
) -> str | None:
    return results_page(
        heading=category.name,
        title=f"{category.name} Archives",
        body_class=f"archive tax-pfd_report_type term-{category.slug}",
        entries=entries,
        page=page,
        page_url=lambda number: category_page_url(origin, category.slug, number),
        origin=origin,
    )


def render_search(
    keyword: str, entries: Sequence[ReportEntry], page: int, query: str, origin: str
) -> str | None:
    """Search results; ``query`` is the request's query string, reused in pagination links."""

    def page_url(number: int) -> str:
        return f"{origin}/page/{number}/?{query}" if number > 1 else f"{origin}/?{query}"

    heading = f"Search results for: {keyword}" if keyword else "Search results"
    return results_page(
        heading=heading,
        title=f"You searched for {keyword}" if keyword else "Search results",
        body_class="search search-results",
        entries=entries,
        page=page,
        page_url=page_url,
        origin=origin,
    )


# Report pages -----------------------------------------------------------------------------------


def pills_html(categories: Sequence[ReportCategory], origin: str) -> str:
    if not categories:
        return ""
    pills = " ".join(
        f'<a class="pill" href="{escape(category_page_url(origin, c.slug, 1))}">'
        f"{escape(c.name)}</a>"
        for c in categories
    )
    return f'    <p class="pill--single">{pills}</p>\n'


def _article_header(entry: ReportEntry, origin: str) -> str:
    time_html = time_element(entry.date_added)
    return (
        '  <header class="single__header">\n'
        f'    <h1 class="single__title">{escape(entry.title)}</h1>\n'
        f"{pills_html(entry.categories, origin)}"
        + (f"    {time_html}\n" if time_html else "")
        + "  </header>\n"
    )


def _download_button(entry: ReportEntry, documents: Sequence[Document], origin: str) -> str:
    report = next((d for d in documents if d.kind == "report"), None)
    if report is None:
        return ""
    href = escape(on_origin(report.url, origin))
    if entry.effective_date >= FILE_BLOCK_FROM:
        return (
            f'    <div class="wp-block-file"><a href="{href}" class="wp-block-file__button" '
            "download>Download</a></div>\n"
        )
    return f'    <a class="govuk-button" href="{href}">Download report</a>\n'


def _related_html(documents: Sequence[Document], origin: str) -> str:
    if not documents:
        return ""
    items = "".join(
        '      <li class="related-content__item"><a class="related-content__link" '
        f'href="{escape(on_origin(d.url, origin))}">{escape(d.link_text)}</a></li>\n'
        for d in documents
    )
    return (
        '  <aside class="related-content">\n'
        '    <h2 class="related-content__title">Related content</h2>\n'
        f'    <ul class="related-content__list">\n{items}    </ul>\n'
        "  </aside>\n"
    )


def render_report(
    entry: ReportEntry,
    documents: Sequence[Document],
    origin: str,
    layout: str = "current",
    text: ReportText | None = None,
) -> str:
    """A report page, showing ``documents`` (the ones visible on the as-of day) and, after the
    header, ``text`` (the report's page text) when given."""
    if entry.is_legacy_post:
        return render_legacy_post(entry, origin)
    text_html = report_text_html(text, entry) if text is not None else ""
    if layout == "2025-08":
        body = _drift_body(entry, documents, origin, text_html)
    elif layout == "current":
        lines = []
        for field in HEADER_FIELDS:
            value = entry.row[field]
            if not value:
                continue
            label, separator = label_for(entry.url, field)
            lines.append(f"    <p>{escape(label)}{separator} {header_value_html(value)}</p>\n")
        body = (
            '  <div class="flow">\n'
            + "".join(lines)
            + text_html
            + _download_button(entry, documents, origin)
            + "  </div>\n"
            + _related_html(documents, origin)
        )
    else:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    main = (
        '<article class="pfd type-pfd">\n' + _article_header(entry, origin) + body + "</article>\n"
    )
    return _document(
        entry.title, "pfd-template-default single single-pfd", main, origin, _capture_meta(entry)
    )


def _drift_body(
    entry: ReportEntry, documents: Sequence[Document], origin: str, text_html: str
) -> str:
    """The August 2025 markup: definition list and plain document links, no div.flow."""
    rows = "".join(
        f"  <dt>{escape(CANONICAL_LABELS[field])}</dt><dd>{header_value_html(entry.row[field])}"
        "</dd>\n"
        for field in HEADER_FIELDS
        if entry.row[field]
    )
    links = "".join(
        f'<a class="pfd-document" href="{escape(on_origin(d.url, origin))}">'
        f"{escape(d.link_text)}</a>"
        for d in documents
    )
    return (
        '  <section class="pfd-report"><div class="pfd-report__meta"><dl>\n'
        f"{rows}  </dl></div>\n"
        + (f'  <div class="pfd-report__text">\n{text_html}  </div>\n' if text_html else "")
        + f'  <div class="pfd-report__documents">{links}</div></section>\n'
    )


def text_markup(entry_url: str) -> str:
    """Which of TEXT_MARKUPS a page's inline text uses: half and half, by a hash of the URL."""
    return stable_choice(TEXT_MARKUPS, "report-text-markup", entry_url)


def report_text_html(text: ReportText, entry: ReportEntry) -> str:
    """The report's words as the page shows them: the addressee block when there is one, then
    the numbered sections (section 1 from the header), empty sections left out."""
    blocks: list[tuple[str, list[str]]] = []
    if text.sent_to.strip():
        blocks.append((ADDRESSEE_HEADING, paragraphs(text.sent_to)))
    for number, heading, section_text in text.section_tuples(entry.row):
        blocks.append((f"{number} {heading}", paragraphs(section_text)))
    if text_markup(entry.url) == "table":
        rows = "".join(
            '      <tr class="govuk-table__row">'
            f'<td class="govuk-table__cell">{escape(heading)}</td>'
            '<td class="govuk-table__cell">'
            + "".join(f"<p>{escape(paragraph)}</p>" for paragraph in body)
            + "</td></tr>\n"
            for heading, body in blocks
        )
        return (
            '    <table class="govuk-table"><tbody class="govuk-table__body">\n'
            f"{rows}    </tbody></table>\n"
        )
    return "".join(
        f"    <p><strong>{escape(heading)}</strong></p>\n"
        + "".join(f"    <p>{escape(paragraph)}</p>\n" for paragraph in body)
        for heading, body in blocks
    )


def render_legacy_post(entry: ReportEntry, origin: str) -> str:
    slug = _legacy_archive_slug(entry)
    link = ""
    if slug is not None:
        name = CATEGORIES_BY_SLUG[slug].name
        href = escape(category_page_url(origin, slug, 1))
        link = f' Reports in this category are listed under <a href="{href}">{escape(name)}</a>.'
    main = (
        '<article class="pfd type-pfd">\n'
        + _article_header(entry, origin)
        + '  <div class="flow">\n'
        + "    <p>This is a legacy category post; it holds no report."
        + link
        + "</p>\n  </div>\n</article>\n"
    )
    return _document(entry.title, "pfd-template-default single single-pfd", main, origin)


def _legacy_archive_slug(entry: ReportEntry) -> str | None:
    return LEGACY_POST_CATEGORY_SLUGS.get(entry.slug)


# Other pages ------------------------------------------------------------------------------------


def render_home(origin: str) -> str:
    href = escape(f"{origin}{LISTING_PATH}")
    main = (
        f'  <h1 class="archive__title">{SITE_NAME}</h1>\n'
        f'  <p><a href="{href}">Prevention of future death reports</a></p>\n'
    )
    return _document(SITE_NAME, "home", main, origin)


def render_not_found(origin: str) -> str:
    main = (
        '  <h1 class="archive__title">Page not found</h1>\n'
        "  <p>Sorry, the page you are looking for could not be found.</p>\n"
    )
    return _document("Page not found", "error404", main, origin)


def render_server_error(origin: str) -> str:
    main = (
        '  <h1 class="archive__title">Internal server error</h1>\n'
        "  <p>The server could not answer this request. Please try again later.</p>\n"
    )
    return _document("Internal server error", "error500", main, origin)


def render_bad_request(message: str, origin: str) -> str:
    main = f'  <h1 class="archive__title">Bad request</h1>\n  <p>{escape(message)}</p>\n'
    return _document("Bad request", "error400", main, origin)


def render_robots(origin: str) -> str:
    return (
        "User-agent: *\n"
        "Disallow: /wp-admin/\n"
        "Allow: /wp-admin/admin-ajax.php\n"
        "\n"
        f"Sitemap: {origin}/wp-sitemap.xml\n"
    )
