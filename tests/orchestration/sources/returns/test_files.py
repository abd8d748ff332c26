"""Returns ingestion: real returns load; bad files give a clear error naming file, row and column,
are quarantined with a written reason, and leave the warehouse unchanged; the same file twice is
a no-op; a corrected file supersedes the earlier version and the history is kept. The raw load
reads no mart and no dbt macro: it loads into an empty warehouse, names as written (dbt resolves
them: tests/dbt/test_returns_held_out.py)."""

from __future__ import annotations

import csv
import hashlib
from datetime import date
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook, load_workbook

from orchestration.sources.returns import load as returns
from orchestration.sources.returns import templates
from orchestration.sources.returns.read import (
    ALL_COLUMNS,
    REQUIRED_COLUMNS,
    ReturnsFileError,
)

OFFICIAL = templates.template_folder()
OFFICIAL_CSV = templates.bundled_data_folder() / "official_counts.csv"
TODAY = date(2026, 11, 22)


def official_rows() -> list[dict]:
    with OFFICIAL_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict], columns=None) -> Path:
    columns = columns or list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def state(warehouse: Path) -> tuple:
    """Everything a load could change: the file's bytes and the returns tables' rows."""
    digest = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = sorted(
            con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
            ).fetchall()
        )
        contents = [
            sorted(map(str, con.execute(f"SELECT * FROM raw.{t[0]}").fetchall()))  # noqa: S608
            for t in tables
        ]
    return digest, tables, contents


def load(path: Path, warehouse: Path, tmp_path: Path):
    return returns.load_returns_file(path, warehouse, tmp_path / "data", today=TODAY)


def test_real_returns_load_with_history_and_refusals_without_counts(warehouse, tmp_path):
    result = load(OFFICIAL_CSV, warehouse, tmp_path)
    assert (result.status, result.rows_loaded) == ("loaded", 16)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        refusals = con.execute(
            "SELECT outcome, reports_received FROM raw.returns__rows"
            " WHERE organisation_name = 'Greater London Authority' ORDER BY outcome"
        ).fetchall()
        files = con.execute(
            "SELECT file_name, file_sha256, row_count, is_current FROM raw.returns__files"
        ).fetchall()
    assert refusals == [
        ("not held in the requested form", None),
        ("refused: section 21 (reasonably accessible elsewhere)", None),
    ]
    assert files == [("official_counts.csv", returns.file_sha256(OFFICIAL_CSV), 16, True)]


def test_same_file_twice_is_a_no_op(warehouse, tmp_path):
    load(OFFICIAL_CSV, warehouse, tmp_path)
    before = state(warehouse)
    again = load(OFFICIAL_CSV, warehouse, tmp_path)
    assert again.status == "already_loaded"
    assert "nothing changed" in again.message
    assert state(warehouse) == before


