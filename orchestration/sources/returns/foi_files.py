"""The two FOI campaign file kinds that come through the returns inbox beside the count returns:
a **report list** (a filled request pack, or a body's own list of the reports it received) and a
**requests** file (the campaign's request log). Read, validated and loaded with the count
returns' guarantees (``read``, ``limits``, ``load``): the same bounded streaming reader (limits,
formula refusal, control characters, unknown columns), the whole file checked before anything is
written, one line per problem naming file, sheet (in a workbook), row, column and value; then
all or nothing, the same checksum no-op, supersession by file name and quarantine.

A file's kind is found from its sheet names and header (``detect_kind``): a workbook with a
``reports`` or ``not_on_the_list`` sheet is a filled pack; otherwise the first header row that
holds a column only one kind has decides (``answer`` / ``ref`` ... for a report list,
``date_sent`` / ``status`` ... for requests); a header with none of them is read as a count
return, exactly as before. Names are loaded as written; dbt resolves them (as for counts).
The statutory due date of every request is computed here, at load, by ``foi_dates`` (the one
place the rule lives); dbt never recomputes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from itertools import chain, islice
from pathlib import Path
from typing import Any

from orchestration.sources.returns import limits as returns_limits
from orchestration.sources.returns import read
from orchestration.sources.returns.limits import Deadline, Limits, Refused
from orchestration.sources.returns.read import (
    COUNTS,
    Columns,
    Problem,
    ReadResult,
    ReturnsRow,
    _bounded,
    _cell_text,
    _parse_date,
    _rows_from_table,
    capped,
)

REPORT_LIST = Columns(
    "report_list",
    ("organisation_name", "period_start", "period_end", "answer"),
    (
        "organisation_name",
        "period_start",
        "period_end",
        "answer",
        "ref",
        "date_of_report",
        "organisation_key",
        "request_reference",
        "deceased_name",
        "initials",
        "date_of_death",
        "coroner_area",
        "link",
        "note",
        "listed",
    ),
)
REQUESTS = Columns(
    "requests",
    ("organisation_name", "request_reference", "date_sent", "period_start", "period_end", "status"),
    (
        "organisation_name",
        "request_reference",
        "date_sent",
        "period_start",
        "period_end",
        "status",
        "organisation_key",
        "refusal_section",
        "answer_date",
        "note",
    ),
)
KINDS = {c.kind: c for c in (COUNTS, REPORT_LIST, REQUESTS)}
# Columns only one kind has: the first header row holding any of them decides the kind.
_DISTINCTIVE = {
    "report_list": {"answer", "ref", "date_of_report", "listed", "deceased_name", "initials",
                    "date_of_death", "link", "coroner_area"},
    "requests": {"date_sent", "status", "refusal_section", "answer_date"},
    "counts": {"reports_received", "outcome", "counting_basis", "source_kind", "source_url",
               "organisation_kind", "source_reference", "reports_as_addressee",
               "reports_as_interested_person", "request_date", "answered_date"},
}  # fmt: skip

ANSWERS = ("received", "not located", "received as copy")
STATUSES = (
    "sent",
    "answered",
    "partially answered",
    "refused",
    "internal review",
    "complaint to the information commissioner",
)
STATUSES_WITH_ANSWER = ("answered", "partially answered", "refused")
# Sheets of a filled pack; "list" is the one sheet of a body's own list (and of a .csv list).
PACK_SHEETS = ("reports", "not_on_the_list")
LIST_SHEET = "list"
REQUESTS_SHEET = "requests"
# Sheets a pack or template may carry for people to read; never read as data.
INFORMATION_SHEETS = ("documentation", "instructions", "readme", "read_me", "about", "letter")
_SECTION = r"(?:s|s\.|section)\s*[0-9]+[a-z]?(?:\s*\(\s*[0-9]+[a-z]?\s*\))*"
_SECTIONS = re.compile(rf"{_SECTION}(?:\s*(?:,|;|&|\band\b)\s*{_SECTION})*", re.IGNORECASE)

COLUMN_DOCS = {
    "report_list": {
        "organisation_name": "The body that answered, as it names itself (resolved by the"
        " warehouse, never guessed)",
        "period_start": "First day of the period the request asked about (YYYY-MM-DD); the same"
        " on every row of one organisation",
        "period_end": "Last day of that period (YYYY-MM-DD, not before period_start, not after"
        " today)",
        "answer": "received | not located | received as copy. Required on every row of the"
        " 'reports' sheet (and of a list whose 'listed' is yes); may be blank on"
        " 'not_on_the_list' and on a body's own list, meaning received",
        "ref": "The report's judiciary.uk reference (e.g. 2019-0123); a line needs a ref or a"
        " date_of_report",
        "date_of_report": "Date of the report (YYYY-MM-DD); a line needs a ref or a date_of_report",
        "organisation_key": "Optional: the warehouse key (ods:<code> or nb:<slug>)",
        "request_reference": "Optional: the request's reference (as in the requests file)",
        "deceased_name": "Optional: the deceased's name as the body gives it (used to match a"
        " line without a ref; never shown in the reconciliation)",
        "initials": "Optional: the deceased's initials, when the body gives no name",
        "date_of_death": "Optional: date of death (YYYY-MM-DD)",
        "coroner_area": "Optional: the coroner area as written",
        "link": "Optional: the report's address (http/https)",
        "note": "Optional: anything the body or the researcher adds",
        "listed": "Optional on a .csv or own list: yes (a line of our pack) or no (a report the"
        " body received that our list lacked); default no",
    },
    "requests": {
        "organisation_name": "The body asked, as it names itself",
        "request_reference": "The request's reference (yours or the body's); one row per"
        " organisation and reference",
        "date_sent": "Date the body received the request (YYYY-MM-DD, not after today); the"
        " statutory due date is computed from it at load",
        "period_start": "First day of the period asked about (YYYY-MM-DD)",
        "period_end": "Last day of the period asked about (YYYY-MM-DD, not before period_start)",
        "status": "sent | answered | partially answered | refused | internal review |"
        " complaint to the information commissioner",
        "organisation_key": "Optional: the warehouse key (ods:<code> or nb:<slug>)",
        "refusal_section": "The FOIA section(s) cited, e.g. s21, s12, s40(2); required when the"
        " status is refused (s21: 'reasonably accessible by other means', i.e. the website)",
        "answer_date": "Date of the answer or refusal (YYYY-MM-DD, not before date_sent, not"
        " after today); required for answered, partially answered and refused; empty for sent",
        "note": "Optional: anything the researcher adds",
    },
}


def _key(name: str) -> str:
    """A sheet name as it is matched: case, surrounding spaces, and spaces or hyphens inside
    ('Not on the list') do not matter."""
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def detect_kind(first_rows: Sequence[Sequence[Any]]) -> tuple[Columns, str | None]:
    """The kind of a table from its first rows: the first row holding a column only one kind
    has decides; a header of no known kind is a count return (its problems are reported as
    before). A header mixing two kinds' columns gives a problem line instead."""
    for number, row in enumerate(first_rows, start=1):
        names = {(_cell_text(v) or "").lower() for v in row[:64]}
        scores = {kind: len(names & columns) for kind, columns in _DISTINCTIVE.items()}
        best = max(scores.values())
        if not best:
            continue
        winners = sorted(kind for kind, score in scores.items() if score == best)
        if len(winners) > 1:
            found = "; ".join(
                f"{kind}: {', '.join(sorted(names & _DISTINCTIVE[kind]))}" for kind in winners
            )
            return COUNTS, (
                f"row {number} mixes the columns of several file kinds ({found}); a file is"
                " one of a count return, a report list or a requests file"
            )
        return KINDS[winners[0]], None
    return COUNTS, None


