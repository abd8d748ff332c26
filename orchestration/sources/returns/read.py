"""Read a returns file (CSV or Excel .xlsx in the documented template, ``templates/README.md``)
into rows of text, with every structural problem named by file, spreadsheet row and column.

Reading is bounded (``limits``): the file's name, size and, for an .xlsx, unzipped size are
checked before it is opened; it is then streamed, and the row, column, cell-size and time limits
are checked row by row. Cells holding control characters or formula-leading text, and values
outside the named columns, are refused with their row and column.

Also the template's columns and their documentation, the error types, the file checksum and the
outcome categories shared by validation (``validate``) and loading (``load``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import chain, count, islice
from pathlib import Path
from typing import Any, BinaryIO

from orchestration.sources.returns import limits as returns_limits
from orchestration.sources.returns.limits import (
    Deadline,
    Limits,
    Refused,
    control_character,
    display_name,
    file_problems,
    formula_leading,
    name_problem,
)

XLSX_SHEET = "returns"

REQUIRED_COLUMNS = (
    "organisation_name",
    "organisation_kind",
    "source_kind",
    "source_reference",
    "period_start",
    "period_end",
    "reports_received",
    "counting_basis",
    "outcome",
    "source_url",
)
OPTIONAL_COLUMNS = (
    "note",
    "organisation_key",
    "reports_as_addressee",
    "reports_as_interested_person",
    "request_date",
    "answered_date",
)
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
COLUMN_DOCS = {
    "organisation_name": "Organisation or coroner area that answered, as it names itself"
    " (must match an organisation or area in the warehouse; names are not guessed)",
    "organisation_kind": "What kind of body it is, e.g. 'NHS Wales health board',"
    " 'government department', 'regulator'; exactly 'coroner area' for a coroner area's return"
    " of reports it issued",
    "source_kind": "What the answer is: FOI answer, parliamentary written answer, written"
    " statement, annual report, newspaper report of official figures",
    "source_reference": "Request or document reference (e.g. the FOI reference MGLA010724-6630)",
    "period_start": "First day of the period the count covers (YYYY-MM-DD)",
    "period_end": "Last day of the period the count covers (YYYY-MM-DD, not after today)",
    "reports_received": "Whole number >= 0 of reports received (organisations) or issued"
    " (coroner areas) in the period; EMPTY when the outcome is refused or not held",
    "counting_basis": "What was counted, in the answer's words: as addressee, as copied"
    " interested person, both, or not stated; any restriction (e.g. only mental health patients)",
    "outcome": "provided | partial | 'refused: section NN (reason)' | 'not held ...'"
    " (a refusal is an outcome, never a zero count)",
    "source_url": "Address of the published answer (http/https); may be empty only with a note"
    " saying why",
    "note": "Anything an auditor must know to compare the count (optional)",
    "organisation_key": "Optional: the warehouse key (ods:<code> or nb:<slug>) when the name"
    " alone is ambiguous",
    "reports_as_addressee": "Optional: of which received as addressee",
    "reports_as_interested_person": "Optional: of which received as copied interested person",
    "request_date": "Optional: date the request was made (YYYY-MM-DD)",
    "answered_date": "Optional: date of the answer (YYYY-MM-DD)",
}
COUNT_COLUMNS = ("reports_received", "reports_as_addressee", "reports_as_interested_person")
DATE_COLUMNS = ("period_start", "period_end", "request_date", "answered_date")
_EXEMPTION = re.compile(r"\bsection\s+\d+[a-z]?(\s*\(\d+\))?", re.IGNORECASE)


@dataclass(frozen=True)
class Columns:
    """The header of one file kind: its required columns and every column it may hold."""

    kind: str  # counts | report_list | requests (raw.returns__files.file_kind)
    required: tuple[str, ...]
    all: tuple[str, ...]


COUNTS = Columns("counts", REQUIRED_COLUMNS, ALL_COLUMNS)


@dataclass(frozen=True)
class Problem:
    file_name: str
    row: int | None
    column: str | None
    message: str
    sheet: str | None = None  # the .xlsx sheet, when the file has several that are read

    def __str__(self) -> str:
        where = [self.file_name]
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class ReturnsFileError(Exception):
    """The returns file is not loadable; ``problems`` lists every reason. Nothing was loaded."""

    def __init__(self, problems: Sequence[Problem], quarantined_to: Path | None = None):
        self.problems = list(problems)
        self.quarantined_to = quarantined_to
        lines = [str(p) for p in self.problems]
        if quarantined_to:
            lines.append(f"quarantined to {quarantined_to}")
        super().__init__("\n".join(lines))


@dataclass
class ReturnsRow:
    row_number: int
    values: dict[str, str | None]
    sheet: str | None = None  # the .xlsx sheet it was read from (report lists: see foi_files)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- reading ------------------------------------------------------------------------------------
# A file is streamed: CSV record by record through a byte-counting reader, .xlsx through
# openpyxl's read-only mode after its zip members were checked (``limits.file_problems``). Every
# row passes the row, width, cell-size and time limits as it is read; a limit passed stops the
# reading with one line (``Refused``). Cell content problems (control characters, formula-leading
# text, values beyond the named columns) are collected, each naming its row and column.


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = " ".join(str(_formula_text(value)).replace("\u00a0", " ").split())
    return text or None


def _formula_text(value: Any) -> Any:
    """An openpyxl array or data-table formula object as its formula text (``=...``)."""
    if isinstance(value, str | int | float | bool | date | datetime | time | timedelta):
        return value
    return getattr(value, "text", None) or f"={value}"


def get_column_letter(number: int) -> str:
    """Spreadsheet column letters of a 1-based column number (1 -> A, 27 -> AA)."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_label(names: Sequence[str], index: int) -> str:
    if index < len(names) and names[index]:
        return names[index]
    return f"{get_column_letter(index + 1)} (column {index + 1})"


