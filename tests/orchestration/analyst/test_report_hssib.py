"""The report's HSSIB section: the 2015-12-31 window warehouse plus a real crawl of the
snapshot's HSSIB section, built as of 2026-02-01. The section appears for an organisation with
HSSIB recommendations, its figures equal plain SQL on the marts, and it stays out otherwise."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.orchestration.analyst.conftest import build_marts
from tests.orchestration.analyst.test_report import figures_in, query

pytestmark = pytest.mark.slow

AS_OF = "2026-02-01"
DHSC = "nb:department-of-health-and-social-care"


@pytest.fixture(scope="module")
def hssib_warehouse(window_warehouse, tmp_path_factory) -> Path:
    from orchestration.sources.hssib_recommendations.load import SPIDER, load_hssib_run
    from scrapers.crawl import run_crawl

    work_dir = tmp_path_factory.mktemp("report_hssib")
    warehouse = work_dir / "pfd.duckdb"
    shutil.copy(window_warehouse, warehouse)
    run_dir = work_dir / "runs" / SPIDER / "20260201T000000000000Z"
    assert run_crawl(spider=SPIDER, source="snapshot", run_dir=run_dir, timeout_s=120).loadable
    with duckdb.connect(str(warehouse)) as connection:
        load_hssib_run(connection, run_dir)
    result = build_marts(warehouse, work_dir, as_of=AS_OF)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return warehouse


def test_hssib_section_figures_equal_sql_on_the_marts(pfdw, hssib_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("PFDW_WAREHOUSE_PATH", str(hssib_warehouse))
    out = tmp_path / "dhsc.html"
    code, _, stderr = pfdw("report", "--org", DHSC, "--out", str(out))
    assert code == 0, stderr
    html = out.read_text()
    assert 'id="hssib"' in html

    # Written independently of orchestration/analyst/questions: plain SQL on the marts.
    recommendations, responded, unanswered, overdue = query(
        hssib_warehouse,
        """SELECT count(*), count(*) FILTER (WHERE response_status = 'responded'),
                  count(*) FILTER (WHERE response_status IN ('overdue', 'awaiting', 'no_date')),
                  count(*) FILTER (WHERE response_status = 'overdue')
           FROM main.fct_safety_recommendations WHERE organisation_key = ?""",
        [DHSC],
    )[0]
    (past_due,) = query(
        hssib_warehouse,
        """SELECT count(*) FROM main.fct_recommendation_actions
           WHERE list_contains(organisation_keys, ?) AND due_status = 'past_due'""",
        [DHSC],
    )[0]
    [shown] = figures_in(html)["hssib"]
    assert shown["organisation_key"] == DHSC
    assert shown["as_of_date"] == AS_OF
    assert (
        shown["recommendations"],
        shown["responded"],
        shown["unanswered"],
        shown["overdue"],
        shown["actions_past_due"],
    ) == (recommendations, responded, unanswered, overdue, past_due)
    # DHSC's real log: 9 recommendations, its mental health data set actions due in 2025.
    assert recommendations == 9 and past_due >= 4
    assert "by November - December 2025" in html


def test_hssib_section_stays_out_for_an_organisation_without_recommendations(
    pfdw, hssib_warehouse, tmp_path, monkeypatch
):
    monkeypatch.setenv("PFDW_WAREHOUSE_PATH", str(hssib_warehouse))
    (trust,) = query(
        hssib_warehouse,
        "SELECT organisation_key FROM main.fct_report_recipients "
        "WHERE organisation_key LIKE 'ods:%' ORDER BY organisation_key LIMIT 1",
    )[0]
    out = tmp_path / "trust.html"
    code, _, stderr = pfdw("report", "--org", trust, "--out", str(out))
    assert code == 0, stderr
    html = out.read_text()
    assert 'id="hssib"' not in html
    assert figures_in(html)["hssib"] == []


def test_no_hssib_section_when_the_warehouse_never_crawled_hssib(pfdw, tmp_path):
    out = tmp_path / "national.html"
    code, _, stderr = pfdw("report", "--out", str(out))
    assert code == 0, stderr
    assert 'id="hssib"' not in out.read_text()
