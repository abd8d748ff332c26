"""End to end: crawl the offline snapshot in a subprocess, load DuckDB, and check the result
against the snapshot's own ground truth. Each test starts its own snapshot on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.sources.judiciary_pfd.collect import collect_judiciary_pfd
from orchestration.sources.judiciary_pfd.load import load_run
from orchestration.sources.raw_runs import RunNotLoadableError
from scrapers.snapshot.server import FaultConfig
from scrapers.snapshot.site import SnapshotSite

pytestmark = pytest.mark.slow

SMALL_WINDOW = date(2013, 10, 31)  # 72 listed pages: 63 reports and 9 legacy category posts
HEADER_COLUMNS = {
    "date_of_report": "date_of_report_raw",
    "ref": "ref_raw",
    "deceased_name": "deceased_name_raw",
    "coroner_name": "coroner_name_raw",
    "coroner_area": "coroner_area_raw",
    "category": "category_raw",
    "sent_to": "sent_to_raw",
}
QUIET = {"LOG_LEVEL": "WARNING"}
# Everything that describes the site, none of the bookkeeping (timestamps, run ids, ETags).
CONTENT_QUERIES = {
    "reports": """
        SELECT report_url, page_title, date_added_raw, date_of_report_raw, ref_raw,
               deceased_name_raw, coroner_name_raw, coroner_area_raw, category_raw, sent_to_raw,
               category_pills::VARCHAR, parse_warnings::VARCHAR, content_hash
        FROM raw.judiciary_pfd__reports ORDER BY report_url""",
    "documents": """
        SELECT report_url, document_url, link_text, file_name, upload_year, upload_month, kind,
               is_current
        FROM raw.judiciary_pfd__documents ORDER BY report_url, document_url""",
    "skipped": "SELECT DISTINCT url, reason FROM raw.skipped_pages ORDER BY url",
    "texts": """
        SELECT report_url, text_source, document_url, text_status, sent_to_text,
               sections::VARCHAR, page_count, content_hash
        FROM raw.judiciary_pfd__report_texts ORDER BY report_url""",
}


def content(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in CONTENT_QUERIES.items()}


def collect(tmp_path: Path, name: str, **kwargs):
    options = kwargs.pop("crawl_options", {})
    options.setdefault("settings_overrides", QUIET)
    return collect_judiciary_pfd(
        warehouse=tmp_path / f"{name}.duckdb",
        runs_root=tmp_path / f"{name}-runs",
        crawl_options=options,
        **kwargs,
    )


def test_small_window_is_crawled_and_loaded_completely_and_verbatim(tmp_path):
    result = collect(tmp_path, "w", mode="full", as_of=SMALL_WINDOW)
    site = SnapshotSite(as_of=SMALL_WINDOW)
    reports = [e for e in site.listed_entries() if not e.is_legacy_post]
    legacy = {e.url for e in site.listed_entries() if e.is_legacy_post}
    assert result.mode == "full"
    assert result.load.reports_in_run == len(reports) == 63
    assert result.load.errors == 0

    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        columns = ", ".join(HEADER_COLUMNS.values())
        loaded = {
            row[0]: dict(zip(HEADER_COLUMNS, row[1:], strict=True))
            for row in con.execute(
                f"SELECT report_url, {columns} FROM raw.judiciary_pfd__reports"  # noqa: S608
            ).fetchall()
        }
        documents = {}
        for report_url, document_url, kind in con.execute(
            "SELECT report_url, document_url, kind FROM raw.judiciary_pfd__documents"
        ).fetchall():
            documents.setdefault(report_url, {})[document_url] = kind
        skipped = {row[0] for row in con.execute("SELECT url FROM raw.skipped_pages").fetchall()}

    assert set(loaded) == {entry.url for entry in reports}
    assert skipped == legacy
    for entry in reports:
        for field, value in loaded[entry.url].items():
            expected = entry.row[field].strip(" \t\r\n")
            assert (value or "") == expected, (entry.url, field)
        visible = {d.url: d.kind for d in site.visible_documents(entry.url)}
        assert set(documents.get(entry.url, {})) == set(visible), entry.url
        for url, kind in visible.items():
            if kind in ("report", "response"):
                assert documents[entry.url][url] == kind, url

    # Loading the same run folder again changes nothing.
    before = content(tmp_path / "w.duckdb")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert load_run(con, result.run_dir).already_loaded
    assert content(tmp_path / "w.duckdb") == before


def test_faults_leave_every_listed_report_loaded_or_recorded(tmp_path):
    faults = FaultConfig(
        error_rate=0.15,
        timeout_rate=0.05,
        timeout_seconds=3.0,
        slow_rate=0.05,
        slow_seconds=0.3,
        truncate_rate=0.1,
        permanent_error_rate=0.05,
        seed=7,
    )
    result = collect(
        tmp_path,
        "faulty",
        mode="full",
        as_of=SMALL_WINDOW,
        crawl_options={
            "snapshot_faults": faults,
            "settings_overrides": {**QUIET, "DOWNLOAD_TIMEOUT": 1},
        },
    )
    site = SnapshotSite(as_of=SMALL_WINDOW)
    with duckdb.connect(str(tmp_path / "faulty.duckdb"), read_only=True) as con:
        loaded = {
            r[0]
            for r in con.execute("SELECT report_url FROM raw.judiciary_pfd__reports").fetchall()
        }
        errors = {
            r[0]: r[1] for r in con.execute("SELECT url, reason FROM raw.crawl_errors").fetchall()
        }
        skipped = {r[0] for r in con.execute("SELECT url FROM raw.skipped_pages").fetchall()}
    listed = set(site.listed_report_urls())
    missing = listed - loaded - set(errors) - skipped
    assert not missing, f"silently missing: {sorted(missing)[:5]}"
    assert errors, "the permanent failures must be recorded as crawl errors"
    assert all(reason for reason in errors.values())
    assert result.load.errors == len(errors)


def test_layout_drift_fails_before_anything_is_loaded(tmp_path):
    from scrapers.crawl import LayoutDriftError

    collect(tmp_path, "w", mode="full", as_of=SMALL_WINDOW)
    before = content(tmp_path / "w.duckdb")
    with pytest.raises(LayoutDriftError, match="layout drift"):
        collect(
            tmp_path,
            "w",
            mode="full",
            as_of=SMALL_WINDOW,
            crawl_options={"snapshot_layout": "2025-08"},
        )
    assert content(tmp_path / "w.duckdb") == before


def test_incremental_run_fetches_only_new_and_open_pages_and_equals_a_full_crawl(tmp_path):
    first, later = date(2013, 12, 31), date(2014, 2, 28)
    collect(tmp_path, "inc", mode="full", as_of=first)
    progress = []
    incremental = collect(
        tmp_path,
        "inc",
        mode="auto",
        as_of=later,
        crawl_options={"settings_overrides": QUIET, "progress_interval_s": 0.2},
        on_progress=progress.append,
    )
    assert incremental.mode == "incremental"
    # The crawl's progress reached the caller, its last line the totals of the run.
    assert progress and progress[-1].final
    assert progress[-1].line.startswith("judiciary_pfd incremental crawl finished: ")
    assert progress[-1].pages == incremental.crawl.counts["pages_fetched"]
    collect(tmp_path, "full", mode="full", as_of=later)
    assert content(tmp_path / "inc.duckdb") == content(tmp_path / "full.duckdb")

    site_before, site_after = SnapshotSite(as_of=first), SnapshotSite(as_of=later)
    new_urls = set(site_after.listed_report_urls()) - set(site_before.listed_report_urls())
    reports = [
        json.loads(line)["url"]
        for line in (incremental.run_dir / "reports.jsonl").read_text().splitlines()
    ]
    state = json.loads((incremental.run_dir / "state.json").read_text())
    revisited = {page["url"] for page in state["revisit"]}
    canary = set(state["canary"])  # known pages re-fetched every day to catch layout drift
    assert len(canary) == 5 and state["retry"] == []
    assert new_urls <= set(reports)
    assert set(reports) <= new_urls | revisited | canary  # nothing else closed or unknown

    def last_run_requests(warehouse: Path) -> int:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(
                "SELECT requests FROM raw.crawl_runs ORDER BY started_at DESC, run_id DESC LIMIT 1"
            ).fetchall()[0][0]

    assert last_run_requests(tmp_path / "inc.duckdb") < last_run_requests(tmp_path / "full.duckdb")


def test_an_interrupted_crawl_is_not_loaded_and_a_rerun_matches_an_uninterrupted_one(tmp_path):
    window = date(2014, 3, 31)
    run_dir = tmp_path / "killed-run"
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    crawl = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("pfdw")),
            "collect",
            "--crawl-only",
            "--source",
            "snapshot",
            "--mode",
            "full",
            "--as-of",
            window.isoformat(),
            "--run-dir",
            str(run_dir),
            "--slow-rate",
            "1",
            "--slow-seconds",
            "0.05",
        ],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    reports_file = run_dir / "reports.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if reports_file.exists() and reports_file.read_text().count("\n") >= 20:
            break
        time.sleep(0.2)
    os.killpg(crawl.pid, signal.SIGKILL)
    crawl.wait()
    assert reports_file.read_text().count("\n") >= 20, "the crawl never got going"
    assert not (run_dir / "run.json").exists()
    with (
        duckdb.connect(str(tmp_path / "w.duckdb")) as con,
        pytest.raises(RunNotLoadableError, match="did not finish"),
    ):
        load_run(con, run_dir)

    collect(tmp_path, "w", mode="auto", as_of=window)
    collect(tmp_path, "reference", mode="full", as_of=window)
    assert content(tmp_path / "w.duckdb") == content(tmp_path / "reference.duckdb")