def _blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip(" \t\r\n\u00a0")


def _bounded(raw_rows: Iterable[Sequence[Any]], limits: Limits, deadline: Deadline):
    """(row number, cells up to the last one holding a value), stopping at the row, width and
    time limits."""
    for number, raw in enumerate(raw_rows, start=1):
        if number > limits.max_rows:
            raise Refused(
                f"more than {limits.max_rows:,} rows; the limit is {limits.max_rows:,} rows"
                " (split the file)",
                number,
            )
        deadline.check(number)
        cells = list(raw)
        while cells and (cells[-1] is None or _blank(cells[-1])):
            cells.pop()
        if len(cells) > limits.max_columns:
            raise Refused(
                f"a value in column {len(cells)}; the limit is {limits.max_columns} columns",
                number,
                get_column_letter(min(len(cells), 16384)),
            )
        yield number, cells


def _cell_problem(
    file_name: str, number: int, label: str, value: Any, limits: Limits, sheet: str | None = None
) -> Problem | None:
    raw = value if isinstance(value, str) else None
    if raw is not None and len(raw) > limits.max_cell_chars:
        raise Refused(
            f"the cell holds {len(raw):,} characters; the limit is {limits.max_cell_chars:,}",
            number,
            label,
        )
    character = control_character(raw) if raw is not None else None
    if character:
        return Problem(
            file_name,
            number,
            label,
            f"the cell holds the control character {character} (NUL and control characters are"
            " refused; retype the value)",
            sheet,
        )
    text = _cell_text(value)
    if text and formula_leading(text):
        return Problem(
            file_name,
            number,
            label,
            f"{text[:60]!r} starts with {text[0]!r}, so a spreadsheet would run it as a formula;"
            " formulas are refused (paste the value, and do not begin text with = + - @)",
            sheet,
        )
    return None


def _header_problems(
    file_name: str,
    header: Sequence[str | None],
    columns: Columns = COUNTS,
    sheet: str | None = None,
) -> list[Problem]:
    names = [(_cell_text(h) or "").lower() for h in header]
    problems = []
    missing = [c for c in columns.required if c not in names]
    if missing:
        problems.append(
            Problem(
                file_name,
                1,
                ", ".join(missing),
                f"missing required column(s) {', '.join(missing)} in the header row (row 1)",
                sheet,
            )
        )
    for position, name in enumerate(names, start=1):
        if name and name not in columns.all:
            template = "template's" if columns is COUNTS else f"{columns.kind} template's"
            problems.append(
                Problem(
                    file_name,
                    1,
                    repr(name)[1:-1],
                    f"unknown column {name[:60]!r} (header cell {position}); the {template}"
                    f" columns are {', '.join(columns.all)}",
                    sheet,
                )
            )
    seen = {n for n in names if n and names.count(n) > 1}
    problems += [
        Problem(file_name, 1, n, "column appears twice in the header", sheet) for n in seen
    ]
    return problems


def _header_row(
    table: Sequence[tuple[int, Sequence[Any]]], required: Sequence[str] = REQUIRED_COLUMNS
) -> int | None:
    """The number of the first row that holds every required column name (a misplaced header)."""
    return next(
        (
            number
            for number, row in table
            if {(_cell_text(v) or "").lower() for v in row} >= set(required)
        ),
        None,
    )


