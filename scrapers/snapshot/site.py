"""The offline snapshot's model: which reports and documents judiciary.uk showed on a given day.

Everything is derived from the bundled CSV (``data/pfd_reports.csv.gz``, a byte-identical gzip of
the real scrape in shared/data/judiciary). Where the data does not say something the replica has
to show (the day a response was uploaded, the date added of 45 removed pages, which category slug
a header's category text belongs to), the rule used is written next to the code and listed in
``data/PROVENANCE.md``.

The CSV is read once per process, on first use (never at import), and indexed in memory.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import functools
import gzip
import hashlib
import io
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from scrapers.judiciary_pfd import CANONICAL_ORIGIN  # noqa: E402 (the site it replicates)
from scrapers.snapshot.report_text import (
    ReportText,
    ServedTexts,
    bundled_report_texts,
    serve_texts,
)

LISTING_PATH = "/prevention-of-future-death-reports/"
CATEGORY_ARCHIVE_PREFIX = "/pfd-types/"
UPLOADS_PREFIX = "/wp-content/uploads/"
REPORTS_PER_PAGE = 10
# 47 pages had been taken off the site when the 2026-02-01 scrape ran.
REMOVED_FROM_SITE_ON = dt.date(2026, 2, 1)
# Pages added from this day on use the block-editor file button; older pages a govuk-button.
FILE_BLOCK_FROM = dt.date(2022, 11, 1)

DATA_FILE = Path(__file__).resolve().parent / "data" / "pfd_reports.csv.gz"

HEADER_FIELDS = (
    "date_of_report",
    "ref",
    "deceased_name",
    "coroner_name",
    "coroner_area",
    "category",
    "sent_to",
)
CSV_COLUMNS = (
    "report_url",
    "ref",
    "date_of_report",
    "date_added",
    "deceased_name",
    "coroner_name",
    "coroner_area",
    "category",
    "sent_to",
    "report_pdf_url",
    "response_urls",
    "captured_from",
    "listed_on_2026_02_01",
)


@dataclass(frozen=True)
class ReportCategory:
    slug: str
    name: str


# The one table mapping header category text to judiciary.uk's pfd_report_type slugs (the 17
# from judiciary-site.md) plus the generic "Prevention of Future Deaths" tag.
GENERIC_CATEGORY = ReportCategory("prevention-of-future-deaths", "Prevention of Future Deaths")
REPORT_CATEGORIES: tuple[ReportCategory, ...] = (
    ReportCategory("suicide-from-2015", "Suicide (from 2015)"),
    ReportCategory(
        "accident-at-work-and-health-and-safety-related-deaths",
        "Accident at Work and Health and Safety related deaths",
    ),
    ReportCategory(
        "alcohol-drug-and-medication-related-deaths",
        "Alcohol, drug and medication related deaths",
    ),
    ReportCategory("care-home-health-related-deaths", "Care Home Health related deaths"),
    ReportCategory("child-death-from-2015", "Child Death (from 2015)"),
    ReportCategory(
        "community-health-care-and-emergency-services-related-deaths",
        "Community health care and emergency services related deaths",
    ),
    ReportCategory(
        "emergency-services-related-deaths-2019-onwards",
        "Emergency services related deaths (2019 onwards)",
    ),
    ReportCategory(
        "hospital-death-clinical-procedures-and-medical-management-related-deaths",
        "Hospital Death (Clinical Procedures and medical management) related deaths",
    ),
    ReportCategory("mental-health-related-deaths", "Mental Health related deaths"),
    ReportCategory("police-related-deaths", "Police related deaths"),
    ReportCategory("product-related-deaths", "Product related deaths"),
    ReportCategory("railway-related-deaths", "Railway related deaths"),
    ReportCategory("road-highways-safety-related-deaths", "Road (Highways Safety) related deaths"),
    ReportCategory("service-personnel-related-deaths", "Service Personnel related deaths"),
    ReportCategory("state-custody-related-deaths", "State Custody related deaths"),
    ReportCategory(
        "wales-prevention-of-future-deaths-reports-2019-onwards",
        "Wales prevention of future deaths reports (2019 onwards)",
    ),
    ReportCategory("other-related-deaths", "Other related deaths"),
    GENERIC_CATEGORY,
)
CATEGORIES_BY_SLUG: Mapping[str, ReportCategory] = MappingProxyType(
    {category.slug: category for category in REPORT_CATEGORIES}
)

# The 9 legacy category posts: the category each one stands for (used for its title only).
LEGACY_POST_CATEGORY_SLUGS: Mapping[str, str] = MappingProxyType(
    {
        "railwayrelateddeaths": "railway-related-deaths",
        "service-personnel-deaths": "service-personnel-related-deaths",
        "product": "product-related-deaths",
        "policerelateddeaths": "police-related-deaths",
        "carehomehealth": "care-home-health-related-deaths",
        "statecustodydeath": "state-custody-related-deaths",
        "hospitaldeath": (
            "hospital-death-clinical-procedures-and-medical-management-related-deaths"
        ),
        "drugsalcoholmedication": "alcohol-drug-and-medication-related-deaths",
        "commhealthcareemergencyservices": (
            "community-health-care-and-emergency-services-related-deaths"
        ),
    }
)

_UPLOAD_MONTH = re.compile(r"/wp-content/uploads/(\d{4})/(\d{2})/")
_CATEGORY_SEPARATORS = re.compile(r"[|;]")
_WHITESPACE = re.compile(r"\s+")
# A truncated category ("Community health care") must be this long to be matched by prefix.
_MIN_TRUNCATED_CATEGORY_CHARS = 5


class SnapshotDataError(ValueError):
    """The bundled CSV does not have the shape this module relies on."""


class UnknownPageError(KeyError):
    """A URL that is not a report page listed in the snapshot on its as-of date."""


@dataclass(frozen=True)
class Document:
    """A link in a report page's related-content list.

    ``kind`` is where the link came from in the data: ``report`` (report_pdf_url), ``response``
    (a document in response_urls) or ``report_page`` (a response_urls entry that is another
    report page). ``visible_from`` is the first day the link is shown (see ``_response_day``).
    """

    url: str
    kind: str
    link_text: str
    visible_from: dt.date

    @property
    def path(self) -> str:
        return canonical_path(self.url)


@dataclass(frozen=True)
class ReportEntry:
    """One report page (or legacy category post) with everything the renderer needs."""

    position: int  # row index in the CSV
    row: Mapping[str, str]
    url: str
    path: str
    slug: str
    title: str
    date_added: dt.date | None  # None for the 45 rows whose date added is unknown
    effective_date: dt.date  # date_added, or the documented stand-in for ordering and as-of
    listed_on_2026_02_01: bool
    is_legacy_post: bool
    categories: tuple[ReportCategory, ...]
    unmatched_category_text: tuple[str, ...]
    documents: tuple[Document, ...]  # related-content order: report, responses, report pages
    search_text: str  # casefolded title and header values

    @property
    def report_document(self) -> Document | None:
        for document in self.documents:
            if document.kind == "report":
                return document
        return None


def canonical_path(url: str) -> str:
    """The path (and query) of a canonical judiciary.uk URL."""
    if not url.startswith(CANONICAL_ORIGIN + "/"):
        raise SnapshotDataError(f"not a canonical judiciary.uk URL: {url!r}")
    return url[len(CANONICAL_ORIGIN) :]


def parse_date_added(text: str) -> dt.date | None:
    """Parse the CSV's date_added (``dd/mm/yyyy``); empty means unknown."""
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError as error:
        raise SnapshotDataError(f"date_added is not dd/mm/yyyy: {text!r}") from error


