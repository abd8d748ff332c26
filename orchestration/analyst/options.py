"""Command-line options shared by the analyst commands (``report``, ``export``, ``search``).

One set of scope filters, one vocabulary (``orchestration/analyst/scope.py`` resolves the words):
the report, the export and the search read them alike, and ``pfdw sql --var`` takes the same
words. Standard library only: ``orchestration.cli`` builds its parser from this at every call.
"""

from __future__ import annotations

import argparse


def add_scope_options(parser: argparse.ArgumentParser, date_type) -> None:
    """--org-type, --org, --area, --since, --until, --recipient-source, --as-named."""
    parser.add_argument(
        "--org-type",
        action="append",
        help="organisation type (nhs_mental_health_trust, or an alias such as "
        "mental_health_trust; any case, singular or plural); comma-separated or repeated",
    )
    parser.add_argument(
        "--org",
        "--organisation",
        dest="org",
        help="one organisation: name, part of a name, or key (ods:RXT)",
    )
    parser.add_argument(
        "--area",
        help="coroner area (current or historic): its name, a known spelling or its key, any case",
    )
    parser.add_argument("--since", type=date_type, help="first report date (YYYY-MM-DD)")
    parser.add_argument("--until", type=date_type, help="last report date (YYYY-MM-DD)")
    parser.add_argument(
        "--recipient-source",
        action="append",
        help="only recipients from these sources: header, report_text, response_document "
        "(comma-separated or repeated; default all)",
    )
    parser.add_argument(
        "--as-named",
        action="store_true",
        help="show organisations as named at the time (default: by current organisation, "
        "former names rolled up)",
    )
