"""The words of 1,642 real reports (``data/report_texts.csv.gz``) and how the replica serves them.

The CSV is a byte-identical gzip of shared/data/judiciary/report_texts.csv: one row per report
page URL, the report split into the Regulation 28 template's sections (see
``data/PROVENANCE.md``). Its ``sources`` column decides how the replica serves a row:

- ``page``: the text was taken from the report page itself (sources ``pdt:`` or ``mrh:``), so
  the replica shows it inline in the page, as judiciary.uk does for most reports from 2023;
- ``pdf``: the text was transcribed from the report PDF (only ``pfd-toolkit:`` sources), so the
  replica serves it as the report's PDF, laid out like the template (``scrapers.snapshot.pdf``),
  unless the page links no report document: then it is shown inline too (see ``serve_texts``).

The CSV has no section 1 ("CORONER"): it is composed from the page header's coroner name and
area as displayed. The file is read once per process, on first use (never at import).
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

DATA_FILE = Path(__file__).resolve().parent / "data" / "report_texts.csv.gz"

# (number, heading as on real pages, CSV column); section 1 has no column (see section_tuples).
CORONER_SECTION = ("1", "CORONER")
SECTION_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("2", "CORONER'S LEGAL POWERS", "coroners_legal_powers"),
    ("3", "INVESTIGATION and INQUEST", "investigation_and_inquest"),
    ("4", "CIRCUMSTANCES OF THE DEATH", "circumstances_of_death"),
    ("5", "CORONER'S CONCERNS", "coroners_concerns"),
    ("6", "ACTION SHOULD BE TAKEN", "action_should_be_taken"),
    ("7", "YOUR RESPONSE", "your_response"),
)
SENT_TO_COLUMN = "sent_to_in_report"
ADDRESSEE_HEADING = "THIS REPORT IS BEING SENT TO:"  # the block before section 1
TEXT_COLUMNS = (
    "report_url",
    SENT_TO_COLUMN,
    *(column for _, _, column in SECTION_COLUMNS),
    "sources",
)
PAGE_TEXT_SOURCES = frozenset({"pdt", "mrh"})
PDF_TEXT_SOURCES = frozenset({"pfd-toolkit"})
SOURCE_SEPARATOR = " | "

PAGE = "page"
PDF = "pdf"


class ReportTextDataError(ValueError):
    """The bundled report texts do not have the shape this module relies on."""


@dataclass(frozen=True)
class ReportText:
    """One report's words as the CSV gives them (empty strings where a section is missing)."""

    report_url: str
    sent_to: str
    sections: Mapping[str, str]  # CSV column -> text
    sources: tuple[str, ...]  # e.g. ("pdt:src/data/reports.csv@0fbfa58",)

    @property
    def kind(self) -> str:
        """``page`` (shown inline in the report page) or ``pdf`` (served as the report PDF)."""
        return source_kind(self.sources, self.report_url)

    def section_tuples(self, header: Mapping[str, str]) -> tuple[tuple[str, str, str], ...]:
        """(number, heading, text) for every non-empty section, section 1 from ``header``."""
        coroner = "\n".join(
            value.strip()
            for value in (header.get("coroner_name", ""), header.get("coroner_area", ""))
            if value.strip()
        )
        sections = [(*CORONER_SECTION, coroner)]
        sections.extend(
            (number, heading, self.sections[column]) for number, heading, column in SECTION_COLUMNS
        )
        return tuple(section for section in sections if section[2].strip())