def test_corrected_file_supersedes_and_history_is_kept(warehouse, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    rows = official_rows()
    first = write_csv(
        folder / "norfolk.csv", [r for r in rows if r["organisation_name"] == "Norfolk"]
    )
    load(first, warehouse, tmp_path)
    corrected_rows = [dict(r) for r in rows if r["organisation_name"] == "Norfolk"]
    corrected_rows[0]["reports_received"] = "15"
    old_sha = returns.file_sha256(first)
    corrected = write_csv(folder / "norfolk.csv", corrected_rows)
    result = load(corrected, warehouse, tmp_path)
    assert result.superseded == (old_sha,)
    history = returns.file_history(warehouse)
    assert [(h[0], h[1], h[4], h[5]) for h in history] == [
        ("norfolk.csv", old_sha, False, result.file_sha256),
        ("norfolk.csv", result.file_sha256, True, None),
    ]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = con.execute(
            "SELECT f.is_current, r.reports_received FROM raw.returns__rows r"
            " JOIN raw.returns__files f USING (file_sha256) ORDER BY f.loaded_at"
        ).fetchall()
    assert counts == [(False, "14"), (True, "15")]


def _mutate(rows: list[dict], index: int, **changes) -> list[dict]:
    rows = [dict(r) for r in rows]
    rows[index].update(changes)
    return rows


# (case, rows-builder, expected row, expected column, words in the message)
BAD_CSV_CASES = [
    ("negative count", lambda r: _mutate(r, 2, reports_received="-3"), 4, "reports_received",
     "negative"),
    ("non-numeric count", lambda r: _mutate(r, 0, reports_received="twelve"), 2,
     "reports_received", "not a whole number"),
    ("empty organisation name", lambda r: _mutate(r, 5, organisation_name=""), 7,
     "organisation_name", "required value is empty"),
    ("period ends before it starts", lambda r: _mutate(r, 1, period_end="2014-12-31"), 3,
     "period_end", "impossible period"),
    ("impossible date", lambda r: _mutate(r, 1, period_start="2015-02-30"), 3, "period_start",
     "not a real date"),
    ("period in the future", lambda r: _mutate(r, 1, period_end="2031-12-31"), 3, "period_end",
     "after today"),
    ("duplicate rows", lambda r: r + [r[3]], 18, None, "duplicate of row 5"),
    ("refusal counted as zero", lambda r: _mutate(r, 14, reports_received="0"), 16,
     "reports_received", "never a zero count"),
    ("refusal without exemption", lambda r: _mutate(r, 14, outcome="refused"), 16, "outcome",
     "exemption"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "build", "row", "column", "words"), BAD_CSV_CASES, ids=[c[0] for c in BAD_CSV_CASES]
)
def test_bad_file_is_rejected_naming_row_and_column_quarantined_and_warehouse_unchanged(
    warehouse, tmp_path, case, build, row, column, words
):
    load(OFFICIAL_CSV, warehouse, tmp_path)  # an earlier good load must survive untouched
    before = state(warehouse)
    bad = write_csv(tmp_path / "answer.csv", build(official_rows()))
    with pytest.raises(ReturnsFileError) as caught:
        load(bad, warehouse, tmp_path)
    problems = caught.value.problems
    assert any(
        p.file_name == "answer.csv" and p.row == row and p.column == column and words in p.message
        for p in problems
    ), [str(p) for p in problems]
    assert f"answer.csv, row {row}" in str(caught.value)
    assert state(warehouse) == before
    reason = caught.value.quarantined_to.with_name(caught.value.quarantined_to.name + ".reason.txt")
    assert caught.value.quarantined_to.read_bytes() == bad.read_bytes()
    assert words in reason.read_text(encoding="utf-8")
    assert bad.exists()  # a file named on the command line is copied, not moved


def test_missing_column_is_named(warehouse, tmp_path):
    before = state(warehouse)
    columns = [c for c in official_rows()[0] if c != "counting_basis"]
    bad = write_csv(tmp_path / "answer.csv", official_rows(), columns)
    with pytest.raises(ReturnsFileError, match=r"answer.csv, row 1, column counting_basis"):
        load(bad, warehouse, tmp_path)
    assert state(warehouse) == before


def write_xlsx(path: Path, rows: list[dict], title_rows: int = 0) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "returns"
    for _ in range(title_rows):
        sheet.append(["Freedom of information answer: PFD reports received"])
    sheet.append(list(ALL_COLUMNS))
    for row in rows:
        sheet.append([row.get(c) or None for c in ALL_COLUMNS])
    workbook.save(path)
    return path


def test_xlsx_returns_load(warehouse, tmp_path):
    path = write_xlsx(tmp_path / "answer.xlsx", official_rows())
    assert load(path, warehouse, tmp_path).rows_loaded == 16


def test_xlsx_whose_header_is_not_on_the_first_row_is_rejected(warehouse, tmp_path):
    before = state(warehouse)
    path = write_xlsx(tmp_path / "answer.xlsx", official_rows(), title_rows=2)
    with pytest.raises(ReturnsFileError, match=r"answer.xlsx, row 3: the header is on row 3"):
        load(path, warehouse, tmp_path)
    assert state(warehouse) == before


def test_inbox_files_are_moved_to_quarantine(warehouse, tmp_path):
    bad = write_csv(tmp_path / "answer.csv", _mutate(official_rows(), 0, reports_received="-1"))
    with pytest.raises(ReturnsFileError) as caught:
        returns.load_returns_file(
            bad, warehouse, tmp_path / "data", move_bad_file=True, today=TODAY
        )
    assert not bad.exists()
    assert caught.value.quarantined_to.parent == tmp_path / "data" / "returns" / "quarantine"


def test_names_load_as_written_into_an_empty_warehouse_before_any_dbt_build(tmp_path):
    """Unknown names are not the raw load's business: it reads no mart and no name-key macro."""
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    rows = _mutate(official_rows(), 5, organisation_name="Acme Widgets Trust")
    rows = _mutate(rows, 13, organisation_name="Atlantis")
    result = load(write_csv(tmp_path / "answer.csv", rows), empty, tmp_path)
    assert (result.status, result.rows_loaded) == ("loaded", 16)
    with duckdb.connect(str(empty), read_only=True) as con:
        names = con.execute(
            "SELECT row_number, organisation_name FROM raw.returns__rows"
            " WHERE row_number IN (7, 15) ORDER BY row_number"
        ).fetchall()
        macros = con.execute(
            "SELECT function_name FROM duckdb_functions() WHERE function_name LIKE '%name_key%'"
        ).fetchall()
    assert names == [(7, "Acme Widgets Trust"), (15, "Atlantis")]
    assert macros == []  # no name-key macro was needed, or made


def test_the_loader_does_not_read_marts_or_macros():
    source = "".join(
        (Path(returns.__file__).parent / name).read_text(encoding="utf-8")
        for name in ("load.py", "read.py", "validate.py", "limits.py")
    )
    for name in ("dim_organisations", "dim_coroner_areas", "org_name_key", "coroner_area_key("):
        assert name not in source, name


def test_shipped_templates_match_the_loader_columns(tmp_path):
    with (OFFICIAL / "returns_template.csv").open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == list(ALL_COLUMNS)
    workbook = load_workbook(OFFICIAL / "returns_template.xlsx", read_only=True)
    header = next(workbook["returns"].iter_rows(values_only=True))
    documented = [r[0] for r in workbook["documentation"].iter_rows(min_row=2, values_only=True)]
    assert list(header) == list(ALL_COLUMNS)
    assert set(REQUIRED_COLUMNS) <= set(documented)
    written = templates.write_templates(tmp_path)
    assert [p.name for p in written] == ["returns_template.csv", "returns_template.xlsx"]
