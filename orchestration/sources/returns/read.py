"""Read a returns file (CSV or Excel .xlsx in the documented template, ``templates/README.md``)
into rows of text, with every structural problem named by file, spreadsheet row and column.

Also the template's columns and their documentation, the error types, the file checksum and the
outcome categories shared by validation (``validate``) and loading (``load``).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

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
class Problem:
    file_name: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file_name]
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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- reading ------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = " ".join(str(value).replace("\u00a0", " ").split())
    return text or None


def _header_problems(file_name: str, header: Sequence[str | None]) -> list[Problem]:
    names = [(_cell_text(h) or "").lower() for h in header]
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        problems.append(
            Problem(
                file_name,
                1,
                ", ".join(missing),
                f"missing required column(s) {', '.join(missing)} in the header row (row 1)",
            )
        )
    for position, name in enumerate(names, start=1):
        if name and name not in ALL_COLUMNS:
            problems.append(
                Problem(
                    file_name,
                    1,
                    name,
                    f"unknown column {name!r} (header cell {position}); the template's columns"
                    f" are {', '.join(ALL_COLUMNS)}",
                )
            )
    seen = {n for n in names if n and names.count(n) > 1}
    problems += [Problem(file_name, 1, n, "column appears twice in the header") for n in seen]
    return problems


def _rows_from_table(
    file_name: str, table: list[list[Any]]
) -> tuple[list[ReturnsRow], list[Problem]]:
    if not table or not any(_cell_text(v) for v in table[0]):
        header_row = next(
            (
                number
                for number, row in enumerate(table[:20], start=1)
                if {(_cell_text(v) or "").lower() for v in row} >= set(REQUIRED_COLUMNS)
            ),
            None,
        )
        hint = (
            f"; a header was found on row {header_row}: delete the rows above it"
            if header_row
            else ""
        )
        return [], [Problem(file_name, 1, None, f"row 1 must be the template header{hint}")]
    header = table[0]
    problems = _header_problems(file_name, header)
    if problems:
        header_row = next(
            (
                number
                for number, row in enumerate(table[1:20], start=2)
                if {(_cell_text(v) or "").lower() for v in row} >= set(REQUIRED_COLUMNS)
            ),
            None,
        )
        if header_row:
            problems.insert(
                0,
                Problem(
                    file_name,
                    header_row,
                    None,
                    f"the header is on row {header_row}, not row 1: delete the rows above it",
                ),
            )
        return [], problems
    names = [(_cell_text(h) or "").lower() for h in header]
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        values = {name: _cell_text(v) for name, v in zip(names, raw, strict=False) if name}
        if not any(values.values()):
            continue  # blank spreadsheet rows are layout, not data
        if len(raw) > len(names) and any(_cell_text(v) for v in raw[len(names) :]):
            problems.append(Problem(file_name, number, None, "more cells than header columns"))
        rows.append(ReturnsRow(number, {c: values.get(c) for c in ALL_COLUMNS}))
    return rows, problems


def read_returns_file(path: Path) -> tuple[list[ReturnsRow], list[Problem]]:
    """Read a CSV or .xlsx returns file into rows (values as text) and structural problems."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                table = [list(r) for r in csv.reader(handle)]
        except UnicodeDecodeError as exc:
            return [], [Problem(path.name, None, None, f"not UTF-8 text ({exc.reason})")]
        except csv.Error as exc:
            return [], [Problem(path.name, None, None, f"not a readable CSV file: {exc}")]
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types for a broken workbook
            return [], [Problem(path.name, None, None, f"not a readable .xlsx workbook: {exc}")]
        names = workbook.sheetnames
        sheet = workbook[XLSX_SHEET] if XLSX_SHEET in names else workbook.worksheets[0]
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
        workbook.close()
    else:
        return [], [Problem(path.name, None, None, "a returns file must be .csv or .xlsx")]
    return _rows_from_table(path.name, table)


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
    return date.fromisoformat(text) if text and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
