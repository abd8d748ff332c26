"""The offline snapshot's HSSIB section: which pages exist and what each one shows.

Everything comes from the bundled real records (``data/recommendations.jsonl``, 42 HSSIB/HSIB
safety recommendations) and the rendered text of one complete log page
(``data/example_recommendation_page.txt``). Where a page needs something the records do not
hold, the rule is written next to the code and listed in ``data/PROVENANCE.md``; the main ones:

- Only 5 records (plus none for the example page) have a known log item address. The others get
  a *stand-in* log page under ``/safety-recommendations-log/stand-in/...``: it declares no
  canonical link and says in a note that the real address is not known, so a crawl reports
  ``log_url = None`` for them rather than a guessed hssib.org.uk address.
- The page shape (header block or not, actions heading, a recipient heading, a "Links:" label,
  a closure note, extra sections) follows what each record's ``notes`` say about its stored
  page; a record whose notes say nothing gets the shape of the complete example page.
- Where a record is cut off (``truncated``), the page ends the cut field with a plain notice and
  invents nothing after it.
- No record says when its page was captured; each log page states a lower bound instead
  (``capture_date_lower_bound``: its received or recommendation date, never before 2024-01-01).

Files are read on first use (never at import) and the site is immutable once built.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from scrapers.hssib_recommendations import CANONICAL_ORIGIN  # noqa: E402 (the site it replicates)

LOG_PATH = "/safety-recommendations-log/"
STAND_IN_PREFIX = LOG_PATH + "stand-in/"
INVESTIGATIONS_PATH = "/patient-safety-investigations/"
ENTRIES_PER_LISTING_PAGE = 10

DATA_DIR = Path(__file__).resolve().parent / "data"
RECORDS_FILE = DATA_DIR / "recommendations.jsonl"
EXAMPLE_PAGE_FILE = DATA_DIR / "example_recommendation_page.txt"

ACTIONS_HEADING_PLURAL = "Actions planned to deliver safety recommendation:"
ACTIONS_HEADING_SINGULAR = "Action planned to deliver safety recommendation:"
CUT_OFF_NOTICE = "This record is cut off in the stored copy; the rest of the text is not available."
# The earliest day any stored copy behind the records can have been made (shared/data/SOURCES.md:
# "all stored copies were made between 2024 and 2026").
EARLIEST_STORED_COPY = dt.date(2024, 1, 1)
# How a page's stated capture date is to be read: the page was captured on or after that day.
CAPTURE_DATE_BASIS = "on_or_after"

RECORD_FIELDS = (
    "reference",
    "investigation_title",
    "investigation_slug",
    "investigation_url",
    "log_item_url",
    "recommendation_date",
    "recipients",
    "recommendation_text",
    "response_text",
    "actions_planned",
    "response_received_date",
    "source_urls",
    "truncated",
    "notes",
    "recommendation_text_complete",
    "response_complete",
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DISPLAY_DATE = re.compile(r"^(?P<day>\d{1,2}) (?P<month>[A-Za-z]+) (?P<year>\d{4})$")
_REAL_REFERENCE = re.compile(r"^R/\d{4}/\d{3}$")
# Page-shape evidence in the records' notes (each pattern quotes the page's own words).
_NOTE_NO_HEADER = re.compile(r"header[^.;]*(?:not present|absent)", re.IGNORECASE)
_NOTE_SINGULAR_ACTIONS = re.compile(re.escape(ACTIONS_HEADING_SINGULAR))
_NOTE_RECIPIENT_HEADING = re.compile(r'Recipient heading(?: on page:)? "(?P<heading>[^"]+)"')
_NOTE_LINKS_LABEL = re.compile(r'A "Links:" label')
_NOTE_CLOSURE = re.compile(r'page states: "(?P<text>[^"]*has closed this recommendation[^"]*)"')
_NOTE_AFTER_RECEIVED = re.compile(r'after the received date: "(?P<text>.+)"$', re.DOTALL)
_NOTE_REFERENCE_IN_RESPONSE = re.compile(r"quoted inside the response|as quoted in response")


class RecordError(ValueError):
    """A bundled record is not what the snapshot expects (names the line and the field)."""


def display_date(text: str) -> dt.date:
    """A day date as the records write it ("25 August 2025"); ValueError naming the text if not."""
    found = _DISPLAY_DATE.match(text.strip())
    month = found["month"].capitalize() if found else ""
    if not found or month not in MONTH_NAMES:
        raise ValueError(f"{text!r} is not a date like '25 August 2025'")
    try:
        return dt.date(int(found["year"]), MONTH_NAMES.index(month) + 1, int(found["day"]))
    except ValueError as error:
        raise ValueError(f"{text!r} is not a date: {error}") from None


def display_text(day: dt.date) -> str:
    """A date as the records write it: 2025-08-25 -> "25 August 2025" (``display_date``)."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def capture_date_lower_bound(
    recommendation_date: str | None, response_received_date: str | None
) -> dt.date:
    """The day a log page states it was captured on or after (``CAPTURE_DATE_BASIS``).

    No record says when its stored copy was made. Each page was captured on or after the latest
    date it shows, and every stored copy was made in 2024 or later (shared/data/SOURCES.md), so
    the bound is the latest of: the response received date, the recommendation date (no record
    has one today) and ``EARLIEST_STORED_COPY`` (2024-01-01). Dates inside the response's words
    are not used: some are plans ("intended launch in late 2026"), not days already past.
    The example page (response received 25 August 2025) gives 2025-08-25; a record received in
    2021, or with no received date, gives 2024-01-01. ValueError if a date does not parse.
    """
    shown = [display_date(text) for text in (recommendation_date, response_received_date) if text]
    return max([EARLIEST_STORED_COPY, *shown])


