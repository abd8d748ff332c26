"""Benchmark the pipeline through Dagster: a full run (what ``make run`` does: the
collect_and_audit job) and a no-change daily_collection run, each as a fresh ``pfdw run`` process.
Prints wall time, the job's own time (from its status line), peak memory and the lines the run
printed at the default level (and how many of them were DEBUG); asserts nothing.

    pfdw bench dagster [--as-of 2013-10-31] [--keep]

Runs in a new temporary data dir (so the first run is a full crawl of the snapshot) unless
``--data-dir`` is given. Targets (issue 14): full run's job <= 45 s, no-change daily run <= 10 s,
under 60 lines printed by ``make run`` at the default level.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def timed_run(label: str, args: list[str], env: dict[str, str]) -> dict:
    """Run a child process; wall time and the peak RSS of the largest process in its tree."""
    started = time.monotonic()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("pfdw")), *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    lines = output.splitlines()
    # From the job's status line on: status, checks, failed steps, where the results are.
    start = next(
        (i for i, line in enumerate(lines) if re.match(r"^\w+: (succeeded|FAILED) in ", line)),
        max(len(lines) - 6, 0),
    )
    summary = [line for line in lines[start:] if not line.startswith("20")][:6]
    job = re.match(r"^\w+: (?:succeeded|FAILED) in ([0-9.]+)s", lines[start]) if lines else None
    return {
        "label": label,
        "ok": process.returncode == 0,
        "seconds": seconds,
        "job_seconds": float(job[1]) if job else None,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "lines": len(lines),
        "debug_lines": sum(1 for line in lines if " - DEBUG - " in line),
        "summary": summary,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pfdw bench dagster")
    parser.add_argument("--as-of", default=None, help="snapshot as-of date (default: all)")
    parser.add_argument("--data-dir", default=None, help="default: a new temporary directory")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="pfdw-dagster-bench-"))
    env = dict(os.environ)
    env["PFDW_DATA_DIR"] = str(data_dir)
    env.pop("PFDW_WAREHOUSE_PATH", None)
    env.pop("DAGSTER_HOME", None)
    as_of = ["--as-of", args.as_of] if args.as_of else []
    results = []
    try:
        # What `make run` runs (collect_and_audit: crawl, load, dbt build, checks, audit), then
        # the scheduled daily job on a site that has not changed since.
        results.append(timed_run("full run (make run, empty data dir)", ["run", *as_of], env))
        daily = ["run", "--job", "daily_collection", *as_of]
        results.append(timed_run("no-change daily_collection run", daily, env))
    finally:
        if not args.data_dir and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(
        f"Dagster pipeline benchmark (snapshot as of {args.as_of or 'today'}, in-process executor)"
    )
    for result in results:
        status = "ok" if result["ok"] else "FAILED"
        job = f"{result['job_seconds']:6.1f} s job" if result["job_seconds"] else "   ? s job"
        print(
            f"  {result['label']:<36} {result['seconds']:7.1f} s wall  {job}"
            f"  {result['peak_rss_mb']:7.0f} MB peak RSS  {result['lines']:5d} lines printed"
            f" ({result['debug_lines']} DEBUG)  [{status}]"
        )
        for line in result["summary"]:
            print(f"      {line}")
    print(
        "  targets (issue 14): full run's job <= 45 s; no-change daily run <= 10 s;"
        " under 60 lines printed by make run"
    )
    return 0 if all(r["ok"] for r in results) else 1