def _parse_report_date_loosely(text: str) -> dt.date | None:
    cleaned = _WHITESPACE.sub(" ", text).strip()
    for pattern in ("%d %B %Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    return None


def stable_fraction(*parts: str) -> float:
    """A number in [0, 1) that depends only on ``parts`` (stable across runs and machines)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def stable_choice(options: Sequence[str], *parts: str) -> str:
    return options[int(stable_fraction(*parts) * len(options))]


def upload_month(url: str) -> tuple[int, int] | None:
    match = _UPLOAD_MONTH.search(url)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


def _response_day(url: str, date_added: dt.date) -> dt.date:
    """The day a response becomes visible.

    The data only knows the upload month (from ``/wp-content/uploads/YYYY/MM/``), so the day is
    picked from a hash of the URL, and never before the report's date added (some responses sit
    in an upload folder older than their report page). Legacy ``JCO/Documents`` files and links
    to other report pages have no upload month: they count from the date added.
    """
    month = upload_month(url)
    if month is None:
        return date_added
    year, month_number = month
    days_in_month = calendar.monthrange(year, month_number)[1]
    day = 1 + int(stable_fraction("response-day", url) * days_in_month)
    return max(dt.date(year, month_number, day), date_added)


def link_text_for(url: str) -> str:
    """Link text as judiciary.uk shows it: the file (or page) name with separators as spaces."""
    path = url.split("?", 1)[0].rstrip("/")
    name = path.rsplit("/", 1)[-1]
    if "." in name and path.startswith(CANONICAL_ORIGIN + UPLOADS_PREFIX):
        name = name.rsplit(".", 1)[0]
    words = re.sub(r"[-_+]+", " ", name).strip()
    return words or name


def match_categories(text: str) -> tuple[tuple[ReportCategory, ...], tuple[str, ...]]:
    """Map header category text to categories, in text order; also return what did not match.

    Parts are split on ``|`` and ``;``. Inside a part, the longest category name it starts with is
    taken and the rest is matched again (categories glued together); a remainder that is the start
    of exactly one name is a truncated name ("Suicide", "Community health care").
    """
    names = [(_WHITESPACE.sub(" ", c.name).casefold(), c) for c in REPORT_CATEGORIES]
    matched: list[ReportCategory] = []
    unmatched: list[str] = []
    for part in _CATEGORY_SEPARATORS.split(text):
        remaining = _WHITESPACE.sub(" ", part).strip().casefold()
        while remaining:
            full = [(name, c) for name, c in names if remaining.startswith(name)]
            if full:
                name, category = max(full, key=lambda pair: len(pair[0]))
                matched.append(category)
                remaining = remaining[len(name) :].strip()
                continue
            truncated = [c for name, c in names if name.startswith(remaining)]
            if len(truncated) == 1 and len(remaining) >= _MIN_TRUNCATED_CATEGORY_CHARS:
                matched.append(truncated[0])
            else:
                unmatched.append(remaining)
            break
    unique = tuple(dict.fromkeys(matched))
    return unique, tuple(unmatched)


def _title_for(row: Mapping[str, str], slug: str, is_legacy_post: bool) -> str:
    """judiciary.uk's page title is not in the data: derive it (see PROVENANCE.md)."""
    if is_legacy_post:
        category_slug = LEGACY_POST_CATEGORY_SLUGS.get(slug)
        if category_slug is not None:
            return CATEGORIES_BY_SLUG[category_slug].name
        return slug.replace("-", " ").capitalize()
    name = row["deceased_name"].strip()
    if name:
        return f"{name}: Prevention of future deaths report"
    return re.sub(r"[-_]+", " ", slug).strip().capitalize()


