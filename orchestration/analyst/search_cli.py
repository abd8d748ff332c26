"""``pfdw search "ligature points" [--section concerns] [scope filters] [--format table|csv|json]``.

Results: report reference, date, coroner area, recipients, the section that matched and a
snippet with the matched words between « and » (control characters from the scraped text are
spaces, so nothing reaches the terminal as an escape sequence). How many reports had text to
search is said every time: on stderr beside the count for a table (stdout stays the table), as
the ``coverage`` object of the JSON and a ``coverage`` column of the CSV. A malformed query or a
filter that names nothing is one line and exit 2; no index yet is one line saying to run
``make run`` and exit 1.

Standard library only at import: ``orchestration.cli`` builds its parser from this at every call.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

FORMATS = ("table", "csv", "json")
DEFAULT_LIMIT = 20
EXIT_USAGE = 2
EXIT_NO_INDEX = 1
TABLE_COLUMNS = ("ref", "date", "area", "recipients", "section", "snippet")
CSV_COLUMNS = (
    "rank",
    "ref",
    "report_date",
    "area",
    "recipients",
    "section",
    "snippet",
    "score",
    "report_url",
    "coverage",
)


def add_search_options(parser: argparse.ArgumentParser, date_type) -> None:
    """The query, --section, --limit, --format and the report's scope filters."""
    from orchestration.analyst.options import add_scope_options  # standard library only

    parser.add_argument(
        "query",
        help='words, "a phrase", AND / OR / NOT (NOT only in capitals), (brackets), prefix* ; '
        "follow-up finds the phrase follow up",
    )
    parser.add_argument(
        "--section",
        action="append",
        help="only these sections: circumstances, concerns, action, inquest (comma-separated or "
        "repeated; default all four)",
    )
    add_scope_options(parser, date_type)
    parser.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help=f"reports shown (default {DEFAULT_LIMIT})"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="csv: text cells starting with = + - @ get a leading apostrophe (no formulas)",
    )
    parser.add_argument(
        "--with-names",
        action="store_true",
        help="show the deceased's names in snippets (default: each word of them reads [name])",
    )


def _run(args, warehouse: Path):
    from orchestration.search import search

    return search(
        args.query,
        warehouse=warehouse,
        sections=args.section,
        org_types=args.org_type,
        organisation=args.org,
        area=args.area,
        since=args.since,
        until=args.until,
        recipient_sources=getattr(args, "recipient_source", None),
        as_named=bool(getattr(args, "as_named", False)),
        limit=args.limit,
        with_names=bool(getattr(args, "with_names", False)),
    )


def summary_line(found) -> str:
    """'3 reports match "ligature points" (NHS mental health trusts). 1,638 of 6,147 ...'."""
    from orchestration.analyst.output import noun

    shown = f" ({len(found.results):,} shown)" if len(found.results) < found.matches else ""
    scope = f" ({found.scope})" if found.scope else ""
    verb = "matches" if found.matches == 1 else "match"
    return (
        f"{found.matches:,} {noun(found.matches, 'report')} {verb} {found.query!r}{scope}"
        f"{shown}. {found.coverage.sentence()}."
    )


def _table(found) -> None:
    import io

    from orchestration.analyst.output import print_table

    rows = [
        (r.ref or "", r.report_date or "", r.area or "", r.recipients, r.section, r.snippet)
        for r in found.results
    ]
    if rows:
        print_table(TABLE_COLUMNS, rows, err=io.StringIO())
    print(summary_line(found), file=sys.stderr)


def _csv(found) -> None:
    import csv

    from orchestration.analyst.export import neutralise_cell

    writer = csv.writer(sys.stdout)
    writer.writerow(CSV_COLUMNS)
    sentence = found.coverage.sentence()
    for rank, result in enumerate(found.results, start=1):
        row = result.as_dict()
        values = [rank, *(row[c] for c in CSV_COLUMNS[1:-1]), sentence]
        writer.writerow([neutralise_cell(value) for value in values])
    print(summary_line(found), file=sys.stderr)


def _json(found) -> None:
    document = {
        "query": found.query,
        "fts_query": found.fts_query,
        "scope": found.scope,
        "sections": list(found.sections),
        "matches": found.matches,
        "shown": len(found.results),
        "coverage": {
            "reports_with_text": found.coverage.with_text,
            "reports_total": found.coverage.total,
            "sentence": found.coverage.sentence(),
        },
        "index": {
            "file": found.index.index_file,
            "built_at": found.index.built_at,
            "build_mode": found.index.build_mode,
        },
        "results": [result.as_dict() for result in found.results],
    }
    json.dump(document, sys.stdout, default=str, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def command_search(args, warehouse: Path) -> int:
    """Run ``pfdw search``; exit 2 for a malformed query or a filter naming nothing."""
    from orchestration.search import NoIndexError, SearchError

    try:
        found = _run(args, warehouse)
        {"table": _table, "csv": _csv, "json": _json}[args.format](found)
    except NoIndexError as error:
        print(f"pfdw search: {error}", file=sys.stderr)
        return EXIT_NO_INDEX
    except SearchError as error:
        print(f"pfdw search: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        from orchestration.analyst.output import silence_closed_stdout

        silence_closed_stdout()
    return 0
