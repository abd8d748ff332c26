"""`pfdw foi pack` (issue 15): one request letter (Markdown, HTML) and one report list (.xlsx,
.csv) per organisation, lines checked against SQL on the marts. On the hand-made contract
warehouse (no crawl, no dbt), with two more mental health trusts: one current with no report,
one closed with no successor (never asked)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import pytest

from orchestration.analyst.foi_sheets import report_list_columns
from orchestration.cli import main
from tests.orchestration.analyst.contract_warehouse import (
    DECEASED,
    MARKUP,
    NEW,
    OLD1,
    build_contract_warehouse,
)

UNTIL = "2024-12-08"
QUIET = ("ods:QUIET", "Quiet Mental Health NHS Trust")
GONE = ("ods:GONE", "Gone Mental Health NHS Trust")
FORMULA_AREA = '=HYPERLINK("http://example.invalid","x")'
# Every published report addressed to a current organisation of the type, by current
# organisation, dated (report date, else publication date) in the period: the pack's lines.
EXPECTED_LINES = """
select distinct
    coalesce(recipients.current_organisation_key, recipients.organisation_key) as key,
    reports.ref, reports.report_date, reports.report_url
from main.fct_report_recipients as recipients
inner join main.fct_reports as reports on recipients.report_url = reports.report_url
inner join main.dim_organisations as organisations
    on organisations.organisation_key
    = coalesce(recipients.current_organisation_key, recipients.organisation_key)
where organisations.organisation_type = ? and organisations.is_current
    and coalesce(reports.report_date, reports.published_date) between ? and ?
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    path = build_contract_warehouse(tmp_path_factory.mktemp("foi_pack") / "pfd.duckdb")
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "ALTER TABLE main.dim_organisations ADD COLUMN IF NOT EXISTS is_current BOOLEAN"
        )
        connection.execute(
            "UPDATE main.dim_organisations SET is_current = coalesce(is_current, "
            "current_organisation_key = organisation_key)"
        )
        for (key, name), current in ((QUIET, True), (GONE, False)):
            connection.execute(
                "INSERT INTO main.dim_organisations (organisation_key, canonical_name, "
                "organisation_type, is_listed, report_count, raw_spellings, "
                "current_organisation_key, current_organisation_name, current_organisation_type,"
                " is_current) VALUES (?, ?, 'nhs_mental_health_trust', true, 0, [?], ?, ?, "
                "'nhs_mental_health_trust', ?)",
                [key, name, name, key, name, current],
            )
        # r6 went to the organisation with markup in its name: its area is a formula.
        connection.execute(
            "UPDATE main.fct_reports SET coroner_area = ? WHERE report_url LIKE '%/r6/'",
            [FORMULA_AREA],
        )
    return path