def paragraphs(text: str) -> list[str]:
    """A section's paragraphs: its non-blank lines, stripped (blank lines and newlines split)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def source_kind(sources: tuple[str, ...], where: str = "") -> str:
    """Page text wins: a row with any page source is shown inline, even if also transcribed."""
    prefixes = {source.split(":", 1)[0] for source in sources}
    unknown = prefixes - PAGE_TEXT_SOURCES - PDF_TEXT_SOURCES
    if unknown or not prefixes:
        raise ReportTextDataError(
            f"{where}: unknown text source(s) {sorted(unknown) or sources!r}; expected "
            f"prefixes {sorted(PAGE_TEXT_SOURCES | PDF_TEXT_SOURCES)}"
        )
    return PAGE if prefixes & PAGE_TEXT_SOURCES else PDF


def parse_row(row: Mapping[str, str], position: int) -> ReportText:
    url = row["report_url"]
    if not url.startswith("https://www.judiciary.uk/"):
        raise ReportTextDataError(f"row {position}: report_url is not on judiciary.uk: {url!r}")
    sources = tuple(source for source in row["sources"].split(SOURCE_SEPARATOR) if source)
    source_kind(sources, f"row {position} ({url})")  # an unknown source fails here, named
    return ReportText(
        report_url=url,
        sent_to=row[SENT_TO_COLUMN],
        sections=MappingProxyType({column: row[column] for _, _, column in SECTION_COLUMNS}),
        sources=sources,
    )


def read_report_texts(path: Path = DATA_FILE) -> dict[str, ReportText]:
    """report_url -> ReportText, in file order; a repeated URL is an error."""
    with gzip.open(path, "rb") as compressed:
        text = compressed.read().decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != TEXT_COLUMNS:
        raise ReportTextDataError(
            f"{path}: expected columns {list(TEXT_COLUMNS)}, found {reader.fieldnames}"
        )
    texts: dict[str, ReportText] = {}
    for position, row in enumerate(reader):
        parsed = parse_row(row, position)
        if parsed.report_url in texts:
            raise ReportTextDataError(f"row {position}: repeated report_url {parsed.report_url}")
        texts[parsed.report_url] = parsed
    return texts


@functools.lru_cache(maxsize=1)
def bundled_report_texts() -> Mapping[str, ReportText]:
    """The bundled texts, read and indexed once per process."""
    return MappingProxyType(read_report_texts())


class _Entry(Protocol):
    """What ``serve_texts`` needs of a ``site.ReportEntry`` (this module does not import site)."""

    position: int
    url: str
    is_legacy_post: bool

    @property
    def report_document(self) -> Any: ...  # a site.Document (with .path) or None

    documents: Any  # every site.Document of the page, in page order


def text_document(entry: _Entry) -> Any:
    """The document a PDF text is served in: the page's report document, unless its file name
    says it is a response (a few captures put a response on the download button, e.g.
    "2024-0710-Response-from-Nottinghamshire-Police.pdf"); then the first other PDF whose name
    does not; None when there is none."""
    candidates = [entry.report_document, *entry.documents]
    for document in candidates:
        if document is None:
            continue
        name = document.path.rsplit("/", 1)[-1].lower()
        if name.endswith(".pdf") and "response" not in name:
            return document
    return None


@dataclass(frozen=True)
class ServedTexts:
    """Where the replica shows each report text (see PROVENANCE.md)."""

    inline: Mapping[str, ReportText]  # report page URL -> page text shown in the page
    # report PDF path -> (text, its report entry): served as a Regulation 28 PDF. A PDF shared
    # by several pages carries the text of the first of them (CSV order) that has PDF text.
    pdf: Mapping[str, tuple[ReportText, Any]]


def serve_texts(entries: Iterable[_Entry], texts: Mapping[str, ReportText]) -> ServedTexts:
    """Page texts go inline; PDF texts go to their report's PDF (``text_document``). A PDF text
    whose page links no report PDF (142 rows: 137 of the 2024 pages stored without document
    links, 2 pages with no document, 3 whose only documents are responses) is shown inline
    instead, as judiciary.uk shows most reports from 2023: the words are the report's own either
    way, and inventing a PDF link would put a document on a page the data records as having
    none."""
    inline: dict[str, ReportText] = {}
    pdf: dict[str, tuple[ReportText, Any]] = {}
    for entry in sorted(entries, key=lambda e: e.position):
        text = texts.get(entry.url)
        if text is None or entry.is_legacy_post:
            continue
        document = text_document(entry)
        if text.kind == PAGE or document is None:
            inline[entry.url] = text
        else:
            pdf.setdefault(document.path, (text, entry))
    return ServedTexts(MappingProxyType(inline), MappingProxyType(pdf))
