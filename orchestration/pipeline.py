"""Crawl and load without Dagster: ``python -m orchestration.pipeline collect``.

``make run`` runs the whole pipeline through Dagster (``orchestration.definitions``); this command
is the crawl and raw load of judiciary.uk alone, for debugging a crawl. The default source is the
offline snapshot (a local replica of judiciary.uk served on 127.0.0.1); pass ``--source live`` (or
set ``PFDW_SOURCE=live``) to crawl the real site politely. It writes the warehouse file directly,
so do not run it while a Dagster run is writing.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

from orchestration import settings

SOURCE_ENV = "PFDW_SOURCE"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m orchestration.pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("collect", "crawl judiciary.uk (or the snapshot), load the raw tables"),):
        command = sub.add_parser(name, help=text)
        command.add_argument(
            "--mode",
            choices=("auto", "full", "incremental"),
            default="auto",
            help="auto: incremental when the warehouse holds reports, else full",
        )
        command.add_argument(
            "--source",
            choices=("snapshot", "live"),
            default=None,
            help=f"default: ${SOURCE_ENV} or 'snapshot'",
        )
        command.add_argument(
            "--as-of",
            type=_date,
            default=None,
            help="snapshot only: serve the site as it looked on this date",
        )
        command.add_argument(
            "--base-url",
            default=None,
            help="crawl this origin instead (e.g. a snapshot you started)",
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    from orchestration.collect import collect_judiciary_pfd

    source = args.source or os.environ.get(SOURCE_ENV) or "snapshot"
    if source not in ("snapshot", "live"):
        print(f"error: {SOURCE_ENV}={source!r}; expected 'snapshot' or 'live'", file=sys.stderr)
        return 2
    warehouse = settings.warehouse_path()
    started = time.monotonic()
    try:
        result = collect_judiciary_pfd(
            warehouse=warehouse,
            runs_root=settings.runs_root(),
            mode=args.mode,
            source=source,
            as_of=args.as_of,
            base_url=args.base_url,
        )
    except Exception as exc:  # a clear one-line reason for a person, the traceback in the log
        logging.getLogger(__name__).debug("collect failed", exc_info=True)
        print(f"error: collection failed: {exc}", file=sys.stderr)
        return 1
    load = result.load
    print(
        f"judiciary_pfd {result.mode} crawl ({source}) loaded in {time.monotonic() - started:.1f}s:"
        f" {load.reports_in_run} report pages parsed, {load.new_reports} new,"
        f" {load.changed_reports} changed, {load.not_modified} not modified,"
        f" {load.errors} errors, {load.skipped} skipped"
    )
    print(f"run folder: {result.run_dir}")
    print(f"warehouse:  {Path(warehouse).resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
