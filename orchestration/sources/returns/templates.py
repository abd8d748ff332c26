"""The returns templates (CSV header and .xlsx with a documentation sheet) of each file kind,
and the folders the package ships: ``templates/`` (templates and their column rules) and
``data/`` (real returns).

Command line: ``pfdw returns template [--kind counts|report_list|requests]``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from orchestration.sources.returns import foi_files
from orchestration.sources.returns.read import (
    ALL_COLUMNS,
    COLUMN_DOCS,
    REQUIRED_COLUMNS,
    XLSX_SHEET,
)

KINDS = ("counts", "report_list", "requests")


def template_folder() -> Path:
    """The returns template (CSV, .xlsx) and its column rules (README.md)."""
    return Path(__file__).resolve().parent / "templates"


def bundled_data_folder() -> Path:
    """The real returns the project ships, with their sources (SOURCES.md)."""
    return Path(__file__).resolve().parent / "data"


def write_templates(folder: Path | None = None, kind: str = "counts") -> list[Path]:
    """Write the CSV template (header only) and the .xlsx template (data sheets +
    documentation) of one file kind."""
    folder = Path(folder) if folder else template_folder()
    if kind != "counts":
        return _write_foi_templates(folder, kind)
    from openpyxl import Workbook
    from openpyxl.styles import Font

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


FOI_RULES = {
    "report_list": [
        "One row per report. A filled pack keeps its sheets: 'reports' (the reports we listed: mark"
        " each received, not located or received as copy; a blank answer there is an error) and"
        " 'not_on_the_list' (reports you received that our list lacks; a blank answer means"
        " received). A .csv, or a body's own list, is one list: 'listed' says yes for a line of"
        " our pack, no (the default) for a report you received.",
        "Each line needs a ref or a date_of_report (both is best; initials or a name and the date"
        " of death help match a line without a ref).",
        "period_start and period_end: the period asked about, the same on every row of one"
        " organisation.",
    ],
    "requests": [
        "One row per organisation and request_reference; a new status is a corrected file of the"
        " same name (it supersedes the earlier one, whose rows stay in the history).",
        "answer_date is required for answered, partially answered and refused, never before"
        " date_sent; a refusal names its section (refusal_section: s21, s12, s40(2)).",
        "The statutory due date (20 working days after date_sent, FOIA s.10) is computed when"
        " the file is loaded; do not write it.",
    ],
}


def _write_foi_templates(folder: Path, kind: str) -> list[Path]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    columns = foi_files.KINDS[kind]
    csv_path = folder / f"{kind}_template.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(columns.all)
    workbook = Workbook()
    if kind == "report_list":
        sheets = {name: [c for c in columns.all if c != "listed"] for name in foi_files.PACK_SHEETS}
    else:
        sheets = {foi_files.REQUESTS_SHEET: list(columns.all)}
    workbook.remove(workbook.active)
    for name, header in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    documentation = workbook.create_sheet("documentation")
    documentation.append(["column", "required", "meaning"])
    for column in columns.all:
        required = "yes" if column in columns.required else "optional"
        documentation.append([column, required, foi_files.COLUMN_DOCS[kind][column]])
    documentation.append([])
    for rule in FOI_RULES[kind]:
        documentation.append(["rule", "", rule])
    xlsx_path = folder / f"{kind}_template.xlsx"
    workbook.save(xlsx_path)
    return [csv_path, xlsx_path]
