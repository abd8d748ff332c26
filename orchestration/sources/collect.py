"""``pfdw collect``: crawl one registered source and load its run, without Dagster.

For debugging a crawl or a load: the Dagster jobs (``pfdw run``) are the product's way to collect.
It writes the warehouse file directly, so do not run it while a Dagster run is writing. With
``--crawl-only`` it only crawls into a run folder (snapshot faults and Scrapy overrides allowed),
and prints the crawl's summary as JSON.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

from orchestration.sources.registry import CrawlRequest, source

SOURCE_ENV = "PFDW_SOURCE"
log = logging.getLogger(__name__)


def crawl_source(args) -> str:
    value = args.source or os.environ.get(SOURCE_ENV) or "snapshot"
    if value not in ("snapshot", "live"):
        raise ValueError(f"{SOURCE_ENV}={value!r}; expected 'snapshot' or 'live'")
    return value


def log_progress(progress) -> None:
    """A crawl's progress line (``scrapers.common.progress``) on the terminal, via the log."""
    log.info("%s", progress.line)


def collect(args, warehouse: Path, runs_root: Path) -> int:
    """Crawl ``args.spider`` and load the run; one summary line for a person."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    spec = source(args.spider)
    if not spec.crawled:
        raise ValueError(f"{spec.slug} is not crawled (use `pfdw returns load` for returns files)")
    origin = crawl_source(args)
    if origin == "live" and args.as_of is not None:
        raise ValueError("--as-of applies to the offline snapshot only; the live site is today")
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    request = CrawlRequest(
        warehouse=warehouse,
        runs_root=runs_root,
        mode=args.mode,
        source=origin,
        base_url=args.base_url,
        as_of=args.as_of,
        options={},
        on_progress=log_progress,
    )
    started = time.monotonic()
    from scrapers.crawl import CrawlError

    try:
        mode, crawl = spec.crawl(request)
        loaded = spec.load_metadata(spec.load(warehouse, crawl.run_dir))
    except CrawlError as exc:  # a clear one-line reason for a person, the traceback in the log
        log.debug("crawl failed", exc_info=True)
        print(f"error: {spec.slug} crawl failed: {exc}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{name} {value}" for name, value in loaded.items() if name != "run_id")
    seconds = time.monotonic() - started
    print(f"{spec.slug} {mode} crawl ({origin}) loaded in {seconds:.1f}s: {counts}")
    print(f"run folder: {crawl.run_dir}")
    print(f"warehouse:  {warehouse}")
    return 0


def crawl_only(args) -> int:
    """One crawl into ``args.run_dir``, nothing loaded. Exit 0 finished, 1 failed, 3 layout
    drift, 2 bad arguments."""
    from scrapers.crawl import (
        FAULT_OPTIONS,
        CrawlError,
        LayoutDriftError,
        fault_config,
        run_crawl,
        summary,
    )

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.run_dir is None:
        print("error: --crawl-only needs --run-dir (a new folder for this run)", file=sys.stderr)
        return 2
    overrides = {}
    for text in args.set:
        name, separator, value = text.partition("=")
        if not separator or not name:
            print(f"error: --set must look like NAME=VALUE, got {text!r}", file=sys.stderr)
            return 2
        overrides[name] = value
    faults = {name: getattr(args, name) for name in FAULT_OPTIONS}
    faults = {name: value for name, value in faults.items() if value is not None}
    try:
        result = run_crawl(
            spider=args.spider,
            source=crawl_source(args),
            run_dir=args.run_dir,
            mode="full" if args.mode == "auto" else args.mode,
            state_file=args.state_file,
            base_url=args.base_url,
            as_of=args.as_of,
            snapshot_layout=args.snapshot_layout,
            snapshot_faults=fault_config(faults),
            max_listing_pages=args.max_listing_pages,
            settings_overrides=overrides or None,
            timeout_s=args.timeout,
            on_progress=log_progress,
        )
    except CrawlError as error:
        print(json.dumps(summary(error.result), indent=2))
        print(f"crawl failed: {error}", file=sys.stderr)
        return 3 if isinstance(error, LayoutDriftError) else 1
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(summary(result), indent=2))
    return 0