def read_any_file(path: Path | str, limits: Limits | None = None) -> ReadResult:
    """Read a returns file of any kind: (kind, rows, problems). Count returns are read exactly
    as ``read.read_returns_file`` reads them."""
    return read.read_checked(Path(path), _read_any, limits or returns_limits.LIMITS)


def _read_any(path: Path, file_name: str, limits: Limits, deadline: Deadline) -> ReadResult:
    if path.suffix.lower() == ".csv":
        with read._csv_rows(path, limits) as raw_rows:
            first = list(islice(raw_rows, 20))
            columns, mixed = detect_kind(first)
            if mixed:
                return ReadResult(None, [], [Problem(file_name, None, None, mixed)])
            rows, problems = _rows_from_table(
                file_name, chain(first, raw_rows), limits, deadline, columns
            )
        label = LIST_SHEET if columns is REPORT_LIST else None
        return ReadResult(columns.kind, _labelled(rows, label), problems)
    with read._workbook(path) as workbook:
        return _read_workbook(workbook, file_name, limits, deadline)


def _labelled(rows: list[ReturnsRow], label: str | None) -> list[ReturnsRow]:
    for row in rows:
        row.sheet = label
    return rows


def _read_workbook(workbook, file_name: str, limits: Limits, deadline: Deadline) -> ReadResult:
    names = workbook.sheetnames
    by_key = {_key(name): name for name in names}
    if any(key in by_key for key in PACK_SHEETS):
        if "reports" not in by_key:
            message = (
                "a filled pack must keep its 'reports' sheet (the lines we listed, each with"
                " an answer); this workbook has 'not_on_the_list' only"
            )
            return ReadResult(None, [], [Problem(file_name, None, None, message)])
        columns = REPORT_LIST
        data = [(by_key[key], key) for key in PACK_SHEETS if key in by_key]
    else:
        chosen = next(
            (by_key[k] for k in (REQUESTS_SHEET, LIST_SHEET, read.XLSX_SHEET) if k in by_key),
            names[0],
        )
        first = list(islice(read.sheet_rows(workbook[chosen]), 20))
        columns, mixed = detect_kind(first)
        if mixed:
            return ReadResult(None, [], [Problem(file_name, None, None, mixed, chosen)])
        if columns is COUNTS:  # as before: the 'returns' sheet, or the first one
            sheet = (
                workbook[read.XLSX_SHEET] if read.XLSX_SHEET in names else workbook.worksheets[0]
            )
            rows, problems = _rows_from_table(file_name, read.sheet_rows(sheet), limits, deadline)
            return ReadResult(COUNTS.kind, rows, problems)
        data = [(chosen, LIST_SHEET if columns is REPORT_LIST else None)]
    problems = _stray_sheets(workbook, file_name, {name for name, _ in data}, columns, limits)
    rows: list[ReturnsRow] = []
    for name, label in data:
        try:
            found, more = _rows_from_table(
                file_name, read.sheet_rows(workbook[name]), limits, deadline, columns, name
            )
        except Refused as error:
            error.sheet = error.sheet or name
            raise
        rows += _labelled(found, label)
        problems += more
    return ReadResult(columns.kind, rows, capped(file_name, problems, limits.max_problems))


