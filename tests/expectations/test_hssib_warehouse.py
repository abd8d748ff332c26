"""Both HSSIB suites on a real warehouse: the snapshot's HSSIB section crawled and loaded by
``collect_hssib`` beside ten real coroners' reports, then ``dbt build`` as of a fixed date. The
suites' results are checked against plain SQL on the same tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from expectations.config import AuditConfig
from expectations.runner import run_registered

pytestmark = pytest.mark.slow

AS_OF = "2026-02-01"
SUITE_NAMES = ["hssib_raw_crawl", "hssib_overdue"]


@pytest.fixture(scope="module")
def hssib_warehouse(hssib_sample) -> tuple[Path, list]:
    assert hssib_sample.as_of == AS_OF
    return hssib_sample.warehouse, hssib_sample.loads


def audit(warehouse: Path, names=SUITE_NAMES) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        outcomes, _docs = run_registered(con, AuditConfig(), names=names)
    return {o.suite: o for o in outcomes}


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_raw_suite_passes_on_the_real_crawl_and_compares_with_the_previous_run(hssib_warehouse):
    warehouse, (first, second) = hssib_warehouse
    outcome = audit(warehouse)["hssib_raw_crawl"]
    assert outcome.success, [
        (e.expectation, e.failing_entities) for e in outcome.failed_expectations
    ]
    assert outcome.row_count == second.recommendations_in_run > 0
    assert outcome.facts["latest_run_id"] == second.run_id
    assert outcome.facts["previous_run_id"] == first.run_id
    assert outcome.facts["previous_recommendations"] == first.recommendations_in_run
    row_count = next(
        e for e in outcome.expectations if e.expectation == "expect_table_row_count_to_be_between"
    )
    assert row_count.observed["observed_value"] == second.recommendations_in_run


def test_raw_suite_blocks_a_real_crawl_with_a_response_dated_after_it(hssib_warehouse, tmp_path):
    warehouse, _ = hssib_warehouse
    broken = tmp_path / "broken.duckdb"
    shutil.copy(warehouse, broken)
    with duckdb.connect(str(broken)) as con:
        [(key,)] = con.execute(
            "SELECT min(recommendation_key) FROM raw.hssib_recommendations__recommendations"
            " WHERE response_received_date IS NOT NULL"
        ).fetchall()
        con.execute(
            "UPDATE raw.hssib_recommendations__recommendations"
            " SET response_received_date = crawled_at::DATE + 1 WHERE recommendation_key = ?",
            [key],
        )
    outcome = audit(broken, ["hssib_raw_crawl"])["hssib_raw_crawl"]
    assert outcome.severity == "error"
    assert [(e.expectation, e.failing_entities) for e in outcome.failed_expectations] == [
        ("expect_column_pair_values_a_to_be_greater_than_b", [key])
    ]


def test_overdue_suite_names_the_organisations_with_actions_overdue_at_capture(hssib_warehouse):
    warehouse, _ = hssib_warehouse
    outcome = audit(warehouse)["hssib_overdue"]
    overdue_actions = query(
        warehouse,
        "SELECT DISTINCT r.organisation_name, a.recommendation_id, a.action_id"
        " FROM main.fct_recommendation_actions a"
        " JOIN main.fct_safety_recommendations r USING (recommendation_id)"
        " WHERE a.action_status = 'overdue_at_capture'",
    )
    overdue = query(
        warehouse,
        "SELECT DISTINCT organisation_name, recommendation_id"
        " FROM main.fct_safety_recommendations WHERE response_status = 'overdue_at_capture'",
    )
    stale = query(
        warehouse,
        "SELECT DISTINCT organisation_name, recommendation_id"
        " FROM main.fct_safety_recommendations WHERE is_capture_stale",
    )
    # The real pages show no recommendation date, so no recommendation can be overdue; actions
    # due before their page's capture with no update can (RCPCH's, due 2022-2023, captured on or
    # after 2024-01-01); the replica's stored copies are older than the 180-day threshold.
    assert overdue == []
    assert overdue_actions, f"no action is overdue at capture as of {AS_OF}"
    assert stale, f"no page is stale as of {AS_OF}"
    assert outcome.severity == "warning"
    failures = {e.column: e for e in outcome.failed_expectations}
    assert set(failures) == {"action_status", "is_capture_stale"}
    assert failures["action_status"].failing_entities == sorted(
        {name for name, _, _ in overdue_actions}
    )
    assert failures["is_capture_stale"].failing_entities == sorted({name for name, _ in stale})
    assert outcome.facts["overdue_action_ids"] == sorted({a for _, _, a in overdue_actions})
    assert outcome.facts["recommendations_with_overdue_actions"] == sorted(
        {rec for _, rec, _ in overdue_actions}
    )
    assert outcome.facts["stale_recommendation_ids"] == sorted({rec for _, rec in stale})
    assert outcome.facts["as_of_date"] == AS_OF


def test_overdue_suite_never_fails_an_action_the_response_gives_an_account_of(hssib_warehouse):
    warehouse, _ = hssib_warehouse
    outcome = audit(warehouse)["hssib_overdue"]
    accounted = query(
        warehouse,
        "SELECT action_id FROM main.fct_recommendation_actions"
        " WHERE action_status IN ('reported_done', 'in_progress', 'due_after_capture')",
    )
    assert len(accounted) >= 3  # the example page: done, in progress, two awaiting an update
    [failure] = [e for e in outcome.failed_expectations if e.column == "action_status"]
    failed_ids = {row["action_id"] for row in failure.unexpected_rows}
    assert failed_ids.isdisjoint({action_id for (action_id,) in accounted})


def test_overdue_suite_reports_undated_and_not_captured_as_facts(hssib_warehouse):
    warehouse, _ = hssib_warehouse
    outcome = audit(warehouse)["hssib_overdue"]
    counts = dict(
        query(
            warehouse,
            "SELECT response_status, count(DISTINCT recommendation_id)"
            " FROM main.fct_safety_recommendations GROUP BY ALL",
        )
    )
    assert counts.get("no_response_at_capture", 0) > 0 and counts.get("not_captured", 0) > 0
    assert (
        outcome.facts["recommendations_no_response_at_capture"] == counts["no_response_at_capture"]
    )
    assert outcome.facts["recommendations_not_captured"] == counts["not_captured"]
    assert outcome.facts["recommendations_by_status"] == dict(sorted(counts.items()))
    # counted, never failed on their status: only actions and stale pages fail
    assert {e.column for e in outcome.failed_expectations} <= {"action_status", "is_capture_stale"}
