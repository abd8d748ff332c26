"""The report's own words: the addressee block and the numbered sections of a Regulation 28
report, from the text of the page (inline) or of the report PDF. Pure functions, no I/O.

One splitter serves every shape: inline table rows and ``<strong>`` headings are turned into
plain lines by the page parser (``scrapers.judiciary_pfd.parsing``), PDF text arrives as lines.
Sections are recognised by their number and heading ("5 CORONER'S CONCERNS"), in order, and
keyed by what the heading says (``section_key``), falling back to the template's numbering.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from scrapers.common.html import strip_ascii
from scrapers.judiciary_pfd import selectors as sel
from scrapers.judiciary_pfd.labels import (
    match_addressee_label,
    match_header_label,
    match_header_line,
)

TEXT_SOURCES = ("page", "pdf")
TEXT_STATUSES = ("sections", "no_sections", "stand_in", "unreadable")
# The template's key of each section number ("5" -> "coroners_concerns").
KEY_BY_NUMBER = {number: key for number, key, _ in sel.REPORT_SECTIONS}
NUMBER_BY_KEY = {key: number for number, key, _ in sel.REPORT_SECTIONS}
SECTION_KEYS = tuple(KEY_BY_NUMBER[str(n)] for n in range(1, sel.INLINE_SECTION_COUNT + 1))

_SECTION_LINE = re.compile(r"^\s*(?P<number>\d{1,2})\s*[.)]?(?:\s+(?P<rest>.*))?$", re.DOTALL)
_LONE_NUMBER = re.compile(r"^\s*(?P<number>[1-9])\s*[.)]?\s*$")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


# --- headings ----------------------------------------------------------------------------------


def heading_words(heading: str) -> list[str]:
    """Lower-case words of a heading, apostrophes dropped, "&" read as "and"."""
    text = heading.translate(_APOSTROPHES).replace("'", "").replace("&", " and ").lower()
    return re.findall(r"[a-z0-9]+", text)


def heading_key(heading: str) -> str | None:
    """The section key a heading names ("CORONERS CONCERNS" -> coroners_concerns), or None."""
    words = heading_words(heading)
    for _number, key, alternatives in sel.REPORT_SECTIONS:
        for required in alternatives:
            if all(any(word.startswith(stem) for word in words) for stem in required):
                return key
    return None


def _is_heading_word(word: str) -> bool:
    letters = [char for char in word if char.isalpha()]
    if word.lower() in sel.SECTION_HEADING_CONNECTORS:
        return True
    # Two letters at least: "2 CORONER'S LEGAL POWERS I make this report" ends at "POWERS".
    return len(letters) >= 2 and all(char.isupper() for char in letters)


def split_heading(rest: str) -> tuple[str, str]:
    """Leading upper-case words ("CORONER'S CONCERNS") and the remaining text of the line."""
    words = rest.split(" ")
    heading_words_seen: list[str] = []
    for word in words:
        if word == "" and heading_words_seen:
            heading_words_seen.append(word)
            continue
        if not _is_heading_word(word):
            break
        heading_words_seen.append(word)
    # A heading never ends in a connector ("ACTION SHOULD BE TAKEN and then" keeps "and").
    while heading_words_seen and (
        heading_words_seen[-1] == ""
        or heading_words_seen[-1].lower() in sel.SECTION_HEADING_CONNECTORS
    ):
        heading_words_seen.pop()
    heading = " ".join(heading_words_seen)
    remainder = rest[len(heading) :] if rest.startswith(heading) else rest
    return strip_ascii(heading), strip_ascii(remainder)


def marked_heading(heading_text: str) -> str | None:
    """A marked heading (table cell, ``<strong>``) as the line the splitter reads, or None when
    it is no heading. An upper-case heading that names a section gets the template's number
    when it has none ("CORONER'S CONCERNS" -> "5 CORONER'S CONCERNS"); a numbered one is
    upper-cased ("6 Action should be taken"); the addressee label is kept. A bold lead-in in
    mixed case ("Response times") or a header label ("Coroner's Area:") is no heading."""
    text = strip_ascii(" ".join(heading_text.split()))
    if match_addressee_label(text) is not None:
        return text
    if match_header_line(text) or match_header_label(text):
        return None
    numbered = _SECTION_LINE.match(text)
    rest = (numbered.group("rest") or "") if numbered else text
    key = heading_key(rest)
    if numbered and (key is not None or not rest):
        return f"{numbered.group('number')} {rest.upper()}".rstrip()
    heading, remainder = split_heading(rest)
    if key is None or not heading or remainder:
        return None
    return f"{NUMBER_BY_KEY[key]} {rest}"


def numbered_heading(heading_text: str) -> str:
    """A table row's heading cell as a line: its marked heading, else its text."""
    return marked_heading(heading_text) or strip_ascii(" ".join(heading_text.split()))