def _stray_sheets(
    workbook, file_name: str, read_sheets: set[str], columns: Columns, limits: Limits
) -> list[Problem]:
    """A sheet that is neither read nor for information, and holds a value: its rows would be
    silently lost, so the file is refused naming it. An empty extra sheet is harmless."""
    expected = (
        "'reports' (and 'not_on_the_list')"
        if columns is REPORT_LIST and "reports" in {_key(n) for n in read_sheets}
        else f"{', '.join(repr(n) for n in sorted(read_sheets))}"
    )
    problems = []
    for name in workbook.sheetnames:
        if name in read_sheets or _key(name) in INFORMATION_SHEETS:
            continue
        deadline = Deadline(limits)
        for number, cells in _bounded(read.sheet_rows(workbook[name]), limits, deadline):
            if any(_cell_text(v) for v in cells):
                problems.append(
                    Problem(
                        file_name,
                        number,
                        None,
                        f"sheet {name!r} holds values, but a {columns.kind} workbook is read only"
                        f" from {expected}; move its rows there (the sheet names must be kept as"
                        " the template has them) or delete the sheet",
                        name,
                    )
                )
                break
    return problems


# --- validation -------------------------------------------------------------------------------


def validate(kind: str, file_name: str, rows: Sequence[ReturnsRow], today: date,
             limits: Limits | None = None) -> list[Problem]:  # fmt: skip
    """Every problem of a report list or a requests file; empty when it can be loaded."""
    limits = limits or returns_limits.LIMITS
    check = validate_report_lines if kind == REPORT_LIST.kind else validate_requests
    return capped(file_name, check(file_name, rows, today), limits.max_problems)