def _rows_from_table(
    file_name: str,
    raw_rows: Iterable[Sequence[Any]],
    limits: Limits,
    deadline: Deadline,
    columns: Columns = COUNTS,
    sheet: str | None = None,
) -> tuple[list[ReturnsRow], list[Problem]]:
    """The rows of one table (a CSV file or one .xlsx sheet) under the header of ``columns``;
    ``sheet`` names the .xlsx sheet in every problem and row."""
    numbered = _bounded(raw_rows, limits, deadline)
    first = list(islice(numbered, 20))  # where a misplaced header is looked for
    if not first or not any(_cell_text(v) for v in first[0][1]):
        header_row = _header_row(first, columns.required)
        hint = (
            f"; a header was found on row {header_row}: delete the rows above it"
            if header_row
            else ""
        )
        return [], [Problem(file_name, 1, None, f"row 1 must be the template header{hint}", sheet)]
    header = first[0][1]
    problems = _header_problems(file_name, header, columns, sheet)
    if problems:
        header_row = _header_row(first[1:], columns.required)
        if header_row:
            problems.insert(
                0,
                Problem(
                    file_name,
                    header_row,
                    None,
                    f"the header is on row {header_row}, not row 1: delete the rows above it",
                    sheet,
                ),
            )
        return [], problems
    names = [(_cell_text(h) or "").lower() for h in header]
    rows = []
    for number, raw in chain(first[1:], numbered):
        values: dict[str, str | None] = {}
        for index, value in enumerate(raw):
            if value is None or value == "":
                continue
            label = _column_label(names, index)
            problem = _cell_problem(file_name, number, label, value, limits, sheet)
            text = _cell_text(value)
            if problem:
                problems.append(problem)
            elif text is None:
                continue  # white space only: an empty cell
            elif index >= len(names) or not names[index]:
                problems.append(
                    Problem(
                        file_name,
                        number,
                        label,
                        f"{text!r:.60} is in a column with no name in the header row; every"
                        " value must be under one of the template's columns",
                        sheet,
                    )
                )
            else:
                values[names[index]] = text
        if not any(values.values()):
            continue  # blank spreadsheet rows are layout, not data
        rows.append(ReturnsRow(number, {c: values.get(c) for c in columns.all}, sheet))
    return rows, capped(file_name, problems, limits.max_problems)


def capped(file_name: str, problems: list[Problem], limit: int) -> list[Problem]:
    """At most ``limit`` problems, and one line saying how many more there were."""
    if len(problems) <= limit:
        return problems
    more = len(problems) - limit
    return [
        *problems[:limit],
        Problem(file_name, None, None, f"and {more:,} more problems (the first {limit} shown)"),
    ]


class _ByteLimited(io.RawIOBase):
    """A binary file that refuses to give more than ``limit`` bytes (a file that grows while
    it is read is still bounded)."""

    def __init__(self, raw: BinaryIO, limit: int):
        self._raw = raw
        self._limit = limit
        self._seen = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        got = self._raw.readinto(buffer) or 0
        self._seen += got
        if self._seen > self._limit:
            raise Refused(f"the file is more than {self._limit:,} bytes, the limit")
        return got


