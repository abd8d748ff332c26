"""HSSIB marts end to end: a real crawl of the snapshot's HSSIB section loaded beside ten real
coroners' reports, `dbt build` as of a fixed date, statuses (as of each page's capture) and due
dates checked against the items themselves; the example page's acceptance case; and builds with
the HSSIB raw table empty or absent."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.sources.hssib_recommendations.load import (
    RECOMMENDATIONS_FILE,
    SPIDER,
    ensure_hssib_schema,
    load_hssib_run,
)
from orchestration.warehouse.dbt_cli import run_dbt
from tests.dbt.sample_warehouse import SAMPLE_CSV, build_raw_warehouse, run_dbt_build

pytestmark = pytest.mark.slow

FIRST_AS_OF = "2024-06-30"
LATER_AS_OF = "2026-02-01"
# No real page shows a recommendation date. To exercise awaiting and overdue end to end, the test
# gives two real unanswered recommendations a date (the dbt unit tests cover the rule itself).
# Their replica pages are captured on or after 2024-01-01 (and after any date they show).
TEST_RECOMMENDATION_DATES = {
    # captured on or after 2024-05-01, due 2024-07-30: awaiting at capture
    "/mental-health-inpatient-settings/line-10": "2024-05-01",
    # due 2023-08-30, captured on or after 2024-01-01: overdue at capture by at least 124 days
    "/mental-health-inpatient-settings/line-11": "2023-06-01",
}
EXAMPLE_PAGE = "/mental-health-inpatient-settings/example-page"  # DHSC, received 2025-08-25
WORKFORCE_R2024_021 = "/workforce-and-patient-safety/line-7"  # one action "by September 2024"


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def dbt_build_selected(warehouse: Path, work_dir: Path, as_of: str, select: str):
    return run_dbt(
        ["build", "--select", select],
        warehouse,
        work_dir,
        dbt_vars=f"{{as_of: '{as_of}'}}",
        timeout=600,
    )


@pytest.fixture(scope="module")
def hssib_items(tmp_path_factory) -> tuple[Path, list[dict]]:
    from scrapers.crawl import run_crawl

    run_dir = tmp_path_factory.mktemp("hssib_runs") / "20260101T000000000000Z"
    result = run_crawl(spider=SPIDER, source="snapshot", run_dir=run_dir, timeout_s=120)
    assert result.loadable, result.failure_reason
    items = [json.loads(line) for line in (run_dir / RECOMMENDATIONS_FILE).open()]
    for item in items:
        for suffix, recommendation_date in TEST_RECOMMENDATION_DATES.items():
            if item["page_path"].endswith(suffix):
                assert item["recommendation_date"] is None and item["response_text"] is None
                item["recommendation_date"] = recommendation_date
    (run_dir / RECOMMENDATIONS_FILE).write_text("".join(json.dumps(i) + "\n" for i in items))
    return run_dir, items


@pytest.fixture(scope="module")
def hssib_warehouse(tmp_path_factory, hssib_items) -> Path:
    run_dir, _ = hssib_items
    work_dir = tmp_path_factory.mktemp("dbt_hssib")
    warehouse = work_dir / "pfd.duckdb"
    build_raw_warehouse(warehouse, SAMPLE_CSV)
    with duckdb.connect(str(warehouse)) as con:
        load_hssib_run(con, run_dir)
    result = run_dbt_build(warehouse, work_dir, as_of=FIRST_AS_OF)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return warehouse


@pytest.fixture(scope="module")
def later_warehouse(tmp_path_factory, hssib_warehouse) -> Path:
    """The same warehouse with the HSSIB marts rebuilt as of LATER_AS_OF."""
    work_dir = tmp_path_factory.mktemp("dbt_hssib_later")
    later = work_dir / "later.duckdb"
    shutil.copy(hssib_warehouse, later)
    result = dbt_build_selected(later, work_dir, LATER_AS_OF, "path:models/marts/hssib")
    assert result.returncode == 0, result.stdout[-4000:]
    return later


def status_of(warehouse: Path, path_suffix: str) -> list[tuple]:
    return query(
        warehouse,
        "select organisation_key, response_status, response_due_date::varchar "
        "from main.fct_safety_recommendations where page_path like '%' || ? "
        "order by recipient_position",
        [path_suffix],
    )


def test_status_as_of_a_fixed_date(hssib_warehouse):
    assert status_of(hssib_warehouse, "/mental-health-inpatient-settings/line-10") == [
        ("nb:nhs-england", "awaiting_at_capture", "2024-07-30")
    ]
    assert status_of(hssib_warehouse, "/mental-health-inpatient-settings/line-11") == [
        ("nb:department-of-health-and-social-care", "overdue_at_capture", "2023-08-30")
    ]
    assert query(
        hssib_warehouse,
        "select days_overdue_at_capture, captured_on::varchar, capture_date_basis "
        "from main.fct_safety_recommendations where page_path like '%/line-11'",
    ) == [(124, "2024-01-01", "on_or_after")]
    # received 3 May 2024: responded; the example page's response (25 Aug 2025) is in the future
    assert status_of(hssib_warehouse, WORKFORCE_R2024_021) == [
        ("nb:nhs-england", "responded", None)
    ]
    assert status_of(hssib_warehouse, EXAMPLE_PAGE) == [
        ("nb:department-of-health-and-social-care", "no_response_at_capture", None)
    ]


def test_every_recipient_of_every_item_has_one_row_and_a_status(hssib_warehouse, hssib_items):
    _, items = hssib_items
    expected = sum(len(item["recipients"]) for item in items)
    rows = query(
        hssib_warehouse,
        "select count(*), count(distinct recommendation_id), count(response_status) "
        "from main.fct_safety_recommendations",
    )
    assert rows == [(expected, len(items), expected)]
    statuses = dict(
        query(
            hssib_warehouse,
            "select response_status, count(distinct recommendation_id) "
            "from main.fct_safety_recommendations group by all",
        )
    )
    cut_off_unanswered = sum(1 for item in items if item["truncated"] and not item["response_text"])
    assert statuses["not_captured"] == cut_off_unanswered
    assert statuses["closed"] == sum(1 for item in items if item["closure_note"])


def expected_action_statuses(warehouse: Path, items: list[dict], as_of: date) -> dict[str, int]:
    """The status rule written again in Python from the crawled items: capture day = the page's
    stated lower bound raised to any date it shows, capped at as_of; the reported state is read
    from the warehouse (the rule table has its own unit tests)."""
    reported = dict(
        query(warehouse, "select action_id, reported_state from main.fct_recommendation_actions")
    )
    positions = dict(
        query(
            warehouse,
            "select recommendation_id || '|' || action_position, action_id "
            "from main.fct_recommendation_actions",
        )
    )
    counts: dict[str, int] = {}
    for item in items:
        received = item["response_received_date"]
        shown = [d for d in (item["captured_on"], item["recommendation_date"], received) if d]
        known = min(max(date.fromisoformat(d) for d in shown), as_of)
        key = item["log_url"] or item["page_path"]
        for action in item["planned_actions"] or []:
            state = reported[positions[f"{key}|{action['position']}"]]
            if received and date.fromisoformat(received) > as_of:
                status = "not_yet_planned"
            elif state != "no_update":
                status = state
            elif action["due_date"] is None:
                status = "no_due_date"
            elif date.fromisoformat(action["due_date"]) >= known:
                status = "due_after_capture"
            else:
                status = "overdue_at_capture"
            counts[status] = counts.get(status, 0) + 1
    return counts


def action_statuses(warehouse: Path) -> dict[str, int]:
    return dict(
        query(
            warehouse,
            "select action_status, count(*) from main.fct_recommendation_actions group by all",
        )
    )


def test_action_statuses_are_as_of_the_capture_on_two_dates(
    hssib_warehouse, later_warehouse, hssib_items
):
    _, items = hssib_items
    assert all(item["capture_date_basis"] == "on_or_after" for item in items)
    assert action_statuses(hssib_warehouse) == expected_action_statuses(
        hssib_warehouse, items, date.fromisoformat(FIRST_AS_OF)
    )
    assert action_statuses(later_warehouse) == expected_action_statuses(
        later_warehouse, items, date.fromisoformat(LATER_AS_OF)
    )
    # due 30 September 2024; the page (response received 3 May 2024) was captured on or after
    # 3 May 2024 and shows no update: awaiting one, on both dates, never "past due"
    workforce_action = (
        "select due_text, due_date::varchar, action_status, captured_on::varchar "
        "from main.fct_recommendation_actions where recommendation_id like '%' || ?"
    )
    for warehouse in (hssib_warehouse, later_warehouse):
        assert query(warehouse, workforce_action, [WORKFORCE_R2024_021]) == [
            ("by September 2024", "2024-09-30", "due_after_capture", "2024-05-03")
        ]


def test_the_example_page_as_the_response_reports_it(later_warehouse):
    """The acceptance case: DHSC's response received 25 August 2025, read as of 2026-02-01."""
    actions = query(
        later_warehouse,
        "select action_position, due_text, action_status, reported_state_evidence, "
        "days_past_due_at_capture, captured_on::varchar, capture_date_basis "
        "from main.fct_recommendation_actions where page_path like '%' || ? "
        "order by action_position",
        [EXAMPLE_PAGE],
    )
    assert [row[:3] for row in actions] == [
        (1, "by May 2025", "reported_done"),
        (2, "by June 2025", "in_progress"),
        (3, "by Autumn 2025", "due_after_capture"),
        (4, "by November - December 2025", "due_after_capture"),
    ]
    assert actions[0][3].startswith("This meeting has taken place")
    assert actions[1][3].startswith("Agreed that DHSC will convene a further workshop")
    assert [row[3] for row in actions[2:]] == [None, None]
    # in progress, its due date (30 June 2025) 56 days before the capture
    assert [row[4] for row in actions] == [None, 56, None, None]
    assert {row[5:] for row in actions} == {("2025-08-25", "on_or_after")}
    assert query(
        later_warehouse,
        "select response_status, response_received_date::varchar, captured_on::varchar "
        "from main.fct_safety_recommendations where page_path like '%' || ?",
        [EXAMPLE_PAGE],
    ) == [("responded", "2025-08-25", "2025-08-25")]


