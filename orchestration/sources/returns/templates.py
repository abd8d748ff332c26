"""The returns template (CSV header and .xlsx with a documentation sheet) and the folders the
package ships: ``templates/`` (template and its column rules) and ``data/`` (real returns).

Command line: ``pfdw returns template``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from orchestration.sources.returns.read import (
    ALL_COLUMNS,
    COLUMN_DOCS,
    REQUIRED_COLUMNS,
    XLSX_SHEET,
)


def template_folder() -> Path:
    """The returns template (CSV, .xlsx) and its column rules (README.md)."""
    return Path(__file__).resolve().parent / "templates"


def bundled_data_folder() -> Path:
    """The real returns the project ships, with their sources (SOURCES.md)."""
    return Path(__file__).resolve().parent / "data"


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