def _is_legacy_post(row: Mapping[str, str]) -> bool:
    empty_fields = ("ref", "date_added", "date_of_report", "deceased_name", "coroner_name")
    return (
        all(not row[field].strip() for field in empty_fields)
        and not row["report_pdf_url"]
        and not row["response_urls"]
    )


def _effective_dates(rows: Sequence[Mapping[str, str]]) -> list[dt.date]:
    """Date added per row, with a documented stand-in for the 45 rows that have none.

    Stand-in, in order of preference: the first day of the report PDF's upload month (the page
    cannot predate its PDF by much, and the 2024 capture already had it); for a legacy
    ``JCO/Documents`` PDF, the date of report; otherwise (the 9 legacy category posts, which
    have nothing dated) the oldest date added in the data, 30/07/2013, which keeps them at the
    end of the listing where the CSV has them.
    """
    known_dates = [parse_date_added(row["date_added"]) for row in rows]
    dated = [day for day in known_dates if day is not None]
    if not dated:
        raise SnapshotDataError("no row has a date_added")
    oldest_known = min(dated)
    effective: list[dt.date] = []
    for row, known in zip(rows, known_dates, strict=True):
        if known is not None:
            effective.append(known)
            continue
        month = upload_month(row["report_pdf_url"])
        if month is not None:
            effective.append(dt.date(month[0], month[1], 1))
            continue
        report_date = _parse_report_date_loosely(row["date_of_report"])
        if row["report_pdf_url"] and report_date is not None:
            effective.append(report_date)
            continue
        effective.append(oldest_known)
    return effective


