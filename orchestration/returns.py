"""Load FOI answers and official statements ("returns") into the warehouse's raw tables.

A returns file is a CSV or Excel (.xlsx) file in the documented template
(``expectations/returns/README.md``): one row per organisation or coroner area and period, with
the count it states, the counting basis, the outcome of the request and its source.

- The whole file is validated before the warehouse is touched. Every problem is reported with the
  file name, the spreadsheet row number and the column; a bad file is quarantined (copied, or
  moved out of the inbox) beside a ``.reason.txt`` that says why, and nothing from it is loaded.
- A refusal or "not held" answer is an outcome with no count: a number in ``reports_received``
  for such a row is an error, because a refusal must never be counted as zero reports.
- Each name must match an organisation (``main.dim_organisations`` and the listed names and
  aliases in ``intermediate.int_organisation_names_unioned``) or, for coroner-area returns, an
  area in ``main.dim_coroner_areas``. Unknown names are errors, never guessed; dbt
  (``int_returns_resolved``) resolves the loaded names again and reports any that no longer match.
- The same file twice (same SHA-256) is a no-op. A file with the name of an already loaded file
  but other content is a corrected version: it supersedes the earlier one (whose rows stay in the
  history, ``is_current = false``).

Command line::

    python -m orchestration.returns load FILE [--warehouse PATH] [--data-dir DIR]
    python -m orchestration.returns history [--warehouse PATH]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration import publish, settings

RAW_SCHEMA = "raw"
FILES_TABLE = "returns__files"
ROWS_TABLE = "returns__rows"
XLSX_SHEET = "returns"
QUARANTINE_SUBDIR = Path("returns") / "quarantine"

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
CORONER_AREA_KIND = "coroner area"
OUTCOMES_WITH_COUNT = ("provided", "partial")
# Regulation 28 reports exist from 25 July 2013; a return period may start earlier (an FOI asks
# for "since 2013"), but not before the Coroners and Justice Act 2009 created the duty.
EARLIEST_PERIOD_START = date(2009, 1, 1)
_EXEMPTION = re.compile(r"\bsection\s+\d+[a-z]?(\s*\(\d+\))?", re.IGNORECASE)

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA};
-- One row per returns file version ever loaded (history: name, checksum, loaded at).
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{FILES_TABLE} (
    file_sha256          VARCHAR PRIMARY KEY,
    file_name            VARCHAR NOT NULL,
    file_format          VARCHAR NOT NULL,     -- csv | xlsx
    source_path          VARCHAR NOT NULL,
    row_count            INTEGER NOT NULL,
    loaded_at            TIMESTAMP NOT NULL,
    is_current           BOOLEAN NOT NULL,     -- false once a corrected version supersedes it
    superseded_at        TIMESTAMP,
    superseded_by_sha256 VARCHAR
);
-- Every row of every loaded version, values as written in the file (text).
CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{ROWS_TABLE} (
    file_sha256   VARCHAR NOT NULL,
    row_number    INTEGER NOT NULL,            -- spreadsheet row number (header is row 1)
    {", ".join(f"{column} VARCHAR" for column in ALL_COLUMNS)},
    PRIMARY KEY (file_sha256, row_number)
);
"""


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


@dataclass(frozen=True)
class LoadResult:
    file_name: str
    file_sha256: str
    status: str  # loaded | already_loaded
    rows_loaded: int = 0
    superseded: tuple[str, ...] = field(default_factory=tuple)
    message: str = ""


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


# --- validation ---------------------------------------------------------------------------------


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


def org_name_key(name: str | None) -> str | None:
    """Python twin of the dbt macro ``org_name_key(col, strip_brackets=false)``."""
    text = (name or "").replace("\u00a0", " ").replace("\u2019", "'").lower()
    text = re.sub(r"[()]", " ", text).replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    text = re.sub(r"^the ", "", text)
    return text or None


_AREA_STOP = {
    "", "and", "the", "of", "city", "county", "upon", "on", "coroner", "coroners", "court",
    "service", "area", "jurisdiction", "district", "districts", "division", "s", "category",
}  # fmt: skip
_AREA_SYNONYM = {"eastern": "east", "western": "west", "northern": "north", "southern": "south"}


def area_name_key(name: str | None) -> str | None:
    """Order-insensitive token key of an area name (a simpler twin of ``coroner_area_key``)."""
    text = re.sub(r"[^a-z0-9]+", " ", (name or "").lower().replace("&", " and "))
    tokens = sorted(_AREA_SYNONYM.get(t, t) for t in text.split() if t not in _AREA_STOP)
    return " ".join(tokens) or None