class _Problems(list):
    def __init__(self, file_name: str, workbook: bool):
        super().__init__()
        self.file_name = file_name
        self.workbook = workbook

    def add(self, row: ReturnsRow, column: str | None, message: str) -> None:
        sheet = row.sheet if self.workbook else None
        self.append(Problem(self.file_name, row.row_number, column, message, sheet))

    def dates(self, row: ReturnsRow, columns: Sequence[str], today: date) -> dict[str, date]:
        """The row's dates that are real (each other one is a problem), none after today."""
        found = {}
        for column in columns:
            text = row.values.get(column)
            if not text:
                continue
            try:
                parsed = _parse_date(text)
            except ValueError:
                self.add(row, column, f"{text!r} is not a real date")
                continue
            if parsed is None:
                self.add(row, column, f"{text!r} is not a date in the form YYYY-MM-DD")
            elif parsed > today:
                self.add(row, column, f"{text!r} is after today ({today})")
            else:
                found[column] = parsed
        return found

    def required(self, row: ReturnsRow, columns: Sequence[str]) -> None:
        for column in columns:
            if not row.values.get(column):
                self.add(row, column, "required value is empty")

    def period(self, row: ReturnsRow, dates: dict[str, date]) -> None:
        start, end = dates.get("period_start"), dates.get("period_end")
        if start and end and end < start:
            self.add(row, "period_end", f"impossible period: ends {end} before it starts {start}")