@dataclass(frozen=True)
class PlannedAction:
    text: str  # the bullet as written, verbatim
    due: str | None  # the due phrase as recorded ("by September 2024"), or None


@dataclass(frozen=True)
class Record:
    """One recommendation and how its snapshot page looks."""

    source_line: int  # 1-based line in recommendations.jsonl; 0 for the example page
    reference: str | None
    investigation_title: str
    investigation_slug: str
    recorded_investigation_url: str | None
    log_item_url: str | None  # the real address, when known
    recommendation_date: str | None
    recipients: tuple[str, ...]
    recommendation_text: str
    response_text: str | None
    actions: tuple[PlannedAction, ...]
    response_received_date: str | None
    truncated: bool
    recommendation_text_complete: bool
    response_complete: bool
    notes: str | None
    source_urls: tuple[str, ...]
    # page shape
    has_header: bool
    actions_heading: str
    recipient_heading: str | None
    links_label: bool
    closure_note: str | None
    additional_sections: tuple[tuple[str, str], ...]  # (heading, text)
    reference_in_heading: bool
    cut_off_after: str | None  # "recommendation" | "response" | "actions" | None

    @property
    def page_path(self) -> str:
        if self.log_item_url:
            return urlsplit(self.log_item_url).path
        if self.source_line == 0:
            return f"{STAND_IN_PREFIX}{self.investigation_slug}/example-page"
        return f"{STAND_IN_PREFIX}{self.investigation_slug}/line-{self.source_line}"

    @property
    def is_stand_in(self) -> bool:
        return self.log_item_url is None

    @property
    def captured_on(self) -> dt.date:
        """The day this page states it was captured on or after (``capture_date_lower_bound``)."""
        return capture_date_lower_bound(self.recommendation_date, self.response_received_date)

    @property
    def investigation_path(self) -> str:
        return f"{INVESTIGATIONS_PATH}{self.investigation_slug}/"


@dataclass(frozen=True)
class Investigation:
    slug: str
    title: str
    records: tuple[Record, ...]
    recorded_urls: tuple[str, ...]  # addresses the records give for it (may be legacy hsib)

    @property
    def path(self) -> str:
        return f"{INVESTIGATIONS_PATH}{self.slug}/"

    @property
    def canonical_url(self) -> str:
        return CANONICAL_ORIGIN + self.path


# ------------------------------------------------------------------------------------------------
# Loading


def _require(raw: Mapping, line: int, name: str, kinds: tuple[type, ...]) -> object:
    if name not in raw:
        raise RecordError(f"recommendations.jsonl line {line}: missing field {name!r}")
    value = raw[name]
    if not isinstance(value, kinds):
        expected = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
        raise RecordError(
            f"recommendations.jsonl line {line}: field {name!r} should be {expected}, "
            f"got {type(value).__name__}"
        )
    return value


def _page_shape(raw: Mapping, line: int) -> dict:
    notes = raw.get("notes") or ""
    closure = _NOTE_CLOSURE.search(notes)
    after_received = _NOTE_AFTER_RECEIVED.search(notes)
    additional: tuple[tuple[str, str], ...] = ()
    if after_received:
        # The notes write the page's line breaks as a literal backslash-n.
        quoted = after_received["text"].replace("\\n", "\n")
        heading, _, text = quoted.partition("\n")
        additional = ((heading.strip(), text),)
    recipient = _NOTE_RECIPIENT_HEADING.search(notes)
    reference = raw.get("reference")
    cut_off_after = None
    if raw["truncated"]:
        if not raw["recommendation_text_complete"]:
            cut_off_after = "recommendation"
        elif raw["actions_planned"]:
            cut_off_after = "actions"
        elif raw["response_text"]:
            cut_off_after = "response"
        else:
            raise RecordError(
                f"recommendations.jsonl line {line}: truncated, but no field says where it is "
                "cut off (recommendation complete, no response, no actions)"
            )
    return {
        "has_header": not _NOTE_NO_HEADER.search(notes),
        "actions_heading": (
            ACTIONS_HEADING_SINGULAR
            if _NOTE_SINGULAR_ACTIONS.search(notes)
            else ACTIONS_HEADING_PLURAL
        ),
        "recipient_heading": recipient["heading"] if recipient else None,
        "links_label": bool(_NOTE_LINKS_LABEL.search(notes)),
        "closure_note": closure["text"] if closure else None,
        "additional_sections": additional,
        "reference_in_heading": bool(
            reference
            and _REAL_REFERENCE.match(reference)
            and not _NOTE_REFERENCE_IN_RESPONSE.search(notes)
        ),
        "cut_off_after": cut_off_after,
    }