@dataclass(frozen=True)
class KnownNames:
    """Names the warehouse can resolve: organisation name keys and area name keys."""

    organisation_keys: frozenset[str]
    organisation_name_keys: frozenset[str]
    area_name_keys: frozenset[str]


def known_names(warehouse: Path) -> KnownNames:
    """Read resolvable names from the built marts; a clear error when they do not exist yet."""
    if not Path(warehouse).exists():
        raise ReturnsFileError(
            [Problem(str(warehouse), None, None, "the warehouse does not exist: build it first")]
        )
    with publish.connect(warehouse, read_only=True) as con:
        present = {
            f"{s}.{t}"
            for s, t in con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables"
            ).fetchall()
        }
        needed = {
            "main.dim_organisations",
            "main.dim_coroner_areas",
            "intermediate.int_organisation_names_unioned",
        }
        if not needed <= present:
            missing = ", ".join(sorted(needed - present))
            raise ReturnsFileError(
                [
                    Problem(
                        str(warehouse),
                        None,
                        None,
                        f"cannot resolve names: {missing} not built; run the dbt build first",
                    )
                ]
            )
        org_keys = {
            r[0]
            for r in con.execute("SELECT organisation_key FROM main.dim_organisations").fetchall()
        }
        names = [
            r[0]
            for r in con.execute(
                "SELECT canonical_name FROM main.dim_organisations"
                " UNION ALL SELECT name FROM intermediate.int_organisation_names_unioned"
            ).fetchall()
        ]
        areas = [
            r[0]
            for r in con.execute(
                "SELECT coroner_area FROM main.dim_coroner_areas"
                " UNION ALL SELECT unnest(raw_spellings) FROM main.dim_coroner_areas"
            ).fetchall()
        ]
    return KnownNames(
        frozenset(org_keys),
        frozenset(k for k in map(org_name_key, names) if k),
        frozenset(k for k in map(area_name_key, areas) if k),
    )


def _count_problem(text: str | None) -> str | None:
    if text is None:
        return None
    if not re.fullmatch(r"[+-]?\d+", text.replace(",", "")):
        return f"{text!r} is not a whole number"
    if int(text.replace(",", "")) < 0:
        return f"{text!r} is negative; a count of reports cannot be below zero"
    return None


def validate_rows(
    file_name: str, rows: Sequence[ReturnsRow], names: KnownNames | None, today: date
) -> list[Problem]:
    """Every problem in the rows; an empty list means the file can be loaded."""
    problems: list[Problem] = []

    def problem(row: ReturnsRow, column: str | None, message: str) -> None:
        problems.append(Problem(file_name, row.row_number, column, message))

    if not rows:
        problems.append(Problem(file_name, None, None, "the file holds no returns rows"))
    first_row_by_key: dict[tuple, int] = {}
    for row in rows:
        v = row.values
        for column in REQUIRED_COLUMNS:
            if column != "reports_received" and column != "source_url" and not v.get(column):
                problem(row, column, "required value is empty")
        for column in COUNT_COLUMNS:
            message = _count_problem(v.get(column))
            if message:
                problem(row, column, message)
        category = outcome_category(v.get("outcome"))
        if v.get("outcome") and category is None:
            problem(
                row,
                "outcome",
                f"{v['outcome']!r} is not an outcome: start it with provided, partial,"
                " 'refused: section NN (reason)' or 'not held'",
            )
        if category == "refused" and not outcome_exemption(v.get("outcome")):
            problem(row, "outcome", "a refusal must name its exemption, e.g. 'refused: section 21'")
        if category in OUTCOMES_WITH_COUNT and not v.get("reports_received"):
            problem(row, "reports_received", f"outcome {category} needs a count")
        if category in ("refused", "not_held") and v.get("reports_received"):
            problem(
                row,
                "reports_received",
                f"outcome {category} must leave the count empty: a refusal is an outcome,"
                " never a zero count",
            )
        dates = {}
        for column in DATE_COLUMNS:
            text = v.get(column)
            if not text:
                continue
            try:
                parsed = _parse_date(text)
            except ValueError:
                parsed = None
                problem(row, column, f"{text!r} is not a real date")
                continue
            if parsed is None:
                problem(row, column, f"{text!r} is not a date in the form YYYY-MM-DD")
            dates[column] = parsed
        start, end = dates.get("period_start"), dates.get("period_end")
        if start and end and end < start:
            problem(row, "period_end", f"impossible period: ends {end} before it starts {start}")
        if start and start < EARLIEST_PERIOD_START:
            problem(row, "period_start", f"impossible period: starts {start}, before 2009")
        if end and end > today:
            problem(row, "period_end", f"impossible period: ends {end}, after today ({today})")
        url = v.get("source_url")
        if url and not re.match(r"https?://\S+$", url):
            problem(row, "source_url", f"{url!r} is not an http(s) address")
        if not url and not v.get("note"):
            problem(row, "source_url", "give the source address, or say in note why there is none")
        if names is not None and v.get("organisation_name"):
            _resolution_problems(row, names, problem)
        key = (
            org_name_key(v.get("organisation_name")),
            v.get("period_start"),
            v.get("period_end"),
            (v.get("counting_basis") or "").lower(),
            (v.get("source_reference") or "").lower(),
        )
        if key in first_row_by_key:
            problem(
                row,
                None,
                f"duplicate of row {first_row_by_key[key]} (same organisation, period, counting"
                " basis and source reference)",
            )
        else:
            first_row_by_key[key] = row.row_number
    return problems