# --- sections ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    index: int  # line number
    number: int
    heading: str
    remainder: str
    key: str | None  # what the heading names, if anything

    @property
    def consistent(self) -> bool:
        """The heading names the section the template numbers so."""
        return self.key is not None and NUMBER_BY_KEY[self.key] == str(self.number)

    @property
    def plausible(self) -> bool:
        """Names its section, or is a bare upper-case heading line."""
        return self.consistent or (bool(self.heading) and not self.remainder)


def _join_lone_numbers(lines: list[str]) -> list[str]:
    """PDF tables put a section's number on its own line ("5" / "CORONER'S CONCERNS"): join the
    number to the next line when that line names a section. The line count is kept."""
    joined = list(lines)
    for index, line in enumerate(joined[:-1]):
        match = _LONE_NUMBER.match(line)
        if not match:
            continue
        following = next((i for i in range(index + 1, len(joined)) if joined[i].strip()), None)
        if following is None:
            continue
        heading, _ = split_heading(strip_ascii(joined[following]))
        if heading and heading_key(heading) is not None:
            joined[index] = f"{match.group('number')} {strip_ascii(joined[following])}"
            joined[following] = ""
    return joined


def _candidates(lines: list[str]) -> list[_Candidate]:
    found = []
    for index, line in enumerate(lines):
        match = _SECTION_LINE.match(line)
        if not match:
            continue
        number = int(match.group("number"))
        if not 1 <= number <= sel.INLINE_SECTION_COUNT:
            continue
        heading, remainder = split_heading(strip_ascii(match.group("rest") or ""))
        if number == 1 and not heading.upper().startswith("CORONER"):
            continue
        found.append(_Candidate(index, number, heading, remainder, heading_key(heading)))
    return found


def _select(candidates: list[_Candidate]) -> list[_Candidate]:
    """The headings, in order. The next number is a heading when its heading names a section
    (or the line is a bare heading, or it is the signature "9"), unless a later line gives that
    number a heading naming its very section (a list item "6. ACCT" inside the concerns is not
    section 6 when "6 ACTION SHOULD BE TAKEN" follows). A number may be skipped (empty sections
    are often left out) only by a heading naming that very section, and only when no later line
    gives a skipped number its own section's heading. A text that does not start at section 1
    needs two such headings, so a numbered list is not read as a report."""
    chosen: list[_Candidate] = []
    last = 0
    for position, candidate in enumerate(candidates):
        number = candidate.number
        if number <= last:
            continue
        later = candidates[position + 1 :]
        if number == last + 1:
            accept = (
                candidate.key is not None
                or candidate.plausible
                or number == sel.INLINE_SECTION_COUNT
            ) and (
                candidate.consistent
                or not any(other.number == number and other.consistent for other in later)
            )
        else:
            accept = candidate.consistent and not any(
                last < other.number < number and other.consistent for other in later
            )
            if accept and last == 0:
                accept = any(other.consistent and other.number > number for other in later)
        if accept:
            chosen.append(candidate)
            last = number
    return chosen


