"""Crawl completeness as a gate, the drift canary, and no local servers (issue 13, items 2, 6, 9).

Each case crawls the offline snapshot's small 2013-10-31 window (72 listed pages, 8 listing
pages) with faults, loads the run, and runs the blocking raw crawl suite: the asset check that
stops a Dagster run before dbt, so a blocked crawl is never published. Outcomes asserted: every
listed report is loaded or recorded as an error (nothing silently missing), the gate blocks
crawls past the documented threshold on the first run too, errors are re-fetched by the next
run, and drift on a daily run fails it loudly. Heavier variants: orchestration/bench/chaos/crawl.py.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list

from orchestration.bench.chaos.crawl import ROBOTS_LISTING_ONLY, account, collect, gate
from orchestration.sources.judiciary_pfd.load import load_run
from orchestration.sources.raw_runs import RunNotLoadableError
from scrapers import settings as crawl_settings
from scrapers.crawl import CrawlError, LayoutDriftError, build_settings
from scrapers.snapshot.faults import ROBOTS_DISALLOW_ALL
from scrapers.snapshot.server import FaultConfig
from scrapers.snapshot.site import REPORTS_PER_PAGE, SnapshotSite

WINDOW = date(2013, 10, 31)
LISTING = "https://www.judiciary.uk/prevention-of-future-death-reports/"
PAGE_3_AND_MIRROR = ("/prevention-of-future-death-reports/page/3/", "/page/3/?s=&post_type=pfd")


@pytest.fixture(scope="module")
def clean_crawl(tmp_path_factory) -> Path:
    """A warehouse holding one clean full crawl of the window (copied by each test using it)."""
    folder = tmp_path_factory.mktemp("clean")
    collect(folder / "w.duckdb", folder / "runs", WINDOW, mode="full")
    return folder / "w.duckdb"


def copy_of(warehouse: Path, tmp_path: Path) -> Path:
    target = tmp_path / "w.duckdb"
    shutil.copy(warehouse, target)
    return target


def failing(outcome) -> dict[str, list[str]]:
    return {e.expectation: e.failing_entities for e in outcome.failed_expectations}


@pytest.mark.slow
def test_a_first_crawl_that_loses_more_than_a_third_is_blocked(tmp_path):
    faults = FaultConfig(error_rate=0.1, permanent_error_rate=0.45, seed=4)
    result = collect(tmp_path / "w.duckdb", tmp_path / "runs", WINDOW, snapshot_faults=faults)
    counts = account(tmp_path / "w.duckdb", result.load.run_id, WINDOW)
    assert result.mode == "full" and counts.errored + counts.on_lost_pages > counts.listed / 3
    assert counts.missing == [], "every listed report is loaded or recorded"

    outcome = gate(tmp_path / "w.duckdb")
    assert not outcome.success and outcome.severity == "error"  # blocking: not published
    not_loaded = failing(outcome)["expect_column_values_to_be_in_set"]
    assert len(not_loaded) == min(counts.errored, 50)  # the failing rows name the pages
    assert outcome.facts["previous_full_run_id"] is None  # the first run, blocked all the same


@pytest.mark.slow
def test_a_lost_listing_page_is_recorded_and_blocks_first_and_later_runs(clean_crawl, tmp_path):
    faults = FaultConfig(failing_paths=PAGE_3_AND_MIRROR)
    site_page_3 = SnapshotSite(as_of=WINDOW).listed_report_urls()[
        2 * REPORTS_PER_PAGE : 3 * REPORTS_PER_PAGE
    ]
    first = collect(tmp_path / "first.duckdb", tmp_path / "r1", WINDOW, snapshot_faults=faults)
    errors = [json.loads(line) for line in (first.run_dir / "errors.jsonl").open()]
    lost = [e for e in errors if e["stage"] == "listing_lost"]
    assert [e["url"] for e in lost] == [f"{LISTING}page/3/"]
    assert "listing page 3 and its search mirror could not be read" in lost[0]["reason"]
    counts = account(tmp_path / "first.duckdb", first.load.run_id, WINDOW)
    # A first run cannot name the reports listed only there: the page is named, and it blocks.
    assert counts.missing == [] and counts.on_lost_pages > 0
    assert failing(gate(tmp_path / "first.duckdb")) == {
        "expect_column_values_to_not_be_in_set": [f"{LISTING}page/3/"]
    }

    # After a clean run the records know what page 3 listed: fetched directly, none unaccounted.
    warehouse = copy_of(clean_crawl, tmp_path)
    later = collect(warehouse, tmp_path / "r2", WINDOW, mode="full", snapshot_faults=faults)
    counts = account(warehouse, later.load.run_id, WINDOW)
    assert counts.lost_listing_pages == [3] and counts.on_lost_pages == 0 and counts.missing == []
    assert counts.loaded + counts.skipped == counts.listed
    stats = json.loads((later.run_dir / "stats.json").read_text())
    assert stats["pfdw/hidden_report_requests"] >= len(site_page_3) - 1  # minus legacy posts
    assert not gate(warehouse).success


@pytest.mark.slow
def test_robots_forbidding_pages_is_never_a_loadable_success(tmp_path):
    with pytest.raises(CrawlError, match="Forbidden by robots.txt") as raised:
        collect(
            tmp_path / "w.duckdb",
            tmp_path / "runs",
            WINDOW,
            snapshot_faults=FaultConfig(robots_txt=ROBOTS_DISALLOW_ALL),
        )
    assert raised.value.result.status == "failed"
    with duckdb.connect(str(tmp_path / "probe.duckdb")) as con:
        with pytest.raises(RunNotLoadableError, match="not loaded"):
            load_run(con, raised.value.result.run_dir)

    # The listing allowed, every report page forbidden: each one an error, and the gate blocks.
    result = collect(
        tmp_path / "w.duckdb",
        tmp_path / "runs",
        WINDOW,
        snapshot_faults=FaultConfig(robots_txt=ROBOTS_LISTING_ONLY),
    )
    counts = account(tmp_path / "w.duckdb", result.load.run_id, WINDOW)
    assert counts.loaded == 0 and counts.errored == counts.listed and counts.missing == []
    assert not gate(tmp_path / "w.duckdb").success


@pytest.mark.slow
def test_errors_within_the_threshold_are_published_and_retried_by_the_next_run(tmp_path):
    site = SnapshotSite(as_of=WINDOW)
    reports = [e.url for e in site.listed_entries() if not e.is_legacy_post]
    broken = tuple(url.removeprefix("https://www.judiciary.uk") for url in reports[-2:])
    first = collect(
        tmp_path / "w.duckdb",
        tmp_path / "runs",
        WINDOW,
        snapshot_faults=FaultConfig(failing_paths=broken),
    )
    assert first.load.errors == 2
    assert gate(tmp_path / "w.duckdb").success  # 2 of 63: within the allowance, published

    # The next (daily) run re-fetches them although they are old and were never loaded.
    second = collect(tmp_path / "w.duckdb", tmp_path / "runs", WINDOW)
    assert second.mode == "incremental"
    state = json.loads((second.run_dir / "state.json").read_text())
    assert sorted(state["retry"]) == sorted(reports[-2:])
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        loaded = {
            row[0]
            for row in con.execute(
                "SELECT report_url FROM raw.judiciary_pfd__reports WHERE last_seen_run_id = ?",
                [second.load.run_id],
            ).fetchall()
        }
    assert set(reports[-2:]) <= loaded
    assert second.load.errors == 0 and gate(tmp_path / "w.duckdb").success


@pytest.mark.slow
def test_drift_on_a_daily_run_with_nothing_new_is_caught_by_the_canary(clean_crawl, tmp_path):
    warehouse = copy_of(clean_crawl, tmp_path)
    before = warehouse.read_bytes()
    drift = "^layout drift: 5 of 5 canary report pages"
    with pytest.raises(LayoutDriftError, match=drift) as raised:
        collect(warehouse, tmp_path / "runs", WINDOW, snapshot_layout="2025-08")
    state = json.loads((raised.value.result.run_dir / "state.json").read_text())
    assert state["revisit"] == []  # nothing due, nothing new: only the canary was fetched
    for url in state["canary"]:
        assert url in str(raised.value)  # the failure names the pages
    assert warehouse.read_bytes() == before  # nothing loaded


@pytest.mark.parametrize("profile", sorted(crawl_settings.PROFILES))
def test_no_local_server_in_any_profile(profile, tmp_path):
    settings = Settings()
    settings.setmodule(crawl_settings, priority="project")
    settings.setdict(build_settings(profile, tmp_path, None, None), priority="cmdline")
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    extensions = build_component_list(settings.getwithbase("EXTENSIONS"))
    assert "scrapy.extensions.telnet.TelnetConsole" not in extensions


def test_a_crawl_with_errors_or_a_lost_listing_page_is_never_a_quiet_day():
    import pandas as pd

    from orchestration.defs.checks import nothing_new_to_check

    empty = pd.DataFrame()
    assert nothing_new_to_check(empty, {"latest_mode": "incremental"})
    assert not nothing_new_to_check(empty, {"latest_mode": "full"})
    for fact in ("pages_not_loaded", "listing_pages_lost"):
        assert not nothing_new_to_check(empty, {"latest_mode": "incremental", fact: 1})
