"""Returns ingestion: real returns load; bad files give a clear error naming file, row and column,
are quarantined with a written reason, and leave the warehouse unchanged; the same file twice is
a no-op; a corrected file supersedes the earlier version and the history is kept. Names are keyed
by the warehouse's own name-key macros, which the fixture warehouse gets from the dbt project."""

from __future__ import annotations

import csv
import hashlib
import shutil
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
    ReturnsRow,
)
from orchestration.sources.returns.validate import known_names, validate_rows

OFFICIAL = templates.template_folder()
OFFICIAL_CSV = templates.bundled_data_folder() / "official_counts.csv"
TODAY = date(2026, 11, 22)
ORGANISATIONS = [
    ("nb:department-for-work-and-pensions", "Department for Work and Pensions"),
    ("nb:betsi-cadwaladr-university-health-board", "Betsi Cadwaladr University Health Board"),
    ("ods:RT4", "WELSH AMBULANCE SERVICES NHS TRUST"),
    ("nb:aneurin-bevan-university-health-board", "Aneurin Bevan University Health Board"),
    ("nb:swansea-bay-university-health-board", "Swansea Bay University Health Board"),
    ("nb:cardiff-and-vale-university-health-board", "Cardiff and Vale University Health Board"),
    ("nb:health-education-and-improvement-wales", "Health Education and Improvement Wales"),
    ("nb:care-quality-commission", "Care Quality Commission"),
    ("nb:greater-london-authority", "Greater London Authority"),
]


@pytest.fixture(scope="module")
def name_key_warehouse(name_key_functions_warehouse) -> Path:
    """An empty warehouse holding only the name-key macros (one per test session)."""
    return name_key_functions_warehouse


@pytest.fixture
def warehouse(tmp_path, name_key_warehouse) -> Path:
    """The three tables names are resolved against, with the real bodies of official_counts."""
    path = tmp_path / "warehouse" / "pfd.duckdb"
    path.parent.mkdir()
    shutil.copyfile(name_key_warehouse, path)
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA intermediate")
        con.execute(
            "CREATE TABLE main.dim_organisations (organisation_key VARCHAR, canonical_name VARCHAR)"
        )
        con.executemany("INSERT INTO main.dim_organisations VALUES (?, ?)", ORGANISATIONS)
        con.execute(
            "CREATE TABLE intermediate.int_organisation_names_unioned"
            " (organisation_key VARCHAR, name VARCHAR)"
        )
        con.execute(
            "INSERT INTO intermediate.int_organisation_names_unioned VALUES"
            " ('nb:greater-london-authority', 'GLA')"
        )
        con.execute(
            "CREATE TABLE main.dim_coroner_areas (coroner_area_key VARCHAR, coroner_area VARCHAR,"
            " raw_spellings VARCHAR[])"
        )
        con.execute(
            "INSERT INTO main.dim_coroner_areas VALUES ('norfolk', 'Norfolk', ['Norfolk']),"
            " ('suffolk', 'Suffolk', ['Suffolk '])"
        )
    return path


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
    ("unknown organisation", lambda r: _mutate(r, 5, organisation_name="Acme Widgets Trust"), 7,
     "organisation_name", "unknown organisation 'Acme Widgets Trust'"),
    ("unknown coroner area", lambda r: _mutate(r, 13, organisation_name="Atlantis"), 15,
     "organisation_name", "unknown coroner area"),
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


def test_names_are_checked_against_the_built_marts(tmp_path):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(ReturnsFileError, match="run the dbt build first"):
        load(OFFICIAL_CSV, empty, tmp_path)


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


def test_a_warehouse_without_the_name_key_macros_is_refused(tmp_path, warehouse):
    with duckdb.connect(str(warehouse)) as con:
        con.execute("DROP MACRO main.coroner_area_key")
    with pytest.raises(ReturnsFileError, match=r"main.coroner_area_key are not in the warehouse"):
        load(OFFICIAL_CSV, warehouse, tmp_path)


def test_names_are_keyed_by_the_warehouse_not_by_python(warehouse):
    """An apostrophe joins ("King's" is "kings"), "&" is "and", "Dept" is "department", a leading
    "The" and case do not count: the warehouse's rule, so "KING S" (a split apostrophe) is not
    "King's". Coroner areas are keyed without word order or "Coroner's Court"."""
    with duckdb.connect(str(warehouse)) as con:
        con.executemany(
            "INSERT INTO main.dim_organisations VALUES (?, ?)",
            [
                ("ods:RJZ", "KING'S COLLEGE HOSPITAL NHS FOUNDATION TRUST"),
                ("nb:dhsc", "Department of Health and Social Care"),
            ],
        )
        con.execute(
            "INSERT INTO main.dim_coroner_areas VALUES"
            " ('inner-north-london', 'Inner North London', ['London Inner (North)'])"
        )
    names = {
        "King’s College Hospital NHS Foundation Trust": True,
        "Kings College Hospital NHS Foundation Trust": True,
        "KING S COLLEGE HOSPITAL NHS FOUNDATION TRUST": False,
        "The Dept of Health & Social Care": True,
        "Department for Health and Social Care": False,
    }
    areas = {"London North (Inner) Coroner's Court": True, "North London": False}
    rows = [
        ReturnsRow(number, {"organisation_name": name, "organisation_kind": kind})
        for number, (name, kind) in enumerate(
            [(n, "NHS trust") for n in names] + [(a, "coroner area") for a in areas], start=2
        )
    ]
    known = known_names(warehouse, [r.values["organisation_name"] for r in rows])
    problems = validate_rows("answer.csv", rows, known, TODAY)
    unknown = {
        rows[p.row - 2].values["organisation_name"]
        for p in problems
        if p.column == "organisation_name"
    }
    expected = {n for n, ok in {**names, **areas}.items() if not ok}
    assert unknown == expected