def split_report_text(text: str) -> dict:
    """The addressee block and the sections of a report's text.

    Returns ``{"sent_to_text": str | None, "sections": [{"number", "heading", "section_key",
    "text"}], "warnings": [...]}``. The addressee block is the text after the last "THIS REPORT
    IS BEING SENT TO" label before section 1 (None without the label, or when it is empty).
    """
    lines = _join_lone_numbers(text.split("\n"))
    headings = _select(_candidates(lines))
    warnings: list[str] = []
    sections = []
    for position, heading in enumerate(headings):
        end = headings[position + 1].index if position + 1 < len(headings) else len(lines)
        body = [heading.remainder] if heading.remainder else []
        body += lines[heading.index + 1 : end]
        key = heading.key or KEY_BY_NUMBER[str(heading.number)]
        if heading.key is None and heading.heading:
            warnings.append(
                f"section {heading.number} heading {heading.heading!r} names no known section; "
                "keyed by its number"
            )
        sections.append(
            {
                "number": str(heading.number),
                "heading": heading.heading,
                "section_key": key,
                "text": strip_ascii("\n".join(body)),
            }
        )
    keys = [section["section_key"] for section in sections]
    for key in sorted({key for key in keys if keys.count(key) > 1}):
        warnings.append(f"section {key} appears {keys.count(key)} times")
    before = lines[: headings[0].index] if headings else []
    sent_to_text = _addressee_block(before)
    if (
        headings
        and sent_to_text is None
        and any(match_addressee_label(strip_ascii(line)) is not None for line in before)
    ):
        warnings.append("the addressee block is empty")
    return {"sent_to_text": sent_to_text, "sections": sections, "warnings": warnings}


def split_report_sections(text: str) -> list[dict]:
    """The numbered sections of a report's text ("1 CORONER" ... "9"); [] when there are none."""
    return split_report_text(text)["sections"]


def _addressee_block(lines: list[str]) -> str | None:
    start = None
    for index, line in enumerate(lines):
        value = match_addressee_label(strip_ascii(line))
        if value is not None:
            start = (index, value)
    if start is None:
        return None
    index, value = start
    block = strip_ascii("\n".join([value, *lines[index + 1 :]]))
    return block or None


# --- the text item -----------------------------------------------------------------------------


def is_stand_in(raw_text: str) -> bool:
    flat = " ".join(raw_text.split())
    return any(marker in flat for marker in sel.STAND_IN_MARKERS)


HASHED_FIELDS = (
    "text_source",
    "document_url",
    "text_status",
    "sent_to_text",
    "sections",
    "raw_text",
    "page_count",
)


def report_text_fields(
    raw_text: str | None,
    *,
    text_source: str,
    document_url: str | None,
    page_count: int | None = None,
    warnings: list[str] | None = None,
    unreadable: bool = False,
) -> dict:
    """The ReportTextItem fields (all but url and crawled_at) for a text read from the page or a
    PDF; ``unreadable`` when the PDF gave no text (``warnings`` say why)."""
    if text_source not in TEXT_SOURCES:
        raise ValueError(f"text_source must be one of {TEXT_SOURCES}, got {text_source!r}")
    all_warnings = list(warnings or [])
    raw = raw_text or ""
    if unreadable:
        status, sent_to, sections = "unreadable", None, []
    elif is_stand_in(raw):
        status, sent_to, sections = "stand_in", None, []
    else:
        split = split_report_text(raw)
        sent_to, sections = split["sent_to_text"], split["sections"]
        all_warnings += split["warnings"]
        status = "sections" if sections else "no_sections"
        if not sections:
            all_warnings.append("no numbered report sections found in the text")
    fields = {
        "text_source": text_source,
        "document_url": document_url,
        "text_status": status,
        "sent_to_text": sent_to,
        "sections": sections,
        "raw_text": raw,
        "page_count": page_count,
        "parse_warnings": all_warnings,
    }
    fields["content_hash"] = text_content_hash(fields)
    return fields


def text_content_hash(fields: dict) -> str:
    """sha256 of a canonical JSON of the parsed text fields (not the crawl time)."""
    content = {name: fields.get(name) for name in HASHED_FIELDS}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
