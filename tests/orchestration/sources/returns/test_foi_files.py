"""FOI campaign files through the returns inbox (issue 15, items 2 and 3, loading side): a report
list (.csv, or a filled pack's two-sheet .xlsx) and a requests file are found by their sheets and
header, validated whole (every bad input rejected with file, sheet, row, column and value named,
nothing loaded) and loaded all or nothing with the count returns' guarantees: the same file twice
is a no-op, a corrected file supersedes (history kept), a bad inbox file is quarantined. The
organisations are invented: names are not resolved at load (dbt does it)."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml
from openpyxl import Workbook, load_workbook

from orchestration.defs import returns as returns_asset
from orchestration.sources.returns import foi_dates, foi_files, templates
from orchestration.sources.returns import load as returns
from orchestration.sources.returns.read import ReturnsFileError
from tests.orchestration.sources.returns.test_files import TODAY, state

ROOT = Path(__file__).resolve().parents[4]
TRUST = "Invented Mental Health NHS Foundation Trust"
PERIOD = {"period_start": "2013-07-25", "period_end": "2024-12-08"}
LINES = [  # (ref, date_of_report, answer)
    ("2019-0101", "2019-03-04", "received"),
    ("2020-0202", "2020-05-06", "not located"),
    ("", "2021-07-08", "Received as copy"),
]


def line_rows(**changes) -> list[dict]:
    rows = [
        {"organisation_name": TRUST, **PERIOD, "ref": ref, "date_of_report": day, "answer": answer}
        for ref, day, answer in LINES
    ]
    for key, value in changes.items():  # "<index>__<column>": value
        index, column = key.split("__")
        rows[int(index)][column] = value
    return rows


def request_rows(**changes) -> list[dict]:
    rows = [
        {"organisation_name": TRUST, "request_reference": "FOI-1", "date_sent": "2024-12-20",
         **PERIOD, "status": "answered", "answer_date": "2025-01-20"},
        {"organisation_name": "Another Invented Trust", "request_reference": "FOI-2",
         "date_sent": "2025-03-01", **PERIOD, "status": "refused", "refusal_section": "s21",
         "answer_date": "2025-03-20"},
        {"organisation_name": "A Third Invented Trust", "request_reference": "FOI-3",
         "date_sent": "2025-04-01", **PERIOD, "status": "sent"},
    ]  # fmt: skip
    for key, value in changes.items():
        index, column = key.split("__")
        rows[int(index)][column] = value
    return rows


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    columns = columns or list(dict.fromkeys(c for row in rows for c in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


PACK_COLUMNS = ["organisation_name", "period_start", "period_end", "ref", "date_of_report",
                "coroner_area", "link", "answer", "note"]  # fmt: skip


def write_pack(path: Path, reports: list[dict], extra: list[dict], sheets=None) -> Path:
    """A filled pack as ``pfdw foi pack`` writes it: 'reports', 'not_on_the_list' and a sheet
    for people to read."""
    sheets = sheets or ("reports", "not_on_the_list")
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in zip(sheets, (reports, extra), strict=True):
        sheet = workbook.create_sheet(name)
        sheet.append(PACK_COLUMNS)
        for row in rows:
            sheet.append([row.get(c) or None for c in PACK_COLUMNS])
    workbook.create_sheet("instructions").append(["Mark each line received, not located ..."])
    workbook.save(path)
    return path


def load(path: Path, warehouse: Path, tmp_path: Path, **kwargs):
    return returns.load_returns_file(path, warehouse, tmp_path / "data", today=TODAY, **kwargs)


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_report_list_csv_loads_as_written_with_its_kind(warehouse, tmp_path):
    result = load(write_csv(tmp_path / "trust list.csv", line_rows()), warehouse, tmp_path)
    assert (result.status, result.file_kind, result.rows_loaded) == ("loaded", "report_list", 3)
    assert query(
        warehouse,
        "SELECT sheet, row_number, ref, date_of_report, answer, listed"
        " FROM raw.returns__report_lines ORDER BY row_number",
    ) == [
        ("list", 2, "2019-0101", "2019-03-04", "received", None),
        ("list", 3, "2020-0202", "2020-05-06", "not located", None),
        ("list", 4, None, "2021-07-08", "Received as copy", None),
    ]
    assert query(warehouse, "SELECT file_kind, row_count FROM raw.returns__files") == [
        ("report_list", 3)
    ]


def test_filled_pack_loads_both_sheets_and_ignores_the_instructions(warehouse, tmp_path):
    extra = [{"organisation_name": TRUST, **PERIOD, "date_of_report": "2022-01-02",
              "note": "sent to us by post"}]  # fmt: skip
    path = write_pack(tmp_path / "pack.xlsx", line_rows(), extra)
    assert load(path, warehouse, tmp_path).rows_loaded == 4
    assert query(
        warehouse,
        "SELECT sheet, row_number, answer, date_of_report FROM raw.returns__report_lines"
        " ORDER BY sheet DESC, row_number",
    ) == [
        ("reports", 2, "received", "2019-03-04"),
        ("reports", 3, "not located", "2020-05-06"),
        ("reports", 4, "Received as copy", "2021-07-08"),
        ("not_on_the_list", 2, None, "2022-01-02"),  # a blank answer there means received
    ]


def test_requests_load_with_the_statutory_due_date_computed_at_load(warehouse, tmp_path):
    result = load(write_csv(tmp_path / "requests.csv", request_rows()), warehouse, tmp_path)
    assert (result.file_kind, result.rows_loaded) == ("requests", 3)
    rows = query(
        warehouse,
        "SELECT request_reference, status, refusal_section, statutory_due_date, due_date_rule"
        " FROM raw.returns__requests ORDER BY row_number",
    )
    assert [r[:3] for r in rows] == [
        ("FOI-1", "answered", None), ("FOI-2", "refused", "s21"), ("FOI-3", "sent", None)
    ]  # fmt: skip
    sent = [date(2024, 12, 20), date(2025, 3, 1), date(2025, 4, 1)]
    assert [r[3] for r in rows] == [foi_dates.statutory_due_date(d) for d in sent]
    assert rows[0][3] == date(2025, 1, 23)  # across Christmas, Boxing Day and 1-2 January
    assert {r[4] for r in rows} == {foi_dates.DUE_DATE_RULE}


def test_same_file_twice_is_a_no_op(warehouse, tmp_path):
    path = write_csv(tmp_path / "requests.csv", request_rows())
    load(path, warehouse, tmp_path)
    before = state(warehouse)
    again = load(path, warehouse, tmp_path)
    assert again.status == "already_loaded" and "nothing changed" in again.message
    assert state(warehouse) == before


def test_corrected_requests_file_supersedes_and_history_is_kept(warehouse, tmp_path):
    first = load(write_csv(tmp_path / "requests.csv", request_rows()), warehouse, tmp_path)
    answered = request_rows(**{"2__status": "answered", "2__answer_date": "2025-04-28"})
    second = load(write_csv(tmp_path / "requests.csv", answered), warehouse, tmp_path)
    assert second.superseded == (first.file_sha256,)
    assert query(
        warehouse,
        "SELECT f.is_current, r.status FROM raw.returns__requests r JOIN raw.returns__files f"
        " USING (file_sha256) WHERE r.request_reference = 'FOI-3' ORDER BY f.loaded_at",
    ) == [(False, "sent"), (True, "answered")]


def test_a_warehouse_from_before_the_kinds_gets_file_kind_counts(warehouse, tmp_path):
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute(
            "CREATE TABLE raw.returns__files (file_sha256 VARCHAR PRIMARY KEY, file_name VARCHAR,"
            " file_format VARCHAR, source_path VARCHAR, row_count INTEGER, loaded_at TIMESTAMP,"
            " is_current BOOLEAN, superseded_at TIMESTAMP, superseded_by_sha256 VARCHAR)"
        )
        con.execute("INSERT INTO raw.returns__files VALUES ('old', 'a.csv', 'csv', '/a.csv', 1,"
                    " now(), true, NULL, NULL)")  # fmt: skip
    assert returns.upgrade_schema(warehouse)
    assert query(warehouse, "SELECT file_kind FROM raw.returns__files") == [("counts",)]
    assert query(warehouse, "SELECT count(*) FROM raw.returns__requests") == [(0,)]
    load(write_csv(tmp_path / "list.csv", line_rows()), warehouse, tmp_path)
    assert returns.files_by_kind(warehouse) == {"counts": 1, "report_list": 1}


# (case, file name, writer, where the problem is: sheet, row, column, words in the message)
def _lines_csv(**changes):
    return lambda path: write_csv(path, line_rows(**changes))


def _requests_csv(rows):
    return lambda path: write_csv(path, rows)


BAD_CASES = [
    ("bad answer word", "list.csv", _lines_csv(**{"1__answer": "yes"}), None, 3, "answer",
     "'yes' is not an answer"),
    ("missing ref and date", "list.csv", _lines_csv(**{"0__ref": "", "0__date_of_report": ""}),
     None, 2, "ref", "neither ref nor date_of_report"),
    ("date not a date", "list.csv", _lines_csv(**{"2__date_of_report": "8 July 2021"}), None, 4,
     "date_of_report", "'8 July 2021' is not a date in the form YYYY-MM-DD"),
    ("impossible date", "list.csv", _lines_csv(**{"0__period_end": "2024-02-30"}), None, 2,
     "period_end", "not a real date"),
    ("period the wrong way round", "list.csv", _lines_csv(**{"0__period_start": "2025-01-01"}),
     None, 2, "period_end", "impossible period"),
    ("two periods for one body", "list.csv", _lines_csv(**{"2__period_start": "2014-01-01"}),
     None, 4, "period_start", "differs from row 2's"),
    ("formula cell", "list.csv", _lines_csv(**{"1__ref": '=HYPERLINK("http://x.test","2020")'}),
     None, 3, "ref", "formula"),
    ("listed line without answer", "list.csv",
     _lines_csv(**{"1__answer": "", "1__listed": "yes"}), None, 3, "answer", "answer is empty"),
    ("unknown column", "list.csv",
     lambda p: write_csv(p, [{**r, "received_on": "x"} for r in line_rows()]), None, 1,
     "received_on", "unknown column 'received_on'"),
    ("blank answer on the reports sheet", "pack.xlsx",
     lambda p: write_pack(p, line_rows(**{"1__answer": ""}), []), "reports", 3, "answer",
     "answer is empty on the 'reports' sheet"),
    ("wrong sheet names", "pack.xlsx",
     lambda p: write_pack(p, line_rows(), line_rows(), sheets=("reports", "extra lines")),
     "extra lines", 1, None, "sheet 'extra lines' holds values"),
    ("formula cell in the pack", "pack.xlsx",
     lambda p: write_pack(p, line_rows(**{"0__note": "@SUM(1+1)"}), []), "reports", 2, "note",
     "starts with '@'"),
    ("answer before sent", "requests.csv", _requests_csv(request_rows(**{
        "0__answer_date": "2024-12-01"})), None, 2, "answer_date", "before the request was sent"),
    ("refused without section", "requests.csv", _requests_csv(request_rows(**{
        "1__refusal_section": ""})), None, 3, "refusal_section", "must name its section"),
    ("section not a section", "requests.csv", _requests_csv(request_rows(**{
        "1__refusal_section": "website"})), None, 3, "refusal_section", "'website' is not a"),
    ("answered without a date", "requests.csv", _requests_csv(request_rows(**{
        "0__answer_date": ""})), None, 2, "answer_date", "needs the answer_date"),
    ("bad status", "requests.csv", _requests_csv(request_rows(**{"2__status": "late"})), None, 4,
     "status", "'late' is not a status"),
    ("duplicate request", "requests.csv", _requests_csv(request_rows() + request_rows()[:1]), None,
     5, "request_reference", "duplicate of row 2"),
    ("date sent not a date", "requests.csv", _requests_csv(request_rows(**{
        "2__date_sent": "2025-13-01"})), None, 4, "date_sent", "not a real date"),
    ("mixed kinds", "mixed.csv", _requests_csv([{**request_rows()[0], **line_rows()[0]}]),
     None, None, None, "mixes the columns of several file kinds"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "name", "write", "sheet", "row", "column", "words"),
    BAD_CASES,
    ids=[c[0] for c in BAD_CASES],
)
def test_bad_file_is_rejected_whole_naming_the_row_and_quarantined(
    warehouse, tmp_path, case, name, write, sheet, row, column, words
):
    load(write_csv(tmp_path / "earlier.csv", line_rows()), warehouse, tmp_path)
    before = state(warehouse)
    bad = write(tmp_path / name)
    with pytest.raises(ReturnsFileError) as caught:
        load(bad, warehouse, tmp_path)
    matching = [
        p
        for p in caught.value.problems
        if (p.file_name, p.sheet, p.row, p.column) == (name, sheet, row, column)
        and words in p.message
    ]
    assert matching, [str(p) for p in caught.value.problems]
    line = str(matching[0])
    where = ", ".join(
        [name, *([f"sheet {sheet}"] if sheet else []), *([f"row {row}"] if row else [])]
    )
    assert line.startswith(where) and "\n" not in line, line
    assert state(warehouse) == before
    reason = caught.value.quarantined_to.with_name(caught.value.quarantined_to.name + ".reason.txt")
    assert words in reason.read_text(encoding="utf-8")


def test_a_bad_inbox_file_is_moved_to_quarantine_with_its_reason(warehouse, tmp_path):
    inbox = tmp_path / "data" / returns_asset.INBOX_SUBDIR
    inbox.mkdir(parents=True)
    write_csv(inbox / "requests.csv", request_rows(**{"1__refusal_section": ""}))
    write_pack(inbox / "pack.xlsx", line_rows(), [])
    report = returns_asset.load_all(
        warehouse, tmp_path / "data", returns_asset.inbox_files(tmp_path / "data"), True
    )
    assert [(e["file"], e["kind"]) for e in report["loaded"]] == [("pack.xlsx", "report_list")]
    assert returns_asset._by_kind(report["loaded"]) == {"report_list": 1}
    [rejected] = report["rejected"]
    assert not (inbox / "requests.csv").exists()
    moved = Path(rejected["quarantined_to"])
    assert moved.parent == tmp_path / "data" / "returns" / "quarantine" and moved.exists()
    reason = moved.with_name(moved.name + ".reason.txt").read_text(encoding="utf-8")
    assert "requests.csv, row 3, column refusal_section: a refusal must name" in reason


def test_a_pack_without_its_reports_sheet_is_refused(warehouse, tmp_path):
    path = write_pack(tmp_path / "pack.xlsx", line_rows(), [], sheets=("not_on_the_list", "x"))
    with pytest.raises(ReturnsFileError, match="must keep its 'reports' sheet"):
        load(path, warehouse, tmp_path)


def test_an_empty_extra_sheet_and_sheet_name_case_are_harmless(warehouse, tmp_path):
    path = write_pack(
        tmp_path / "pack.xlsx", line_rows(), [], sheets=("Reports", "Not on the list")
    )
    workbook = load_workbook(path)
    workbook.create_sheet("Sheet2")
    workbook.save(path)
    assert load(path, warehouse, tmp_path).rows_loaded == 3
    assert query(warehouse, "SELECT DISTINCT sheet FROM raw.returns__report_lines") == [
        ("reports",)
    ]


def test_count_returns_are_still_read_as_counts(warehouse, tmp_path):
    result = load(templates.bundled_data_folder() / "official_counts.csv", warehouse, tmp_path)
    assert (result.file_kind, result.rows_loaded) == ("counts", 16)
    assert query(warehouse, "SELECT file_kind FROM raw.returns__files") == [("counts",)]


@pytest.mark.parametrize("kind", ["report_list", "requests"])
def test_templates_document_every_column_and_a_filled_one_loads(warehouse, tmp_path, kind):
    written = templates.write_templates(tmp_path, kind)
    assert [p.name for p in written] == [f"{kind}_template.csv", f"{kind}_template.xlsx"]
    columns = foi_files.KINDS[kind]
    shipped = templates.template_folder()
    for path in written:
        assert (shipped / path.name).is_file(), f"run: pfdw returns template --kind {kind}"
    with (shipped / f"{kind}_template.csv").open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == list(columns.all)
    workbook = load_workbook(written[1])
    documented = [r[0] for r in workbook["documentation"].iter_rows(min_row=2, values_only=True)]
    assert set(columns.all) <= set(documented)
    readme = (shipped / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Report list" if kind == "report_list" else "### Request log")[1]
    cells = re.findall(r"^\| ([a-z_, ]+) \|", section.split("###")[0], re.M)
    assert set(columns.all) <= {c for cell in cells for c in cell.split(", ")}
    first = workbook.sheetnames[0]
    header = [c.value for c in workbook[first][1]]
    row = (line_rows() if kind == "report_list" else request_rows())[0]
    workbook[first].append([row.get(c) for c in header])
    workbook.save(written[1])
    assert load(written[1], warehouse, tmp_path).file_kind == kind


def test_the_asset_and_the_dbt_sources_know_the_new_raw_tables():
    assert {"returns__report_lines", "returns__requests"} <= set(returns_asset.RETURNS_TABLES)
    sources = yaml.safe_load(
        (ROOT / "dbt_project/models/staging/returns/_returns__sources.yml").read_text()
    )["sources"]
    tables = {t["name"]: t["identifier"] for s in sources for t in s["tables"]}
    assert tables["report_lines"] == "returns__report_lines"
    assert tables["requests"] == "returns__requests"


def test_the_foi_loader_does_not_read_marts_or_macros():
    source = Path(foi_files.__file__).read_text(encoding="utf-8")
    for name in ("dim_organisations", "fct_report", "org_name_key", "coroner_area_key("):
        assert name not in source, name
