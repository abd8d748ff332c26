"""``pfdw foi status``: who is late, who answered, who refused, one row per FOI request.

The rows are question 8's request list (``questions/q8_foi_requests.sql`` on
``main.fct_foi_requests``: late first, most working days late first), printed by the one table
printer (``orchestration.analyst.output``) or as CSV / JSON. The warehouse is opened read-only.
With no campaign loaded it says so in one line on stderr and prints an empty result.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import TextIO

FORMATS = ("table", "csv", "json")
REQUESTS_TABLE = "fct_foi_requests"
# What the table shows (CSV and JSON carry every column of the question).
TABLE_COLUMNS = (
    ("organisation_name", "organisation"),
    ("request_reference", "reference"),
    ("date_sent", "sent"),
    ("statutory_due_date", "due"),
    ("status", "status"),
    ("refusal_section", "section"),
    ("answer_date", "answered"),
    ("working_days_late", "working days late"),
)
NOT_LOADED = (
    "No FOI campaign loaded in {path}: load the campaign's request log with `pfdw returns load"
    " <requests file>`, then rebuild (`make run` or `pfdw audit run`)."
)


def add_status_command(commands, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``foi status`` under the ``foi`` group's sub-parsers."""
    status = commands.add_parser(
        "status",
        parents=[common],
        help="who is late, who answered, who refused: one row per FOI request",
        description="One row per FOI request of the campaign loaded (fct_foi_requests): late"
        " ones first (most working days past the statutory due date first), then refusals, then"
        " requests still in time, then answers.",
    )
    status.add_argument("--late", action="store_true", help="only requests past their due date")
    status.add_argument("--format", choices=FORMATS, default="table")
    return status


def request_rows(connection) -> list[dict] | None:
    """Question 8's request rows (every filter unset); None when no campaign is loaded."""
    from orchestration.analyst.questions import ScopeVariables, run_question
    from orchestration.analyst.warehouse import table_exists

    if not table_exists(connection, "main", REQUESTS_TABLE):
        return None
    rows = run_question(connection, "q8_foi_requests", ScopeVariables())
    return rows or None


def summary_line(rows: list[dict]) -> str:
    """ "4 requests: 1 late, 1 refused (1 citing the website), 2 answered, 0 in time"."""
    from orchestration.analyst.output import plural

    late = sum(bool(row["is_late"]) for row in rows)
    refused = [row for row in rows if row["status"] == "refused"]
    citing = sum(bool(row["cites_website"]) for row in refused)
    answered = sum(row["status"] in ("answered", "partially answered") for row in rows)
    waiting = len(rows) - late - len(refused) - answered
    return (
        f"{plural(len(rows), 'request')}: {late:,} late, {len(refused):,} refused"
        f" ({citing:,} citing the website), {answered:,} answered, {waiting:,} other"
        " (in time, internal review or complaint)"
    )


def write_rows(rows: list[dict], output_format: str, out: TextIO, err: TextIO) -> None:
    from orchestration.analyst.export import neutralise_cell
    from orchestration.analyst.output import print_table

    if output_format == "csv":
        columns = list(rows[0]) if rows else [name for name, _ in TABLE_COLUMNS]
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows([neutralise_cell(row[column]) for column in columns] for row in rows)
    elif output_format == "json":
        json.dump(rows, out, default=str, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        print_table(
            [label for _, label in TABLE_COLUMNS],
            [[row[name] for name, _ in TABLE_COLUMNS] for row in rows],
            noun_singular="request",
            out=out,
            err=err,
        )


def command_foi_status(args, warehouse: Path, out: TextIO | None = None, err=None) -> int:
    """Print the requests; exit 0 (with one line on stderr) when no campaign is loaded."""
    from orchestration.analyst.warehouse import open_read_only

    out, err = out or sys.stdout, err or sys.stderr
    connection = open_read_only(Path(warehouse))
    try:
        rows = request_rows(connection)
    finally:
        connection.close()
    if rows is None:
        err.write(NOT_LOADED.format(path=Path(warehouse).resolve()) + "\n")
        if args.format != "table":
            write_rows([], args.format, out, err)
        return 0
    err.write(summary_line(rows) + "\n")
    shown = [row for row in rows if row["is_late"]] if getattr(args, "late", False) else rows
    write_rows(shown, args.format, out, err)
    return 0
