"""The spreadsheet of ``pfdw foi pack``: the published reports addressed to one organisation, for
it to mark, in the `report_list` file kind that ``pfdw returns load`` reads back.

.xlsx: sheet ``reports`` (our lines, one answer each, chosen from a drop-down list), sheet
``not_on_the_list`` (the same columns, empty: reports the body received that we do not list) and
sheet ``instructions`` (how to answer). .csv: the ``reports`` lines with ``listed`` = yes (a body
adds the reports it received that are not listed as rows with ``listed`` = no).

Text from the warehouse (names, areas, references) is formula-neutralised in both (a leading
apostrophe before = + - @, the export's rule), and written as a value, never a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from orchestration.analyst.export import neutralise_cell

ANSWERS = ("received", "not located", "received as copy")
REPORT_SHEET = "reports"
EXTRA_SHEET = "not_on_the_list"
# For people to read: the returns reader skips a sheet of this name (INFORMATION_SHEETS).
HELP_SHEET = "instructions"
LEADING_COLUMNS = (
    "organisation_name",
    "organisation_key",
    "request_reference",
    "period_start",
    "period_end",
    "ref",
    "date_of_report",
    "coroner_area",
    "link",
)
NAME_COLUMN = "deceased_name"
ANSWER_COLUMNS = ("answer", "note")
DATE_COLUMNS = frozenset({"period_start", "period_end", "date_of_report"})
# Rows of the empty sheet that carry the answer drop-down.
EXTRA_ROWS = 500
HOW_TO_ANSWER = (
    "How to answer",
    "",
    f"Sheet '{REPORT_SHEET}': one line per report published on judiciary.uk that names your"
    " organisation as a recipient in the period asked about. In the column 'answer' choose one of:",
    "  received: your records show the organisation received this report;",
    "  not located: you cannot find this report in your records;",
    "  received as copy: you hold it only as a copy sent to you for information.",
    "Every line needs an answer. Use 'note' for anything else (for example the date you received"
    " it, or where it is filed). Please do not change the other columns.",
    "",
    f"Sheet '{EXTRA_SHEET}': every other report to prevent future deaths your organisation"
    " received in the period, one per line: copy organisation_name, organisation_key,"
    f" request_reference, period_start and period_end from sheet '{REPORT_SHEET}', and give at"
    " least the report's reference (ref) or its date (date_of_report, YYYY-MM-DD); coroner_area"
    " and note help us find it. 'answer' may be left blank (it means received).",
    "",
    "In the .csv file: the same lines, with the column 'listed' = yes. Add the reports you"
    " received that are not listed as new rows with 'listed' = no.",
    "",
    "Names of the deceased are not needed: the reference and date identify each report.",
    "Please return the file under the name it was sent with.",
)


def report_list_columns(with_names: bool) -> tuple[str, ...]:
    """The report_list columns a pack carries, in order (deceased_name only with names)."""
    return LEADING_COLUMNS + ((NAME_COLUMN,) if with_names else ()) + ANSWER_COLUMNS


def pack_rows(pack, with_names: bool) -> list[dict]:
    """The lines of one organisation's pack as report_list rows (answer and note empty)."""
    rows = []
    for line in pack.lines:
        row = {
            "organisation_name": pack.name,
            "organisation_key": pack.key,
            "request_reference": pack.request_reference,
            "period_start": pack.period_start,
            "period_end": pack.period_end,
            "ref": line.ref,
            "date_of_report": line.date_of_report,
            "coroner_area": line.coroner_area,
            "link": line.link,
            "answer": None,
            "note": None,
        }
        if with_names:
            row[NAME_COLUMN] = line.deceased_name
        rows.append(row)
    return rows


def _cell(value):
    if value is None or isinstance(value, dt.date):
        return value
    return neutralise_cell(" ".join(str(value).split()))


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise_cell(" ".join(str(value).split()))


def _write_xlsx(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    reports = workbook.active
    reports.title = REPORT_SHEET
    extra = workbook.create_sheet(EXTRA_SHEET)
    answer_letter = get_column_letter(columns.index("answer") + 1)
    for sheet, lines, last_row in (
        (reports, rows, len(rows) + 1),
        (extra, [], EXTRA_ROWS + 1),
    ):
        sheet.append(list(columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in lines:
            sheet.append([_cell(row.get(column)) for column in columns])
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = {"link": 60, "organisation_name": 36}.get(
                column, 16
            )
            if column in DATE_COLUMNS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
        if last_row >= 2:
            choice = DataValidation(
                type="list",
                formula1='"' + ",".join(ANSWERS) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="answer",
                error=f"Choose one of: {', '.join(ANSWERS)}.",
            )
            sheet.add_data_validation(choice)
            choice.add(f"{answer_letter}2:{answer_letter}{last_row}")
    guide = workbook.create_sheet(HELP_SHEET)
    guide.column_dimensions["A"].width = 120
    for line in HOW_TO_ANSWER:
        guide.append([line])
    guide["A1"].font = Font(bold=True)
    workbook.save(path)


def write_report_list(pack, stem: Path, *, with_names: bool) -> tuple[Path, Path]:
    """``<stem>.xlsx`` and ``<stem>.csv`` for one organisation; returns both paths."""
    columns = report_list_columns(with_names)
    rows = pack_rows(pack, with_names)
    xlsx_path = stem.with_name(stem.name + ".xlsx")
    csv_path = stem.with_name(stem.name + ".csv")
    _write_xlsx(xlsx_path, columns, rows)
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*columns, "listed"])
        for row in rows:
            writer.writerow([*(_csv_cell(row.get(column)) for column in columns), "yes"])
    return xlsx_path, csv_path