def _guarded(rows: Iterator[Sequence[Any]], unreadable) -> Iterator[Sequence[Any]]:
    """The rows, with an error of the underlying reader turned into one ``Refused`` line."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Refused:
            raise
        except Exception as error:  # csv, codec, zip and XML readers raise many types
            raise Refused(unreadable(error)) from None
        yield row


def _lines(text: io.TextIOBase, limit: int) -> Iterator[str]:
    """The lines of ``text``, refusing one longer than ``limit`` characters before it is all
    in memory (a file of one 50 MB line is refused after reading ``limit`` characters)."""
    for number in count(1):
        line = text.readline(limit + 1)
        if not line:
            return
        if len(line) > limit:
            raise Refused(
                f"line {number} of the file is longer than {limit:,} characters, the limit"
            )
        yield line


@contextmanager
def _csv_rows(path: Path, limits: Limits) -> Iterator[Iterator[Sequence[Any]]]:
    with path.open("rb", buffering=0) as handle:
        limited = io.BufferedReader(_ByteLimited(handle, limits.max_file_bytes))
        text = io.TextIOWrapper(limited, encoding="utf-8-sig", newline="")
        reader = csv.reader(_lines(text, limits.max_line_chars))

        def unreadable(error: Exception) -> str:
            if isinstance(error, UnicodeDecodeError):
                return f"not UTF-8 text ({error.reason}, near line {reader.line_num + 1})"
            return f"not a readable CSV file (near line {reader.line_num}): {error}"

        yield _guarded(reader, unreadable)


@contextmanager
def _workbook(path: Path) -> Iterator[Any]:
    """The workbook, read-only (call after ``limits.file_problems`` checked its zip members)."""
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell reads as its formula text ("=..."), which is refused,
        # rather than as a cached result that may be stale or missing.
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises several types for a broken workbook
        raise Refused(f"not a readable .xlsx workbook: {exc}") from None
    try:
        yield workbook
    finally:
        workbook.close()


def sheet_rows(sheet: Any) -> Iterator[Sequence[Any]]:
    """The rows of one read-only sheet, as wide as their cells."""
    if hasattr(sheet, "reset_dimensions"):
        # Rows are as wide as their cells, not as the sheet's declared size (a sheet may
        # declare A1:XFD1048576, which openpyxl would otherwise pad every row to).
        sheet.reset_dimensions()
    return _guarded(
        iter(sheet.iter_rows(values_only=True)),
        lambda error: f"not a readable .xlsx workbook: {error}",
    )


@contextmanager
def _xlsx_rows(path: Path) -> Iterator[Iterator[Sequence[Any]]]:
    with _workbook(path) as workbook:
        names = workbook.sheetnames
        sheet = workbook[XLSX_SHEET] if XLSX_SHEET in names else workbook.worksheets[0]
        yield sheet_rows(sheet)


def file_name_problems(path: Path | str) -> list[Problem]:
    """A refused file name (NUL, newline or another control character; formula-leading), as one
    printable line; empty when the name is fine. Call before using the name anywhere."""
    name = Path(path).name
    problem = name_problem(name) or ("the path holds a NUL byte" if "\x00" in str(path) else None)
    return [Problem(display_name(name), None, None, problem)] if problem else []


def read_returns_file(
    path: Path, limits: Limits | None = None
) -> tuple[list[ReturnsRow], list[Problem]]:
    """Read a CSV or .xlsx count returns file into rows (values as text) and problems, within
    ``limits`` (default ``limits.LIMITS``, documented in templates/README.md)."""
    _, rows, problems = read_checked(path, _read_counts, limits)
    return rows, problems


def _read_counts(path: Path, file_name: str, limits: Limits, deadline: Deadline) -> ReadResult:
    opener = _csv_rows(path, limits) if path.suffix.lower() == ".csv" else _xlsx_rows(path)
    with opener as raw_rows:
        return ReadResult(COUNTS.kind, *_rows_from_table(file_name, raw_rows, limits, deadline))


@dataclass
class ReadResult:
    kind: str | None  # counts | report_list | requests; None when not known
    rows: list[ReturnsRow]
    problems: list[Problem]

    def __iter__(self):
        return iter((self.kind, self.rows, self.problems))


def read_checked(path: Path, reader, limits: Limits | None = None) -> ReadResult:
    """The file's name, kind, size and zip members checked (``limits``), then
    ``reader(path, file name, limits, deadline)`` run with every read error (a limit passed, a
    broken file, a file removed meanwhile) turned into one problem line."""
    limits = limits or returns_limits.LIMITS
    named = file_name_problems(path)
    if named:
        return ReadResult(None, [], named)
    path = Path(path)
    file_name = display_name(path.name)
    deadline = Deadline(limits)
    refused = file_problems(path, limits, deadline)
    if refused:
        return ReadResult(None, [], [Problem(file_name, None, None, m) for m in refused])
    try:
        return reader(path, file_name, limits, deadline)
    except Refused as error:
        problem = Problem(file_name, error.row, error.column, error.message, error.sheet)
        return ReadResult(None, [], [problem])
    except OSError as error:  # removed or made unreadable after it was checked
        problem = Problem(file_name, None, None, f"cannot read the file: {error.strerror}")
        return ReadResult(None, [], [problem])


# --- outcomes and dates -----------------------------------------------------------------------


def outcome_category(outcome: str | None) -> str | None:
    """provided | partial | refused | not_held, or None when the text is not one of them."""
    text = (outcome or "").strip().lower()
    if text.startswith("provided"):
        return "provided"
    if text.startswith("partial"):
        return "partial"
    if text.startswith("refused"):
        return "refused"
    if text.startswith("not held"):
        return "not_held"
    return None


def outcome_exemption(outcome: str | None) -> str | None:
    match = _EXEMPTION.search(outcome or "")
    return " ".join(match.group(0).lower().split()) if match else None


def _parse_date(text: str | None) -> date | None:
    return (
        date.fromisoformat(text)
        if text and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text)
        else None
    )