def _resolution_problems(row: ReturnsRow, names: KnownNames, problem) -> None:
    v = row.values
    explicit = v.get("organisation_key")
    if (v.get("organisation_kind") or "").strip().lower() == CORONER_AREA_KIND:
        if area_name_key(v["organisation_name"]) not in names.area_name_keys:
            problem(
                row,
                "organisation_name",
                f"unknown coroner area {v['organisation_name']!r}: no area in dim_coroner_areas"
                " has this name (names are not guessed; correct the spelling)",
            )
        return
    if explicit:
        if explicit not in names.organisation_keys:
            problem(row, "organisation_key", f"{explicit!r} is not in dim_organisations")
        return
    if org_name_key(v["organisation_name"]) not in names.organisation_name_keys:
        problem(
            row,
            "organisation_name",
            f"unknown organisation {v['organisation_name']!r}: no organisation in"
            " dim_organisations has this name or alias (names are not guessed; correct the"
            " spelling, give organisation_key, or add it to dbt_project/seeds/"
            "curated_organisations.csv)",
        )


# --- loading ------------------------------------------------------------------------------------


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL.split(";"):
        if statement.strip():
            con.execute(statement).fetchall()


def quarantine(path: Path, problems: Sequence[Problem], data_dir: Path, move: bool) -> Path:
    """Keep the bad file under <data dir>/returns/quarantine/ with a written reason beside it."""
    folder = Path(data_dir) / QUARANTINE_SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{stamp}__{path.name}"
    if move:
        shutil.move(str(path), target)
    else:
        shutil.copyfile(path, target)
    reason = [
        f"file: {path.name}",
        f"quarantined at: {stamp}",
        "nothing from this file was loaded, because:",
        *(f"- {p}" for p in problems),
        "",
    ]
    target.with_name(target.name + ".reason.txt").write_text("\n".join(reason), encoding="utf-8")
    return target


def load_returns_file(
    path: Path | str,
    warehouse: Path | str | None = None,
    data_dir: Path | str | None = None,
    *,
    move_bad_file: bool = False,
    today: date | None = None,
) -> LoadResult:
    """Validate and load one returns file; raise ``ReturnsFileError`` (quarantined) if bad."""
    path = Path(path)
    warehouse = Path(warehouse) if warehouse else settings.warehouse_path()
    data_dir = Path(data_dir) if data_dir else settings.data_dir()
    if not path.is_file():
        raise ReturnsFileError([Problem(path.name, None, None, f"no such file: {path}")])
    checksum = file_sha256(path)
    already = _already_loaded(warehouse, checksum)
    if already:
        return LoadResult(
            path.name,
            checksum,
            "already_loaded",
            message=f"{path.name} (sha256 {checksum[:12]}) was loaded on {already[1]} as"
            f" {already[0]}; nothing changed",
        )
    rows, problems = read_returns_file(path)
    if not problems:
        names = known_names(warehouse)
        problems = validate_rows(path.name, rows, names, today or date.today())
    if problems:
        target = quarantine(path, problems, data_dir, move_bad_file)
        raise ReturnsFileError(problems, quarantined_to=target)
    return _write(warehouse, path, checksum, rows)


def _already_loaded(warehouse: Path, checksum: str) -> tuple[str, str] | None:
    if not warehouse.exists():
        return None
    with publish.connect(warehouse, read_only=True) as con:
        if not publish.table_exists(con, RAW_SCHEMA, FILES_TABLE):
            return None
        found = con.execute(
            f"SELECT file_name, CAST(loaded_at AS VARCHAR) FROM {RAW_SCHEMA}.{FILES_TABLE}"  # noqa: S608
            " WHERE file_sha256 = ?",
            [checksum],
        ).fetchall()
    return found[0] if found else None