@pytest.fixture
def pfdw(warehouse, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PFDW_DATA_DIR", str(tmp_path / "data"))

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["foi", "pack", "--warehouse", str(warehouse), *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture(scope="module")
def type_pack(warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("type_pack")
    code = main(
        ["foi", "pack", "--warehouse", str(warehouse), "--org-type", "mental_health_trust",
         "--until", UNTIL, "--sent-on", "2024-12-16", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    return out


def _sheet_rows(path: Path, sheet: str = "reports") -> list[dict]:
    workbook = openpyxl.load_workbook(path)
    rows = list(workbook[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _index(out: Path) -> list[dict]:
    with (out / "pack.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_letter_and_one_spreadsheet_per_current_mental_health_trust(type_pack):
    index = _index(type_pack)
    # NEW (with its two former trusts) and QUIET; not OLD1 (rolled up) nor GONE (closed).
    assert [row["organisation_key"] for row in index] == [NEW, QUIET[0]]
    for row in index:
        for kind in ("letter_markdown", "letter_html", "spreadsheet_xlsx", "spreadsheet_csv"):
            assert (type_pack / row[kind]).is_file(), (row, kind)
    assert len(list(type_pack.glob("*-letter.md"))) == len(list(type_pack.glob("*.xlsx"))) == 2
    assert [row["report_lines"] for row in index] == ["6", "0"]


def test_the_spreadsheet_lines_are_the_published_reports_on_the_marts(type_pack, warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        expected = connection.execute(
            EXPECTED_LINES,
            ["nhs_mental_health_trust", dt.date(2013, 7, 25), dt.date.fromisoformat(UNTIL)],
        ).fetchall()
    found = []
    for row in _index(type_pack):
        lines = _sheet_rows(type_pack / row["spreadsheet_xlsx"])
        assert all(line["organisation_key"] == row["organisation_key"] for line in lines)
        assert {line["request_reference"] for line in lines} <= {row["request_reference"]}
        found += [
            (line["organisation_key"], line["ref"], line["date_of_report"].date(), line["link"])
            for line in lines
        ]
    assert sorted(found) == sorted(expected) and len(found) == 6
    new_lines = _sheet_rows(type_pack / _index(type_pack)[0]["spreadsheet_xlsx"])
    assert {line["period_start"].date() for line in new_lines} == {dt.date(2013, 7, 25)}
    assert {line["period_end"].date() for line in new_lines} == {dt.date(2024, 12, 8)}
    assert {line["answer"] for line in new_lines} == {None}


def test_the_xlsx_and_csv_are_report_list_files(type_pack):
    row = _index(type_pack)[0]
    workbook = openpyxl.load_workbook(type_pack / row["spreadsheet_xlsx"])
    assert workbook.sheetnames == ["reports", "not_on_the_list", "instructions"]
    columns = list(report_list_columns(with_names=False))
    assert columns == [
        "organisation_name", "organisation_key", "request_reference", "period_start",
        "period_end", "ref", "date_of_report", "coroner_area", "link", "answer", "note",
    ]  # fmt: skip
    for sheet in ("reports", "not_on_the_list"):
        assert [cell.value for cell in workbook[sheet][1]] == columns
        (validation,) = workbook[sheet].data_validations.dataValidation
        assert validation.formula1 == '"received,not located,received as copy"'
        assert str(validation.sqref).startswith("J2:J")
    assert workbook["not_on_the_list"].max_row == 1
    with (type_pack / row["spreadsheet_csv"]).open(encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert list(lines[0]) == [*columns, "listed"]
    xlsx_lines = _sheet_rows(type_pack / row["spreadsheet_xlsx"])
    assert [(line["ref"], line["date_of_report"]) for line in lines] == [
        (line["ref"], line["date_of_report"].date().isoformat()) for line in xlsx_lines
    ]
    assert {line["listed"] for line in lines} == {"yes"}


def test_a_filled_pack_reads_back_as_a_report_list_without_a_problem(type_pack, tmp_path):
    """The pack and the returns reader (orchestration/sources/returns/foi_files.py) agree."""
    from orchestration.sources.returns import foi_files

    row = _index(type_pack)[0]
    xlsx = tmp_path / row["spreadsheet_xlsx"]
    workbook = openpyxl.load_workbook(type_pack / row["spreadsheet_xlsx"])
    for number, cells in enumerate(workbook["reports"].iter_rows(min_row=2)):
        cells[-2].value = ("received", "not located", "received as copy")[number % 3]
    first = [cell.value for cell in workbook["reports"][2]]
    workbook["not_on_the_list"].append([*first[:5], "2015-9999", None, "Essex", None, None, ""])
    workbook.save(xlsx)
    with (type_pack / row["spreadsheet_csv"]).open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    for line in lines[1:]:
        line[-3] = "received"
    lines.append([*lines[1][:5], "2015-9999", "", "Essex", "", "", "", "no"])
    filled_csv = tmp_path / row["spreadsheet_csv"]
    with filled_csv.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    today = dt.date(2026, 2, 1)
    for path in (xlsx, filled_csv, type_pack / "requests.csv"):
        result = foi_files.read_any_file(path)
        assert [str(problem) for problem in result.problems] == [], path.name
        assert foi_files.validate(result.kind, path.name, result.rows, today) == [], path.name
        expected = ("requests", 2) if path.name == "requests.csv" else ("report_list", 7)
        assert (result.kind, len(result.rows)) == expected, path.name


def test_the_letter_quotes_the_act_and_says_why_section_21_does_not_apply(type_pack):
    row = _index(type_pack)[0]
    letter = (type_pack / row["letter_markdown"]).read_text(encoding="utf-8")
    for text in ("section 1(1)", "section 21(1)", "section 10(1)", row["request_reference"],
                 "Old North Mental Health NHS Trust", "not located", "received as copy",
                 "25 July 2013 to 8 December 2024", "the 6 reports"):  # fmt: skip
        assert text in letter, text
    assert "Why section 21 does not apply" in letter and "missing from the site" in letter
    page = (type_pack / row["letter_html"]).read_text(encoding="utf-8")
    assert "@media print" in page and "default-src 'none'" in page
    assert "http" not in page.split("<body>")[0].replace("http-equiv", "")  # nothing to load
    quiet = (type_pack / _index(type_pack)[1]["letter_markdown"]).read_text(encoding="utf-8")
    assert "publishes no report to Quiet Mental Health NHS Trust" in quiet


def test_names_of_the_deceased_only_with_names(type_pack, pfdw, tmp_path):
    texts = "".join(path.read_text(encoding="utf-8") for path in type_pack.glob("*.*[!x]"))
    cells = [
        str(value)
        for path in type_pack.glob("*.xlsx")
        for sheet in openpyxl.load_workbook(path)
        for row in sheet.iter_rows(values_only=True)
        for value in row
    ]
    for name in DECEASED.values():
        assert name not in texts and not any(name in cell for cell in cells)
    assert "deceased_name" not in texts
    code, _, _ = pfdw("--org", OLD1, "--until", UNTIL, "--out", str(tmp_path), "--with-names")
    assert code == 0
    (xlsx,) = tmp_path.glob("*.xlsx")
    names = {line["ref"]: line["deceased_name"] for line in _sheet_rows(xlsx)}
    assert set(DECEASED.values()) <= set(names.values())
    assert "Alexandra Testperson" in next(tmp_path.glob("*-letter.html")).read_text("utf-8")


def test_scraped_text_is_escaped_in_html_and_neutralised_in_xlsx_and_csv(pfdw, tmp_path):
    code, out, _ = pfdw("--org", MARKUP, "--until", UNTIL, "--out", str(tmp_path))
    assert code == 0 and "1 report" in out
    page = next(tmp_path.glob("*-letter.html")).read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    markdown = next(tmp_path.glob("*-letter.md")).read_text(encoding="utf-8")
    assert "<script>" not in markdown and r"\<script\>" in markdown
    (line,) = _sheet_rows(next(tmp_path.glob("*.xlsx")))
    assert line["coroner_area"] == "'" + FORMULA_AREA
    with next(tmp_path.glob("*-reports.csv")).open(encoding="utf-8", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert row["coroner_area"] == "'" + FORMULA_AREA


def test_sent_on_prints_the_due_date_across_christmas_and_a_weekend(pfdw, tmp_path):
    code, out, _ = pfdw("--org", "New Mental Health NHS Foundation Trust", "--until", UNTIL,
                        "--sent-on", "2024-12-16", "--out", str(tmp_path))  # fmt: skip
    assert code == 0
    assert "sent on 2024-12-16: due by 2025-01-17" in out
    assert "17 January 2025" in next(tmp_path.glob("*-letter.md")).read_text(encoding="utf-8")
    (row,) = _index(tmp_path)
    assert (row["date_sent"], row["statutory_due_date"]) == ("2024-12-16", "2025-01-17")
    with (tmp_path / "requests.csv").open(encoding="utf-8", newline="") as handle:
        (request,) = csv.DictReader(handle)
    assert request["status"] == "sent" and request["request_reference"] == "PFD-FOI-ODS-NEW"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--org-type", "wizards"), "Unknown organisation type 'wizards'. Use one of: nhs_"),
        ((), "give --org"),
        (("--org", "nothing like it"), "No organisation matches 'nothing like it'"),
        (("--org", GONE[0]), "no longer exists"),
        (("--org", NEW, "--request-reference-prefix", "=cmd"), "--request-reference-prefix"),
        (("--org", NEW, "--since", "2024-01-01", "--until", "2023-01-01"), "is after"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(pfdw, tmp_path, argv, message):
    code, out, err = pfdw(*argv, "--out", str(tmp_path / "pack"))
    assert code == 2 and out == ""
    assert err.startswith("pfdw foi pack: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "pack").exists()
