"""Search benchmark: prints figures, asserts nothing (``pfdw bench search``).

On a copy of a built warehouse (default the published one; ``--warehouse``), never the file
itself:

1. full build of the search index, as the ``search/index`` asset does it (read the marts,
   fingerprint, write the FTS5 file, name it in the warehouse): seconds and file size;
2. incremental build after changing the concerns of about 1% of the reports in the copy;
3. query latency p50/p95 of a fixed, realistic query set (phrases, booleans, prefixes, filters)
   with a warm :class:`~orchestration.search.Searcher` (each query run once first, then timed
   ``--rounds`` times);
4. the same with the report text replicated ``--copies`` times (50): synthetic reports, copy N of
   each under ``https://www.judiciary.uk/copy-N/...`` with the same sections, dates, area and
   recipients. The replicated documents are made in memory, so the scale build times
   fingerprinting and writing the index, not reading a 50x warehouse from DuckDB.

Targets (issue 16): snapshot build < 10 s and p95 < 50 ms; 50x build < 2 min and p95 < 200 ms.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import tempfile
import time
from pathlib import Path

FULL_BUILD_TARGET_S = 10
FULL_P95_TARGET_MS = 50
SCALE_BUILD_TARGET_S = 120
SCALE_P95_TARGET_MS = 200
CHANGED_SHARE = 0.01

# (query, filters): what analysts ask, with the report's filter words.
QUERIES: tuple[tuple[str, dict], ...] = (
    ("ligature points", {}),
    ('"ligature points"', {}),
    ('"ligature anchor" OR "anchor point"', {}),
    ("ligat*", {}),
    ('discharge AND "mental health"', {}),
    ("follow-up", {}),
    ("ambulance handover delays", {}),
    ('"handover delays" OR "handover delay"', {}),
    ("sepsis NOT covid", {}),
    ('(falls OR fall) AND "care home"', {}),
    ("methadone OR fentanyl OR opioid*", {}),
    ('"observation levels"', {"sections": "concerns"}),
    ("camhs OR cypmhs", {}),
    ('"section 136"', {}),
    ("prison AND acct", {}),
    ('"early warning score" OR news2', {}),
    ("staffing shortage*", {"sections": "concerns"}),
    ('"information sharing" AND police', {}),
    ("antenatal OR stillbirth", {}),
    ("road safety", {"sections": "concerns"}),
    ("ligature", {"org_types": "mental_health_trust"}),
    ("discharge", {"organisation": "Department of Health and Social Care"}),
    ("restraint", {"area": "Essex"}),
    ("patient", {"since": "2023-01-01", "until": "2024-12-31"}),
    ('"did not attend"', {}),
    ("suicide", {"sections": "concerns", "org_types": "police"}),
)


def verdict(value: float, target: float) -> str:
    return "within target" if value < target else "OVER TARGET"


def change_some_reports(warehouse: Path, share: float = CHANGED_SHARE) -> int:
    """Append a sentence to the concerns of ``share`` of the reports with text; how many."""
    from orchestration.warehouse.connection import connect

    with connect(warehouse) as con:
        urls = [
            row[0]
            for row in con.execute(
                "SELECT DISTINCT report_url FROM main.fct_report_sections "
                "WHERE section_key = 'coroners_concerns' ORDER BY report_url"
            ).fetchall()
        ]
        chosen = urls[:: max(1, round(1 / share))]
        con.executemany(
            "UPDATE main.fct_report_sections SET section_text = section_text || ? "
            "WHERE report_url = ? AND section_key = 'coroners_concerns'",
            [(" Benchmark edit: a new sentence.", url) for url in chosen],
        )
    return len(chosen)


def latencies(searcher, rounds: int) -> list[float]:
    """Milliseconds of every timed query (each query warmed once first)."""
    for query, filters in QUERIES:
        searcher.search(query, **filters)
    timings = []
    for _ in range(rounds):
        for query, filters in QUERIES:
            started = time.perf_counter()
            searcher.search(query, **filters)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def print_latency(label: str, timings: list[float], target_ms: float) -> None:
    cuts = statistics.quantiles(timings, n=100)
    p50, p95 = cuts[49], cuts[94]
    print(
        f"{label}: query latency over {len(QUERIES)} queries x {len(timings) // len(QUERIES)}"
        f" rounds: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(timings):.1f} ms"
        f" (target p95 < {target_ms} ms: {verdict(p95, target_ms)})"
    )


def replicate(documents, copies: int) -> list:
    """Copy N (N >= 1) of every document under /copy-N/ URLs; copy 0 as it is."""
    replicated = list(documents)
    for copy in range(1, copies):
        prefix = f"https://www.judiciary.uk/copy-{copy}/"
        replicated += [
            dataclasses.replace(d, report_url=prefix + d.report_url.split("://", 1)[-1])
            for d in documents
        ]
    return replicated


def snapshot_figures(copy: Path, rounds: int) -> list:
    from orchestration.search import Searcher
    from orchestration.search.build import build_for_warehouse, read_documents
    from orchestration.warehouse.connection import connect

    full, record = build_for_warehouse(copy, "bench-full")
    print(
        f"snapshot: full build of {full.documents:,} reports ({record.reports_with_text:,} of"
        f" {record.reports_total:,} reports had text) in {full.seconds:.2f} s,"
        f" index {full.size_bytes / 1_048_576:.1f} MB"
        f" (target < {FULL_BUILD_TARGET_S} s: {verdict(full.seconds, FULL_BUILD_TARGET_S)})"
    )
    changed = change_some_reports(copy)
    started = time.monotonic()
    incremental, _ = build_for_warehouse(copy, "bench-incremental")
    print(
        f"snapshot: {incremental.mode} build after changing {changed:,} reports"
        f" ({incremental.changed:,} redone) in {time.monotonic() - started:.2f} s"
    )
    with Searcher(copy) as searcher:
        print_latency("snapshot", latencies(searcher, rounds), FULL_P95_TARGET_MS)
    with connect(copy, read_only=True) as con:
        return read_documents(con)


def scale_figures(copy: Path, documents: list, copies: int, rounds: int) -> None:
    from datetime import UTC, datetime

    from orchestration.search import Searcher
    from orchestration.search.build import build_index
    from orchestration.search.files import IndexRecord, index_path, record_index
    from orchestration.search.schema import SCHEMA_VERSION
    from orchestration.warehouse.connection import connect

    replicated = replicate(documents, copies)
    started = time.monotonic()
    fingerprinted = [d.with_fingerprint() for d in replicated]
    target = index_path(copy, f"bench-{copies}x")
    full = build_index(fingerprinted, target)
    seconds = time.monotonic() - started
    print(
        f"{copies}x: full build of {full.documents:,} synthetic reports (copy N of each report"
        f" under /copy-N/ URLs) in {seconds:.1f} s, index {full.size_bytes / 1_048_576:,.0f} MB"
        f" (target < {SCALE_BUILD_TARGET_S} s: {verdict(seconds, SCALE_BUILD_TARGET_S)})"
    )
    step = max(1, round(1 / CHANGED_SHARE))
    edited = [
        dataclasses.replace(d, texts=(d.texts[0], (d.texts[1] or "") + " Edited.", *d.texts[2:]))
        if position % step == 0
        else d
        for position, d in enumerate(replicated)
    ]
    started = time.monotonic()
    edited = [d.with_fingerprint() for d in edited]
    incremental = build_index(edited, index_path(copy, f"bench-{copies}x-b"), previous=target)
    print(
        f"{copies}x: {incremental.mode} build after changing {incremental.changed:,} reports in"
        f" {time.monotonic() - started:.1f} s"
    )
    with connect(copy) as con:  # name the scaled index so a Searcher opens it with the filters
        record_index(
            con,
            IndexRecord(
                incremental.path.name, datetime.now(UTC), "bench", incremental.documents,
                incremental.documents, incremental.documents, incremental.mode,
                incremental.changed, incremental.removed, SCHEMA_VERSION,
            ),
        )  # fmt: skip
    with Searcher(copy) as searcher:
        print_latency(f"{copies}x", latencies(searcher, rounds), SCALE_P95_TARGET_MS)


def main(argv: list[str] | None = None) -> int:
    from orchestration.warehouse import settings

    parser = argparse.ArgumentParser(prog="pfdw bench search", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--warehouse", type=Path, help="a built warehouse (default: the published one); copied"
    )
    parser.add_argument("--copies", type=int, default=50, help="replication of the scale run")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds of the query set")
    parser.add_argument("--skip-scale", action="store_true", help="only the snapshot figures")
    parser.add_argument("--work-dir", type=Path, help="keep the copies and indexes here")
    args = parser.parse_args(argv)
    source = args.warehouse or settings.warehouse_path()
    if not source.is_file():
        print(f"pfdw bench search: no warehouse at {source}: run `make run` or pass --warehouse")
        return 1
    with tempfile.TemporaryDirectory(prefix="pfdw-search-bench-") as temporary:
        work_dir = args.work_dir or Path(temporary)
        work_dir.mkdir(parents=True, exist_ok=True)
        copy = work_dir / "pfd.duckdb"
        shutil.copyfile(source, copy)
        print(f"Search benchmark on a copy of {source}")
        documents = snapshot_figures(copy, args.rounds)
        if not args.skip_scale:
            scale_figures(copy, documents, args.copies, max(1, args.rounds // 2))
    return 0