def _write(warehouse: Path, path: Path, checksum: str, rows: Iterable[ReturnsRow]) -> LoadResult:
    rows = list(rows)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    with publish.connect(warehouse) as con:
        con.execute("BEGIN TRANSACTION").fetchall()
        try:
            ensure_schema(con)
            superseded = [
                r[0]
                for r in con.execute(
                    f"SELECT file_sha256 FROM {RAW_SCHEMA}.{FILES_TABLE}"  # noqa: S608
                    " WHERE file_name = ? AND is_current",
                    [path.name],
                ).fetchall()
            ]
            con.execute(
                f"UPDATE {RAW_SCHEMA}.{FILES_TABLE} SET is_current = false,"  # noqa: S608
                " superseded_at = ?, superseded_by_sha256 = ? WHERE file_name = ? AND is_current",
                [loaded_at, checksum, path.name],
            ).fetchall()
            con.execute(
                f"INSERT INTO {RAW_SCHEMA}.{FILES_TABLE}"  # noqa: S608
                " VALUES (?, ?, ?, ?, ?, ?, true, NULL, NULL)",
                [
                    checksum,
                    path.name,
                    path.suffix.lower().lstrip("."),
                    str(path.resolve()),
                    len(rows),
                    loaded_at,
                ],
            ).fetchall()
            placeholders = ", ".join("?" for _ in range(2 + len(ALL_COLUMNS)))
            con.executemany(
                f"INSERT INTO {RAW_SCHEMA}.{ROWS_TABLE} VALUES ({placeholders})",  # noqa: S608
                [[checksum, r.row_number, *(r.values[c] for c in ALL_COLUMNS)] for r in rows],
            ).fetchall()
            con.execute("COMMIT").fetchall()
        except Exception:
            con.execute("ROLLBACK").fetchall()
            raise
    message = f"loaded {len(rows)} rows from {path.name} (sha256 {checksum[:12]})"
    if superseded:
        message += f"; supersedes {', '.join(s[:12] for s in superseded)}"
    return LoadResult(path.name, checksum, "loaded", len(rows), tuple(superseded), message)


def file_history(warehouse: Path | str) -> list[tuple]:
    """(file name, sha256, loaded at, rows, current?, superseded by) for every loaded version."""
    with publish.connect(warehouse, read_only=True) as con:
        if not publish.table_exists(con, RAW_SCHEMA, FILES_TABLE):
            return []
        columns = "file_name, file_sha256, loaded_at, row_count, is_current, superseded_by_sha256"
        sql = f"SELECT {columns} FROM {RAW_SCHEMA}.{FILES_TABLE} ORDER BY loaded_at"  # noqa: S608
        return con.execute(sql).fetchall()


def template_folder() -> Path:
    return Path(__file__).resolve().parents[1] / "expectations" / "returns"


def write_templates(folder: Path | None = None) -> list[Path]:
    """Write the CSV template (header only) and the .xlsx template (returns + documentation)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    folder = Path(folder) if folder else template_folder()
    csv_path = folder / "returns_template.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(ALL_COLUMNS)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = XLSX_SHEET
    sheet.append(list(ALL_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    documentation = workbook.create_sheet("documentation")
    documentation.append(["column", "required", "meaning"])
    for column in ALL_COLUMNS:
        documentation.append(
            [column, "yes" if column in REQUIRED_COLUMNS else "optional", COLUMN_DOCS[column]]
        )
    documentation.append([])
    documentation.append(
        ["rule", "", "Row 1 of the 'returns' sheet is the header; one row per body and period."]
    )
    xlsx_path = folder / "returns_template.xlsx"
    workbook.save(xlsx_path)
    return [csv_path, xlsx_path]


def bundled_returns_files() -> list[Path]:
    """The real returns that ship with the project (loaded by default runs)."""
    return [template_folder() / "official_counts.csv"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.returns")
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="validate and load returns files (.csv or .xlsx)")
    load.add_argument("files", nargs="+", type=Path)
    load.add_argument("--warehouse", type=Path, default=None)
    load.add_argument("--data-dir", type=Path, default=None)
    template = sub.add_parser("write-templates", help="rewrite the CSV and .xlsx templates")
    template.add_argument("--folder", type=Path, default=None)
    history = sub.add_parser("history", help="list every loaded file version")
    history.add_argument("--warehouse", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.command == "write-templates":
        for written in write_templates(args.folder):
            print(f"wrote {written}")
        return 0
    warehouse = args.warehouse or settings.warehouse_path()
    if args.command == "history":
        for name, sha, loaded_at, count, current, by in file_history(warehouse):
            state = "current" if current else f"superseded by {by[:12]}"
            print(f"{loaded_at}  {name}  {sha[:12]}  {count} rows  {state}")
        return 0
    status = 0
    for path in args.files:
        try:
            print(load_returns_file(path, warehouse, args.data_dir).message)
        except ReturnsFileError as exc:
            print(f"REJECTED {path}:\n{exc}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
