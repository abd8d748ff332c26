"""Every CSS/XPath selector and header label variant the judiciary_pfd parser relies on.

When judiciary.uk changes its markup, this is the one file to fix. The markup contract is
described in the project docs (judiciary-site: "A report page" and "Label variants").
"""

from __future__ import annotations

from scrapers.judiciary_pfd import CANONICAL_ORIGIN  # noqa: F401 (sel.CANONICAL_ORIGIN)

DEFAULT_LISTING_PATH = "/prevention-of-future-death-reports/"

# --- listing pages ---------------------------------------------------------------------------
LISTING_CARD_LINK = "h3.card__title > a.card__link"
LISTING_CARD = "div.card"
LISTING_CARD_TIME = "time::attr(datetime)"
# Page count: the largest number among these (the current page is a span, not a link).
PAGINATION_NUMBERS = "a.page-numbers::text, span.page-numbers.current::text"

# The WordPress search with an empty keyword lists the same reports in the same order and pages
# as the listing, so it stands in for a listing page that fails for good.
LISTING_MIRROR_PAGE_1 = "/?s=&post_type=pfd"
LISTING_MIRROR_PAGE_N = "/page/{page}/?s=&post_type=pfd"

# --- completeness (truncation) -----------------------------------------------------------------
PAGE_FOOTER = "footer.site-footer"

# --- report pages ------------------------------------------------------------------------------
REPORT_TITLE = "h1.single__title"
REPORT_TITLE_FALLBACK = "article h1, main h1"
# "Date added" (publication date), distinct from the report's own date.
REPORT_DATE_ADDED = "article header time, header.single__header time"
CATEGORY_PILLS = "p.pill--single a"
# Header lines are the blocks (mostly <p>) directly inside this container, one field each.
HEADER_FLOW = "div.flow"
# Older pages sometimes hold the header in a GOV.UK table (th label, td value).
HEADER_TABLE_ROWS = "tbody.govuk-table__body > tr.govuk-table__row"
HEADER_TABLE_LABEL = "th"
HEADER_TABLE_VALUE = "td"
# Document links, in page order; each tuple is (source name, selector).
DOCUMENT_LINKS = (
    ("file_button", "div.wp-block-file a.wp-block-file__button"),
    ("file_button", "a.govuk-button"),
    ("related", "li.related-content__item > a.related-content__link"),
)
CATEGORY_ARCHIVE_PATH = "/pfd-types/"
UPLOADS_PATH = "/wp-content/uploads/"

# --- header labels -----------------------------------------------------------------------------
# Canonical field name -> every label variant seen on the site. Matching is case-insensitive,
# treats ' and ’ alike, and allows whitespace before the colon. Longer variants are tried first
# so "Date of reports" is not read as "Date of report" + "s: ...".
HEADER_LABELS: dict[str, tuple[str, ...]] = {
    "date_of_report": ("Date of report", "Date of reports"),
    "ref": ("Ref", "Reference"),
    "deceased_name": ("Deceased name", "Deceased's name", "Name of deceased"),
    "coroner_name": ("Coroner name", "Coroners name", "Coroner's name", "Name of coroner"),
    "coroner_area": ("Coroner Area", "Coroners Area", "Coroner's Area"),
    "category": ("Category", "Categories"),
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
    ),
}
HEADER_FIELDS = tuple(HEADER_LABELS)

# --- the report's own text (inline on the page, or in the report PDF) -------------------------
# Numbered section headings ("1 CORONER" ... "9"), in this order.
INLINE_SECTION_COUNT = 9
# Lower-case words allowed inside an upper-case section heading ("INVESTIGATION and INQUEST").
SECTION_HEADING_CONNECTORS = frozenset({"and", "of", "the", "to", "be", "&"})
# Inline report text as GOV.UK table rows keyed by the heading cell ("5 CORONER'S CONCERNS" |
# text); header rows (th label, td value) are not report text.
REPORT_TEXT_TABLE_ROWS = "tbody.govuk-table__body > tr.govuk-table__row"
REPORT_TEXT_TABLE_CELLS = "td"
# A block whose first child is one of these, holding the block's leading text, is a heading
# ("<p><strong>5 CORONER'S CONCERNS</strong> During ...</p>").
REPORT_TEXT_HEADING_TAGS = frozenset({"strong", "b", "h2", "h3", "h4"})
# Section keys in template order: (number, key, word stems that identify its heading). Headings
# are compared in lower case without apostrophes, "&" read as "and"; a heading names a key when
# each stem of one alternative starts one of its words ("CORONERS CONCERNS", "Coroner’s concern",
# "MATTERS OF CONCERN"). The first key that matches wins, so the bare "coroner" comes last.
REPORT_SECTIONS: tuple[tuple[str, str, tuple[tuple[str, ...], ...]], ...] = (
    ("2", "legal_powers", (("legal", "power"),)),
    ("3", "investigation_and_inquest", (("investigat",), ("inquest",))),
    ("4", "circumstances_of_death", (("circumstance",),)),
    ("5", "coroners_concerns", (("concern",),)),
    ("6", "action_should_be_taken", (("action",),)),
    ("7", "your_response", (("response",),)),
    ("8", "copies_and_publication", (("copies",), ("publication",))),
    ("9", "signature", (("signature",), ("signed",))),
    ("1", "coroner", (("coroner",),)),
)
# The addressee block before section 1 starts with one of the "sent to" labels (HEADER_LABELS).
# In the page header the label is followed by its value; in the report it is upper case, or
# stands alone on its line.
ADDRESSEE_FIELD = "sent_to"
# The offline snapshot's stand-in PDF says so; its text is not a report.
STAND_IN_MARKERS = ("This PDF is a stand-in served by the offline snapshot",)
# The report document whose text is read when the page shows none.
REPORT_PDF_EXTENSION = ".pdf"

# File extensions that make a link a document rather than a page.
DOCUMENT_EXTENSIONS = (".pdf", ".docx", ".doc", ".odt", ".rtf", ".xlsx", ".xls")
# A file name containing any of these is a response ("Respomse" and "Reponse" are real typos).
RESPONSE_MARKERS = ("response", "respomse", "reponse")
# "{ref}-{Organisation}.pdf" (e.g. 2025-0394-Cwn-Taf-Morgannwg-University-Health-Board.pdf) is a
# response named after its author, unless the name says it is a report or an enclosure.
REF_PREFIXED_FILE = r"^(?:19|20)\d{2}\s?[-–]\s?\d{3,4}[a-z]?[-_ ]"
REPORT_MARKERS = ("prevention", "pfd", "report", "regulation-28", "reg-28", "narrative")
ENCLOSURE_MARKERS = ("appendix", "appendices", "chief-coroner", "accompanying", "annex")

# The offline replica states which stored copy a page is (scrapers/snapshot/render.py); the live
# site has no such tags.
CAPTURE_KIND_META = 'meta[name="pfdw:capture-kind"]'
CAPTURED_ON_META = 'meta[name="pfdw:captured-on"]'
CAPTURE_KINDS = frozenset({"page_scrape", "no_document_links"})
