"""The weekly audit end to end on a snapshot window: crawl, dbt build, load the real returns,
rebuild the returns models, run every suite, write Data Docs and a dated summary with history,
and open the Data Docs index in headless Chromium (screenshot under test-output/)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from expectations import report as audit
from orchestration.sources.judiciary_pfd.collect import collect_judiciary_pfd
from orchestration.sources.returns import load as returns
from orchestration.warehouse.dbt_cli import run_dbt
from tests.browser import run_chromium, screenshot_path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT_WINDOW = date(2014, 3, 31)


def dbt_build(warehouse: Path) -> None:
    """Seeds and models only: the dbt tests are other test files' business."""
    completed = run_dbt(
        ["build", "--quiet", "--select", "resource_type:seed", "resource_type:model"], warehouse
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    root = tmp_path_factory.mktemp("audit_e2e")
    warehouse = root / "warehouse" / "pfd.duckdb"
    data_dir = root / "data"
    collect_judiciary_pfd(
        warehouse=warehouse, runs_root=data_dir / "runs", mode="full", as_of=SNAPSHOT_WINDOW
    )
    dbt_build(warehouse)  # returns models build empty: no returns file loaded yet
    for path in returns.bundled_returns_files():
        returns.load_returns_file(path, warehouse, data_dir)
    returns.rebuild_models(warehouse)
    first = audit.run_audit(warehouse, data_dir, now=datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    second = audit.run_audit(warehouse, data_dir, now=datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    return warehouse, data_dir, first, second


@pytest.mark.slow
def test_weekly_audit_runs_every_suite_and_reconciles_the_real_returns(audited):
    _warehouse, _data_dir, _first, run = audited
    summary = json.loads((run.folder / "summary.json").read_text(encoding="utf-8"))
    suites = {s["suite"]: s for s in summary["suites"]}
    assert set(suites) == {
        "raw_crawl",
        "returns_reconciliation",
        "coroner_area_completeness",
        "ref_sequence_gaps",
        # Built empty (this warehouse never crawled HSSIB), so it runs and passes; the HSSIB raw
        # suite is skipped because its raw table does not exist here.
        "hssib_overdue",
        # The FOI marts are built empty (no report-level answers ship): it runs and passes.
        "foi_campaign",
    }
    assert suites["foi_campaign"]["success"]
    assert suites["foi_campaign"]["facts"]["campaign_loaded"] is False
    assert "No FOI campaign loaded." in (run.folder / "summary.md").read_text(encoding="utf-8")
    assert suites["raw_crawl"]["success"], suites["raw_crawl"]["failing_entities"]
    assert not run.has_errors
    reconciliation = summary["reconciliation"]
    assert len(reconciliation) == 16
    # The window ends 2014-03-31, so nothing after it is published: every later count is
    # "reported but not published", and the refusals carry no count.
    norfolk = next(r for r in reconciliation if r["name_as_written"] == "Norfolk")
    assert (norfolk["reported_count"], norfolk["published_count"]) == (14, 0)
    assert norfolk["direction"] == "reported but not published"
    gla = {r["outcome_category"]: r for r in reconciliation if r["resolved_key"] ==
           "nb:greater-london-authority"}  # fmt: skip
    assert gla["refused"]["direction"] == "no count: refused"
    assert gla["refused"]["reported_count"] is None
    assert "Norfolk" in suites["returns_reconciliation"]["failing_entities"]
    outcomes = {
        (r["organisation_type"], r["outcome_category"], r["exemption"]): r["return_rows"]
        for r in summary["return_outcomes_by_organisation_type"]
    }
    assert outcomes[("local_authority", "refused", "section 21")] == 1
    assert outcomes[("local_authority", "not_held", "")] == 1
    assert outcomes[("government_department", "provided", "")] == 6
    markdown = (run.folder / "summary.md").read_text(encoding="utf-8")
    assert "| Norfolk | 2022-01-01 to 2022-12-31 | provided | 14 | 0 | 14 |" in markdown


@pytest.mark.slow
def test_audit_history_is_kept_per_run(audited):
    _warehouse, data_dir, first, second = audited
    root = data_dir / "audit"
    assert first.folder != second.folder and first.folder.exists() and second.folder.exists()
    assert (root / "LATEST").read_text().strip() == second.folder.name
    with (root / "history" / "completeness.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    runs = {r["audit_run"] for r in rows}
    assert runs == {first.folder.name, second.folder.name}
    areas_per_run = {run: sum(r["audit_run"] == run for r in rows) for run in runs}
    assert min(areas_per_run.values()) >= 77
    # one Data Docs site holds both runs; each summary points at its own pages in it
    assert first.docs_index == second.docs_index == root / "data_docs" / "index.html"
    for run in (first, second):
        assert run.docs_pages and all(page.is_file() for page in run.docs_pages.values())
        assert run.summary["data_docs"] == "../data_docs/index.html"
    assert first.docs_pages["raw_crawl"] != second.docs_pages["raw_crawl"]


@pytest.mark.slow
def test_data_docs_index_opens_in_headless_chromium(audited, tmp_path):
    from expectations.data_docs import remote_references

    _warehouse, _data_dir, _first, run = audited
    assert run.docs_index and run.docs_index.is_file()
    assert remote_references(run.docs_index.parent) == []
    url = run.docs_index.resolve().as_uri()
    dom = run_chromium(url, "--virtual-time-budget=5000", "--dump-dom")
    # the index table is filled by bootstrap-table from local scripts: rows prove they ran
    assert "returns_reconciliation" in dom
    assert 'data-index="0"' in dom or "<tbody" in dom
    screenshot = screenshot_path("audit_data_docs_index.png")
    run_chromium(url, "--window-size=1280,900", f"--screenshot={screenshot}")
    assert screenshot.stat().st_size > 10_000
