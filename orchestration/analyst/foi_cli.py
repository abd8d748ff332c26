"""The ``pfdw foi`` command group (FOI campaigns): its options and what each sub-command runs.

``orchestration.cli`` adds the group with ``add_foi_commands`` and dispatches to ``command_foi``.
This module imports only the standard library at import time; each sub-command imports what it
needs when it runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

# Regulation 28 of the Coroners (Investigations) Regulations 2013 came into force on 25 July 2013.
DEFAULT_SINCE = dt.date(2013, 7, 25)
DEFAULT_REFERENCE_PREFIX = "PFD-FOI"


def add_foi_commands(foi: argparse.ArgumentParser, common: argparse.ArgumentParser, date_type):
    """``foi pack`` and ``foi status`` under the ``foi`` parser."""
    from orchestration.analyst.foi_status import add_status_command  # standard library only

    commands = foi.add_subparsers(dest="foi_command", required=True, metavar="{pack,status}")
    pack = commands.add_parser(
        "pack",
        parents=[common],
        help="request letters (Markdown, HTML) and report lists (.xlsx, .csv) per organisation",
        description="For each organisation: a Freedom of Information request letter and the list"
        " of every published report we hold addressed to it in the period, to mark received /"
        " not located / received as copy, plus an index (pack.csv, pack.md) and a request log"
        " (requests.csv).",
    )
    pack.add_argument(
        "--org",
        action="append",
        default=[],
        help="an organisation: name, part of a name, or key (ods:RXT); a former body is asked"
        " through the body that answers for it now (repeatable)",
    )
    pack.add_argument(
        "--org-type",
        action="append",
        default=[],
        help="every current organisation of this type (nhs_mental_health_trust, or an alias"
        " such as mental_health_trust; comma-separated or repeated)",
    )
    pack.add_argument(
        "--since",
        type=date_type,
        default=DEFAULT_SINCE,
        help=f"first report date (default {DEFAULT_SINCE}: Regulation 28 reports began)",
    )
    pack.add_argument("--until", type=date_type, help="last report date (default: today)")
    pack.add_argument(
        "--out", type=Path, default=Path("foi-pack"), help="folder (default foi-pack/)"
    )
    pack.add_argument(
        "--with-names", action="store_true", help="list the names of the deceased (default: not)"
    )
    pack.add_argument(
        "--request-reference-prefix",
        default=DEFAULT_REFERENCE_PREFIX,
        help=f"references are PREFIX-<organisation key> (default {DEFAULT_REFERENCE_PREFIX})",
    )
    pack.add_argument(
        "--sent-on",
        type=date_type,
        help="the day the requests are sent: prints the statutory due date and puts it in the"
        " letters",
    )
    add_status_command(commands, common)


def command_foi(args, warehouse: Path) -> int:
    """Run one ``pfdw foi`` sub-command; a usage error is one line on stderr and exit 2."""
    from orchestration.analyst.foi_status import command_foi_status
    from orchestration.analyst.scope import ScopeError

    run = {"pack": foi_pack, "status": command_foi_status}[args.foi_command]
    try:
        return run(args, warehouse)
    except ScopeError as error:
        print(f"pfdw foi {args.foi_command}: {error}", file=sys.stderr)
        return 2


def foi_pack(args, warehouse: Path) -> int:
    from orchestration.analyst.foi_pack import PackOptions, make_pack
    from orchestration.analyst.output import plural
    from orchestration.sources.returns.foi_dates import DUE_DATE_RULE

    options = PackOptions(
        orgs=tuple(args.org),
        org_types=tuple(args.org_type),
        since=args.since,
        until=args.until,
        with_names=args.with_names,
        reference_prefix=args.request_reference_prefix,
        sent_on=args.sent_on,
    )
    result = make_pack(warehouse, options, args.out)
    for pack in result.packs:
        print(f"{pack.request_reference}  {plural(len(pack.lines), 'report')}  {pack.name}")
    total = sum(len(pack.lines) for pack in result.packs)
    print(
        f"{plural(len(result.packs), 'organisation')}, {plural(total, 'report line')}"
        f" ({options.since} to {options.period_end}): {result.index_md.resolve()}"
    )
    if result.due_date is not None:
        print(f"sent on {options.sent_on}: due by {result.due_date} ({DUE_DATE_RULE})")
    return 0