def _documents_for(row: Mapping[str, str], effective_date: dt.date) -> tuple[Document, ...]:
    documents: list[Document] = []
    if row["report_pdf_url"]:
        url = row["report_pdf_url"]
        documents.append(Document(url, "report", link_text_for(url), effective_date))
    responses = [url for url in row["response_urls"].split(" | ") if url]
    report_pages = [url for url in responses if canonical_path(url).startswith(LISTING_PATH)]
    for url in responses:
        if url not in report_pages:
            visible_from = _response_day(url, effective_date)
            documents.append(Document(url, "response", link_text_for(url), visible_from))
    for url in report_pages:
        documents.append(Document(url, "report_page", link_text_for(url), effective_date))
    return tuple(documents)


def read_bundled_rows(path: Path = DATA_FILE) -> list[dict[str, str]]:
    """The CSV rows as dicts of strings, in file order (the site's listing order)."""
    with gzip.open(path, "rb") as compressed:
        text = compressed.read().decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
        raise SnapshotDataError(
            f"{path}: expected columns {list(CSV_COLUMNS)}, found {reader.fieldnames}"
        )
    return list(reader)


def build_entries(rows: Sequence[Mapping[str, str]]) -> tuple[ReportEntry, ...]:
    """Index rows into entries in listing order: newest first by date added, CSV order on ties."""
    effective = _effective_dates(rows)
    entries = []
    for position, (row, effective_date) in enumerate(zip(rows, effective, strict=True)):
        url = row["report_url"]
        path = canonical_path(url)
        if not path.startswith(LISTING_PATH) or not path.endswith("/"):
            raise SnapshotDataError(f"row {position}: not a report page URL: {url!r}")
        slug = path[len(LISTING_PATH) : -1]
        legacy = _is_legacy_post(row)
        title = _title_for(row, slug, legacy)
        categories, unmatched = match_categories(row["category"])
        header_text = " ".join(row[field] for field in HEADER_FIELDS)
        entries.append(
            ReportEntry(
                position=position,
                row=MappingProxyType(dict(row)),
                url=url,
                path=path,
                slug=slug,
                title=title,
                date_added=parse_date_added(row["date_added"]),
                effective_date=effective_date,
                listed_on_2026_02_01=_parse_listed_flag(row["listed_on_2026_02_01"], position),
                is_legacy_post=legacy,
                categories=categories,
                unmatched_category_text=unmatched,
                documents=_documents_for(row, effective_date),
                search_text=f"{title} {header_text}".casefold(),
            )
        )
    entries.sort(key=lambda entry: (-entry.effective_date.toordinal(), entry.position))
    return tuple(entries)


def _parse_listed_flag(text: str, position: int) -> bool:
    if text not in ("True", "False"):
        raise SnapshotDataError(f"row {position}: listed_on_2026_02_01 is {text!r}")
    return text == "True"


@functools.lru_cache(maxsize=1)
def bundled_entries() -> tuple[ReportEntry, ...]:
    """All entries from the bundled CSV, read and indexed once per process."""
    return build_entries(read_bundled_rows())


@dataclass(frozen=True)
class DateFilter:
    """Inclusive bounds on date added, as the search form's after-*/before-* fields give them."""

    after: dt.date | None = None
    before: dt.date | None = None

    @property
    def active(self) -> bool:
        return self.after is not None or self.before is not None

    def accepts(self, day: dt.date | None) -> bool:
        if not self.active:
            return True
        if day is None:  # the date added is unknown: a date-filtered search cannot match it
            return False
        if self.after is not None and day < self.after:
            return False
        return self.before is None or day <= self.before