def test_national_body_mart_puts_reports_and_recommendations_side_by_side(hssib_warehouse):
    mart = {
        row[0]: row[1:]
        for row in query(
            hssib_warehouse,
            "select organisation_key, hssib_recommendations, hssib_open, "
            "hssib_overdue_at_capture, hssib_awaiting_at_capture, coroner_reports_received, "
            "coroner_reports_open "
            "from main.mart_national_body_open_items",
        )
    }
    from_fact = query(
        hssib_warehouse,
        "select organisation_key, count(*), count(*) filter (where is_open), "
        "count(*) filter (where response_status = 'overdue_at_capture'), "
        "count(*) filter (where response_status = 'awaiting_at_capture') "
        "from main.fct_safety_recommendations group by organisation_key",
    )
    for key, *counts in from_fact:
        assert mart[key][:4] == tuple(counts), key
    reports = query(
        hssib_warehouse,
        "select organisation_key, count(distinct report_url), count(distinct report_url) "
        "filter (where response_status in ('pending', 'overdue')) "
        "from main.fct_report_recipients group by organisation_key",
    )
    for key, received, open_reports in reports:
        if key in mart:
            assert mart[key][4:] == (received, open_reports), key
    assert mart["nb:department-of-health-and-social-care"][2] >= 1  # overdue (line 11)
    assert mart["nb:nhs-england"][3] >= 1  # awaiting (line 10)


def test_builds_with_the_hssib_raw_table_empty(tmp_path):
    warehouse = tmp_path / "empty_hssib.duckdb"
    build_raw_warehouse(warehouse, SAMPLE_CSV)
    with duckdb.connect(str(warehouse)) as con:
        ensure_hssib_schema(con)
    result = run_dbt_build(warehouse, tmp_path, as_of=FIRST_AS_OF)
    assert result.returncode == 0, result.stdout[-4000:]
    for table in ("fct_safety_recommendations", "fct_recommendation_actions", "dim_investigations"):
        assert query(warehouse, f"select count(*) from main.{table}") == [(0,)]  # noqa: S608
    assert query(
        warehouse,
        "select count(*) from main.mart_national_body_open_items where is_hssib_recipient",
    ) == [(0,)]


def test_builds_without_the_hssib_raw_table(sample_warehouse):
    assert query(
        sample_warehouse,
        "select count(*) from information_schema.tables "
        "where table_name = 'hssib_recommendations__recommendations'",
    ) == [(0,)]
    assert query(sample_warehouse, "select count(*) from main.fct_safety_recommendations") == [(0,)]
