"""The UI as a person uses it: Dagster's webserver on 127.0.0.1 over the data dir of three runs
started as `pfdw run` starts them (the session fixture ``cli_pipeline``: two succeeded, the third
failed), opened in headless Chromium. Screenshots are kept in test-output/. Skips when chromium
is missing.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orchestration import definitions as code_location_module
from orchestration.defs import runs
from tests.browser import chromium_or_skip, render_until, screenshot_path
from tests.orchestration.defs.conftest import SMALL_WINDOW

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(code_location_module.__file__).resolve().parents[1]
STARTUP_TIMEOUT_S = 180
WINDOW = (1600, 1000)
PAGE_TIMEOUT_S = 120
ASSET_GROUPS_QUERY = "{ assetNodes { groupName assetKey { path } } }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def rendered(url: str, screenshot: Path, *expected: str) -> str:
    """The page's HTML once the single-page app shows the ``expected`` texts (real time, at most
    PAGE_TIMEOUT_S), and a screenshot of it. Not Chromium's virtual-time budget: Dagster's UI
    keeps polling, and with it a page could hold a headless run for minutes (seen in CI)."""
    return render_until(url, screenshot, expected, timeout_s=PAGE_TIMEOUT_S, window=WINDOW)


@pytest.fixture(scope="module")
def dagster_ui(cli_pipeline):
    """Dagster's webserver (what `make ui` serves, without the daemon: no page here needs it,
    and on two cores its sensor and freshness ticks slowed the pages) over the data dir of the
    session's three `pfdw run`-style runs."""
    chromium_or_skip()
    data_dir = cli_pipeline["data_dir"]
    home = cli_pipeline["home"]
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PFDW_DATA_DIR": str(data_dir),
        "PFDW_WAREHOUSE_PATH": str(data_dir / "warehouse" / "pfd.duckdb"),
        "PFDW_AS_OF": SMALL_WINDOW,
    }
    webserver = Path(sys.executable).with_name("dagster-webserver")
    log = (data_dir / "dagster-webserver.log").open("w")
    process = subprocess.Popen(
        [str(webserver), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # stop the group: the webserver starts a code server
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            assert process.poll() is None, (data_dir / "dagster-webserver.log").read_text()[-3000:]
            try:
                nodes = graphql(base, ASSET_GROUPS_QUERY)["data"]["assetNodes"]
                if nodes:
                    break
            except Exception:
                pass
            assert time.monotonic() < deadline, "the webserver did not serve the code location"
            time.sleep(2)
        yield base, nodes
    finally:
        runs.stop_process_group(process)
        log.close()


def test_asset_graph_shows_the_groups(dagster_ui):
    base, nodes = dagster_ui
    groups = {node["groupName"] for node in nodes}
    assert {"collection", "raw", "staging", "seeds", "publication", "audit"} <= groups
    keys = {"/".join(node["assetKey"]["path"]) for node in nodes}
    assert {"crawl/hssib_recommendations", "raw/returns__rows", "audit/report"} <= keys
    shot = screenshot_path("dagster_asset_graph.png")
    dom = rendered(f"{base}/asset-groups", shot, "collection", "publication")
    assert shot.stat().st_size > 10_000
    for group in ("collection", "raw", "staging", "publication"):
        assert group in dom, f"group {group} not visible in the asset graph"


def test_asset_checks_page_shows_a_passed_check(dagster_ui):
    base, _ = dagster_ui
    shot = screenshot_path("dagster_asset_checks.png")
    dom = rendered(
        f"{base}/assets/raw/judiciary_pfd__reports?view=checks", shot, "header_fields_parsed"
    )
    assert shot.stat().st_size > 10_000
    assert "header_fields_parsed" in dom
    assert "gx_raw_crawl" in dom  # the blocking Great Expectations suite, as a check
    assert "Passed" in dom or "Succeeded" in dom


def test_runs_started_from_the_command_line_are_on_the_timeline_and_the_job_page(
    dagster_ui, cli_pipeline
):
    base, _ = dagster_ui
    shot = screenshot_path("dagster_overview_timeline.png")
    dom = rendered(f"{base}/overview/activity/timeline", shot, "daily_collection")
    assert "pfd_warehouse" in dom and "daily_collection" in dom
    assert "No runs" not in dom
    shot = screenshot_path("dagster_job_runs.png")
    dom = rendered(
        f"{base}/locations/pfd_warehouse/jobs/daily_collection/runs",
        shot,
        cli_pipeline["third"].run_id[:8],
    )
    for run in ("first", "second", "third"):
        assert cli_pipeline[run].run_id[:8] in dom, run
    assert "No runs found" not in dom


def test_a_mart_shows_its_row_count_and_column_types(dagster_ui, cli_pipeline):
    base, _ = dagster_ui
    shot = screenshot_path("dagster_mart_fct_reports.png")
    dom = rendered(f"{base}/assets/fct_reports", shot, "report_url")
    assert "Row count" in dom or "row_count" in dom
    assert "Columns" in dom
    # a column and its DuckDB type, as the column schema lists them
    assert "report_url" in dom
    assert "VARCHAR" in dom.upper()


def test_the_publication_asset_names_the_run_that_published(dagster_ui, cli_pipeline):
    base, _ = dagster_ui
    shot = screenshot_path("dagster_publication_asset.png")
    dom = rendered(f"{base}/assets/warehouse/published", shot, "published_by_run", "stale but safe")
    assert "published_by_run" in dom
    assert cli_pipeline["second"].run_id[:8] in dom
    assert "stale but safe" in dom  # the third run failed and said so here