def record_from_json(raw: Mapping, line: int) -> Record:
    """Validate one JSON record and derive its page shape."""
    if not isinstance(raw, Mapping):
        raise RecordError(f"recommendations.jsonl line {line}: expected a JSON object")
    text_or_none = (str, type(None))
    for name in ("reference", "investigation_url", "log_item_url", "recommendation_date"):
        _require(raw, line, name, text_or_none)
    for name in ("response_text", "response_received_date", "notes"):
        _require(raw, line, name, text_or_none)
    for name in ("investigation_title", "investigation_slug", "recommendation_text"):
        if not str(_require(raw, line, name, (str,))).strip():
            raise RecordError(f"recommendations.jsonl line {line}: field {name!r} is empty")
    for name in ("truncated", "recommendation_text_complete", "response_complete"):
        _require(raw, line, name, (bool,))
    recipients = _require(raw, line, "recipients", (list,))
    actions = _require(raw, line, "actions_planned", (list,))
    sources = _require(raw, line, "source_urls", (list,))
    if not _SLUG.match(raw["investigation_slug"]):
        raise RecordError(
            f"recommendations.jsonl line {line}: investigation_slug "
            f"{raw['investigation_slug']!r} is not a URL slug"
        )
    log_url = raw["log_item_url"]
    if log_url and not urlsplit(log_url).path.startswith(LOG_PATH):
        raise RecordError(
            f"recommendations.jsonl line {line}: log_item_url {log_url!r} is not under {LOG_PATH}"
        )
    parsed_actions = []
    for index, action in enumerate(actions):
        if not isinstance(action, Mapping) or not isinstance(action.get("text"), str):
            raise RecordError(
                f"recommendations.jsonl line {line}: actions_planned[{index}] needs a 'text'"
            )
        parsed_actions.append(PlannedAction(action["text"], action.get("due")))
    for name in ("recommendation_date", "response_received_date"):
        if raw[name] is not None:
            try:
                display_date(raw[name])
            except ValueError as error:
                raise RecordError(
                    f"recommendations.jsonl line {line}: field {name!r}: {error}"
                ) from None
    return Record(
        source_line=line,
        reference=raw["reference"],
        investigation_title=raw["investigation_title"],
        investigation_slug=raw["investigation_slug"],
        recorded_investigation_url=raw["investigation_url"],
        log_item_url=log_url,
        recommendation_date=raw["recommendation_date"],
        recipients=tuple(str(name) for name in recipients),
        recommendation_text=raw["recommendation_text"],
        response_text=raw["response_text"] or None,
        actions=tuple(parsed_actions),
        response_received_date=raw["response_received_date"],
        truncated=raw["truncated"],
        recommendation_text_complete=raw["recommendation_text_complete"],
        response_complete=raw["response_complete"],
        notes=raw["notes"],
        source_urls=tuple(str(url) for url in sources),
        **_page_shape(raw, line),
    )


def load_records(path: Path = RECORDS_FILE) -> tuple[Record, ...]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as error:
                raise RecordError(f"{path.name} line {line_number}: not JSON ({error})") from error
            records.append(record_from_json(raw, line_number))
    if not records:
        raise RecordError(f"{path} holds no records")
    return tuple(records)


_BULLET = "  • "