def _words(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def _organisation(values: dict[str, str | None]) -> str:
    return _words(values.get("organisation_key")) or _words(values.get("organisation_name"))


def validate_report_lines(file_name: str, rows: Sequence[ReturnsRow], today: date) -> list[Problem]:
    problems = _Problems(file_name, workbook=any(r.sheet in PACK_SHEETS for r in rows))
    if not rows:
        problems.append(Problem(file_name, None, None, "the file holds no report lines"))
    periods: dict[str, tuple[ReturnsRow, tuple]] = {}
    for row in rows:
        v = row.values
        problems.required(row, ("organisation_name", "period_start", "period_end"))
        listed = _words(v.get("listed"))
        if listed and listed not in ("yes", "no"):
            problems.add(row, "listed", f"{v['listed']!r} is not yes or no")
        answer = _words(v.get("answer"))
        if answer and answer not in ANSWERS:
            problems.add(
                row,
                "answer",
                f"{v['answer']!r} is not an answer: write received, not located or received"
                " as copy",
            )
        if not answer and (row.sheet == "reports" or listed == "yes"):
            where = "on the 'reports' sheet" if row.sheet == "reports" else "on a listed line"
            problems.add(
                row,
                "answer",
                f"answer is empty {where}: mark each report we listed received, not located or"
                " received as copy",
            )
        if not v.get("ref") and not v.get("date_of_report"):
            problems.add(
                row, "ref", "neither ref nor date_of_report is given; a line needs at least one"
            )
        link = v.get("link")
        if link and not re.match(r"https?://\S+$", link):
            problems.add(row, "link", f"{link!r} is not an http(s) address")
        dates = problems.dates(
            row, ("period_start", "period_end", "date_of_report", "date_of_death"), today
        )
        problems.period(row, dates)
        period = (v.get("period_start"), v.get("period_end"))
        organisation = _organisation(v)
        if organisation in periods and periods[organisation][1] != period:
            first, (start, end) = periods[organisation]
            problems.add(
                row,
                "period_start",
                f"period {period[0]} to {period[1]} differs from row {first.row_number}'s"
                f" ({start} to {end}) for the same organisation; one request period per"
                " organisation",
            )
        periods.setdefault(organisation, (row, period))
    return list(problems)


def validate_requests(file_name: str, rows: Sequence[ReturnsRow], today: date) -> list[Problem]:
    problems = _Problems(file_name, workbook=False)
    if not rows:
        problems.append(Problem(file_name, None, None, "the file holds no requests"))
    first_row_by_key: dict[tuple, int] = {}
    for row in rows:
        v = row.values
        problems.required(row, REQUESTS.required)
        status = _words(v.get("status"))
        if status and status not in STATUSES:
            problems.add(
                row,
                "status",
                f"{v['status']!r} is not a status: write one of {', '.join(STATUSES)}",
            )
        section = v.get("refusal_section")
        if section and not _SECTIONS.fullmatch(section.strip()):
            problems.add(
                row,
                "refusal_section",
                f"{section!r} is not a section of the Act: write it like s21, s12 or s40(2)",
            )
        if status == "refused" and not section:
            problems.add(row, "refusal_section", "a refusal must name its section, e.g. s21 or s12")
        if status in STATUSES_WITH_ANSWER and not v.get("answer_date"):
            problems.add(row, "answer_date", f"status {status} needs the answer_date")
        if status == "sent" and v.get("answer_date"):
            problems.add(
                row,
                "answer_date",
                f"{v['answer_date']!r} is given but the status is sent (not answered yet):"
                " change the status or leave answer_date empty",
            )
        dates = problems.dates(row, ("date_sent", "answer_date", "period_start", "period_end"),
                               today)  # fmt: skip
        problems.period(row, dates)
        sent, answered = dates.get("date_sent"), dates.get("answer_date")
        if sent and answered and answered < sent:
            problems.add(
                row, "answer_date", f"answered {answered}, before the request was sent ({sent})"
            )
        key = (_words(v.get("organisation_name")), _words(v.get("request_reference")))
        if all(key) and key in first_row_by_key:
            problems.add(
                row,
                "request_reference",
                f"duplicate of row {first_row_by_key[key]}: {v['request_reference']!r} is"
                " already listed for this organisation (one row per organisation and"
                " request_reference)",
            )
        else:
            first_row_by_key.setdefault(key, row.row_number)
    return list(problems)


# --- loading ----------------------------------------------------------------------------------

REPORT_LINES_TABLE = "returns__report_lines"
REQUESTS_TABLE = "returns__requests"


def ddl(schema: str) -> str:
    """The raw tables of the two kinds (every value VARCHAR, as written in the file)."""
    lines = ", ".join(f"{column} VARCHAR" for column in REPORT_LIST.all)
    requests = ", ".join(f"{column} VARCHAR" for column in REQUESTS.all)
    return f"""
-- Every line of every loaded report list (a filled pack's sheets, or a body's own list).
CREATE TABLE IF NOT EXISTS {schema}.{REPORT_LINES_TABLE} (
    file_sha256 VARCHAR NOT NULL,
    row_number  INTEGER NOT NULL,              -- spreadsheet row number in its sheet
    sheet       VARCHAR NOT NULL,              -- reports | not_on_the_list | list
    {lines},
    PRIMARY KEY (file_sha256, sheet, row_number)
);
-- Every request of every loaded requests file, with the statutory due date computed at load.
CREATE TABLE IF NOT EXISTS {schema}.{REQUESTS_TABLE} (
    file_sha256        VARCHAR NOT NULL,
    row_number         INTEGER NOT NULL,
    {requests},
    statutory_due_date DATE,                   -- foi_dates.statutory_due_date(date_sent)
    due_date_rule      VARCHAR,                -- foi_dates.DUE_DATE_RULE
    PRIMARY KEY (file_sha256, row_number)
);
"""


def raw_records(kind: str, checksum: str, rows: Sequence[ReturnsRow]) -> tuple[str, list, list]:
    """(table, columns, records) for a validated file of a new kind; computed before the
    warehouse transaction opens, so nothing can fail half way through the insert but the
    database itself."""
    if kind == REPORT_LIST.kind:
        columns = ["file_sha256", "row_number", "sheet", *REPORT_LIST.all]
        records = [
            [checksum, r.row_number, r.sheet or LIST_SHEET, *(r.values[c] for c in REPORT_LIST.all)]
            for r in rows
        ]
        return REPORT_LINES_TABLE, columns, records
    from orchestration.sources.returns import foi_dates

    columns = ["file_sha256", "row_number", *REQUESTS.all, "statutory_due_date", "due_date_rule"]
    records = [
        [
            checksum,
            r.row_number,
            *(r.values[c] for c in REQUESTS.all),
            foi_dates.statutory_due_date(_parse_date(r.values["date_sent"])),
            foi_dates.DUE_DATE_RULE,
        ]
        for r in rows
    ]
    return REQUESTS_TABLE, columns, records