class SnapshotSite:
    """What the PFD section of judiciary.uk showed on ``as_of`` (default: today).

    ``entries`` overrides the bundled data (tests use it to render hostile values); ``texts``
    overrides the bundled report texts (report URL -> ReportText), which are otherwise read on
    first use.
    """

    def __init__(
        self,
        as_of: dt.date | None = None,
        entries: Iterable[ReportEntry] | None = None,
        texts: Mapping[str, ReportText] | None = None,
    ) -> None:
        if as_of is not None and not isinstance(as_of, dt.date):
            raise TypeError(f"as_of must be a datetime.date, not {type(as_of).__name__}")
        if isinstance(as_of, dt.datetime):
            as_of = as_of.date()
        self.as_of: dt.date = as_of if as_of is not None else dt.date.today()
        all_entries = tuple(entries) if entries is not None else bundled_entries()
        self._all_entries = all_entries
        self._texts_override = texts
        self._served_texts: ServedTexts | None = None
        self._texts_lock = threading.Lock()
        self._listed: tuple[ReportEntry, ...] = tuple(
            entry for entry in all_entries if self._is_listed(entry)
        )
        self._by_path: dict[str, ReportEntry] = {entry.path: entry for entry in self._listed}
        self._by_category: dict[str, list[ReportEntry]] = {c.slug: [] for c in REPORT_CATEGORIES}
        for entry in self._listed:
            for category in entry.categories:
                self._by_category[category.slug].append(entry)
        # Uploads stay on the server when a page is taken down, so every row counts here.
        self._document_visible_from: dict[str, dt.date] = {}
        for entry in all_entries:
            for document in entry.documents:
                if document.kind == "report_page":
                    continue
                known = self._document_visible_from.get(document.path)
                if known is None or document.visible_from < known:
                    self._document_visible_from[document.path] = document.visible_from

    def _is_listed(self, entry: ReportEntry) -> bool:
        if entry.effective_date > self.as_of:
            return False
        return entry.listed_on_2026_02_01 or self.as_of < REMOVED_FROM_SITE_ON

    # Ground truth -------------------------------------------------------------------------------

    def listed_entries(self) -> tuple[ReportEntry, ...]:
        return self._listed

    def listed_report_urls(self) -> list[str]:
        """Canonical URLs of every page in the listing as of the day, in listing order."""
        return [entry.url for entry in self._listed]

    def entry(self, url_or_path: str) -> ReportEntry:
        """The listed page at a URL on any origin (canonical or served) or at a path."""
        path = urlsplit(url_or_path).path if "://" in url_or_path else url_or_path
        entry = self._by_path.get(path)
        if entry is None:
            raise UnknownPageError(f"not a report page listed on {self.as_of}: {url_or_path!r}")
        return entry

    def find_entry(self, path: str) -> ReportEntry | None:
        return self._by_path.get(path)

    def report(self, url: str) -> dict[str, str]:
        """The CSV row behind a listed report page."""
        return dict(self.entry(url).row)

    def visible_documents(self, url: str) -> list[Document]:
        """The related-content links shown on the page as of the day, in page order."""
        return [d for d in self.entry(url).documents if d.visible_from <= self.as_of]

    def last_modified(self, entry: ReportEntry) -> dt.date:
        days = [entry.effective_date]
        days.extend(d.visible_from for d in entry.documents if d.visible_from <= self.as_of)
        return max(days)

    # Listings -----------------------------------------------------------------------------------

    def category_entries(self, slug: str) -> list[ReportEntry]:
        try:
            return self._by_category[slug]
        except KeyError:
            raise UnknownPageError(f"unknown pfd_report_type slug: {slug!r}") from None

    def search(
        self,
        keyword: str = "",
        category_slug: str | None = None,
        added: DateFilter | None = None,
    ) -> list[ReportEntry]:
        """WordPress-style search: every word of ``keyword`` must occur (case-insensitively) in
        the title or header text; results keep listing order."""
        candidates: Sequence[ReportEntry] = self._listed
        if category_slug:
            candidates = self._by_category.get(category_slug, [])
        words = [word.casefold() for word in keyword.split()]
        added = added or DateFilter()
        return [
            entry
            for entry in candidates
            if all(word in entry.search_text for word in words) and added.accepts(entry.date_added)
        ]

    # Documents ----------------------------------------------------------------------------------

    def document_visible_from(self, path: str) -> dt.date | None:
        """First day a document under /wp-content/uploads/ is served, or None if unknown."""
        return self._document_visible_from.get(path)

    def serves_document(self, path: str) -> bool:
        visible_from = self._document_visible_from.get(path)
        return visible_from is not None and visible_from <= self.as_of

    # Report texts -------------------------------------------------------------------------------

    @property
    def served_texts(self) -> ServedTexts:
        """Which texts are shown inline and which as PDFs (built on first use)."""
        with self._texts_lock:
            if self._served_texts is None:
                texts = self._texts_override
                if texts is None:
                    texts = bundled_report_texts()
                self._served_texts = serve_texts(self._all_entries, texts)
            return self._served_texts

    def inline_text(self, entry: ReportEntry) -> ReportText | None:
        """The page text shown inline in ``entry``'s page, if any."""
        return self.served_texts.inline.get(entry.url)

    def document_text(self, path: str) -> tuple[ReportText, ReportEntry] | None:
        """The text (and its report) a document is served with as a PDF; None: a stand-in."""
        return self.served_texts.pdf.get(path)


def page_count(item_count: int, per_page: int = REPORTS_PER_PAGE) -> int:
    return max(1, -(-item_count // per_page))