def example_record(path: Path = EXAMPLE_PAGE_FILE) -> Record:
    """The complete example page (plain rendered text) read back into a Record.

    The text layout is fixed (see the file); any deviation is an error naming the line, so a
    changed file cannot silently produce a different page.
    """
    lines = path.read_text(encoding="utf-8").split("\n")

    def fail(index: int, expected: str) -> RecordError:
        got = lines[index] if index < len(lines) else "<end of file>"
        return RecordError(f"{path.name} line {index + 1}: expected {expected}, got {got!r}")

    def expect(index: int, text: str) -> None:
        if index >= len(lines) or lines[index] != text:
            raise fail(index, repr(text))

    title = lines[0].strip()
    expect(2, f"From the investigation: {title}")
    expect(4, "Recommendation date:")
    expect(6, "Safety recommendation")
    position = 8
    chunks: list[list[str]] = [[]]
    headings = ("Response:", ACTIONS_HEADING_PLURAL, ACTIONS_HEADING_SINGULAR)
    sections: dict[str, list[str]] = {}
    current = "recommendation"
    received = None
    actions: list[str] = []
    while position < len(lines):
        text = lines[position]
        position += 1
        if text in headings:
            sections[current] = [c for c in ("\n".join(p) for p in chunks) if c]
            current, chunks = text, [[]]
            continue
        if text.startswith("Response received on "):
            received = text.removeprefix("Response received on ").rstrip(".")
            continue
        if text == "Back to safety recommendations log":
            break
        if text.startswith(_BULLET):
            actions.append(text[len(_BULLET) :])
        elif text == "":
            if chunks[-1]:
                chunks.append([])
        elif current != ACTIONS_HEADING_PLURAL:
            chunks[-1].append(text)
    sections[current] = [c for c in ("\n".join(p) for p in chunks) if c]
    if "recommendation" not in sections or "Response:" not in sections or received is None:
        raise RecordError(f"{path.name}: recommendation, response or received date not found")
    try:
        display_date(received)
    except ValueError as error:
        raise RecordError(f"{path.name}: response received date: {error}") from None
    return Record(
        source_line=0,
        reference=None,
        investigation_title=title,
        investigation_slug=re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
        recorded_investigation_url=None,
        log_item_url=None,
        recommendation_date=None,
        recipients=("Department of Health and Social Care",),
        recommendation_text="\n\n".join(sections["recommendation"]),
        response_text="\n\n".join(sections["Response:"]),
        # The due phrases are in the bullets' text; the example file does not list them apart.
        actions=tuple(PlannedAction(text, None) for text in actions),
        response_received_date=received,
        truncated=False,
        recommendation_text_complete=True,
        response_complete=True,
        notes="The complete example page (shared/data/hssib/example_recommendation_page.txt).",
        source_urls=(),
        has_header=True,
        actions_heading=ACTIONS_HEADING_PLURAL,
        recipient_heading=None,
        links_label=False,
        closure_note=None,
        additional_sections=(),
        reference_in_heading=False,
        cut_off_after=None,
    )


# ------------------------------------------------------------------------------------------------
# The site


@dataclass(frozen=True)
class HssibSite:
    records: tuple[Record, ...]  # in listing order
    entries_per_page: int = ENTRIES_PER_LISTING_PAGE

    def __post_init__(self) -> None:
        if self.entries_per_page < 1:
            raise ValueError(f"entries_per_page must be at least 1, not {self.entries_per_page}")
        paths = [record.page_path for record in self.records]
        duplicates = sorted({path for path in paths if paths.count(path) > 1})
        if duplicates:
            raise RecordError(f"two records would share a page: {duplicates}")
        titles: dict[str, str] = {}
        for record in self.records:
            known = titles.setdefault(record.investigation_slug, record.investigation_title)
            if known != record.investigation_title:
                raise RecordError(
                    f"investigation {record.investigation_slug!r} has two titles: "
                    f"{known!r} and {record.investigation_title!r}"
                )

    @functools.cached_property
    def by_path(self) -> Mapping[str, Record]:
        return MappingProxyType({record.page_path: record for record in self.records})

    @functools.cached_property
    def investigations(self) -> Mapping[str, Investigation]:
        grouped: dict[str, list[Record]] = {}
        for record in self.records:
            grouped.setdefault(record.investigation_slug, []).append(record)
        return MappingProxyType(
            {
                slug: Investigation(
                    slug,
                    records[0].investigation_title,
                    tuple(records),
                    tuple(
                        dict.fromkeys(
                            r.recorded_investigation_url
                            for r in records
                            if r.recorded_investigation_url
                        )
                    ),
                )
                for slug, records in grouped.items()
            }
        )

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.records) // self.entries_per_page))

    def listing_page(self, page: int) -> Sequence[Record] | None:
        """Records on listing page ``page`` (1-based), or None when there is no such page."""
        if not 1 <= page <= self.page_count:
            return None
        start = (page - 1) * self.entries_per_page
        return self.records[start : start + self.entries_per_page]

    def record_at(self, path: str) -> Record | None:
        return self.by_path.get(path.rstrip("/")) or self.by_path.get(path)

    def investigation_at(self, path: str) -> Investigation | None:
        if not path.startswith(INVESTIGATIONS_PATH):
            return None
        slug = path[len(INVESTIGATIONS_PATH) :].strip("/")
        return self.investigations.get(slug)


@functools.cache
def load_site(entries_per_page: int = ENTRIES_PER_LISTING_PAGE) -> HssibSite:
    """The bundled records and the example page, in listing order (the example page last)."""
    return HssibSite((*load_records(), example_record()), entries_per_page)
