"""HSSIB raw crawl suite (blocking): a good frame passes; each kind of broken crawl fails with the
expectation named, as an error, and the offending recommendation keys in the result."""

from __future__ import annotations

import json
from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from expectations.config import AuditConfig
from expectations.registry import suite
from expectations.runner import run_suite
from expectations.suites.hssib_recommendations import (
    FRAME_COLUMNS,
    load_frame,
    prepare_frame,
    recipient_count,
)

CRAWLED_AT = datetime(2026, 2, 1, 9, 30)
LOG = "https://www.hssib.org.uk/safety-recommendations-log/"


def failed(outcome) -> dict[tuple[str, str | None], list[str]]:
    return {(e.expectation, e.column): e.failing_entities for e in outcome.failed_expectations}


def raw_rows(count: int = 20) -> pd.DataFrame:
    """Rows shaped as ``raw.hssib_recommendations__recommendations`` returns them."""
    rows = []
    for i in range(count):
        path = f"/safety-recommendations-log/mental-health-inpatient-settings-{i}"
        rows.append(
            {
                "recommendation_key": LOG + f"mental-health-inpatient-settings-{i}",
                "log_url": LOG + f"mental-health-inpatient-settings-{i}" if i % 2 else None,
                "page_path": path,
                "investigation_title": "Mental health inpatient settings",
                "recommendation_text": "HSSIB recommends that the Department of Health and Social"
                " Care works with NHS England to develop a unified data set.",
                "recipients": json.dumps(["Department of Health and Social Care"]),
                "response_received_date": date(2025, 8, 25) if i % 3 == 0 else None,
                "crawled_at": CRAWLED_AT,
                "truncated_in": ["response", "actions", "recommendation", None][i % 4],
            }
        )
    return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def validate(rows: pd.DataFrame, facts: dict | None = None, config: AuditConfig | None = None):
    return run_suite(suite("hssib_raw_crawl"), prepare_frame(rows), config, facts)


def test_good_frame_passes():
    outcome = validate(raw_rows(), facts={"previous_recommendations": 20})
    assert outcome.success, failed(outcome)
    assert outcome.severity is None


def test_suite_is_registered_as_blocking_on_the_raw_hssib_table():
    spec = suite("hssib_raw_crawl")
    assert spec.blocking
    assert spec.table == "raw.hssib_recommendations__recommendations"
    assert spec.asset_key == ("raw", "hssib_recommendations__recommendations")


def test_an_empty_crawl_fails():
    outcome = validate(raw_rows(0))
    assert outcome.severity == "error"
    assert ("expect_table_row_count_to_be_between", None) in failed(outcome)


def test_a_drop_of_more_than_15_percent_against_the_previous_crawl_fails():
    assert validate(raw_rows(17), facts={"previous_recommendations": 20}).success  # 15% down
    outcome = validate(raw_rows(16), facts={"previous_recommendations": 20})  # 20% down
    assert failed(outcome) == {
        ("expect_table_row_count_to_be_between", None): ["latest HSSIB crawl"]
    }
    assert outcome.severity == "error"
    lenient = AuditConfig(hssib_max_row_drop_share=0.25)
    assert validate(raw_rows(16), {"previous_recommendations": 20}, lenient).success


def test_a_duplicate_recommendation_key_fails_naming_it():
    rows = raw_rows()
    rows.loc[5, "recommendation_key"] = rows.loc[4, "recommendation_key"]
    outcome = validate(rows)
    assert failed(outcome) == {
        ("expect_column_values_to_be_unique", "recommendation_key"): [
            LOG + "mental-health-inpatient-settings-4"
        ]
    }


@pytest.mark.parametrize("column", ["page_path", "recommendation_text", "investigation_title"])
def test_a_missing_required_field_fails_naming_the_recommendation(column):
    rows = raw_rows()
    rows.loc[7, column] = " \u00a0 "  # blank as scraped counts as missing
    outcome = validate(rows)
    assert failed(outcome) == {
        ("expect_column_values_to_not_be_null", column): [
            LOG + "mental-health-inpatient-settings-7"
        ]
    }
    assert outcome.severity == "error"


def test_recipients_must_be_parsed_on_at_least_95_percent_of_pages():
    rows = raw_rows(40)
    rows.loc[0, "recipients"] = "[]"
    rows.loc[1, "recipients"] = json.dumps(["  "])
    assert validate(rows).success  # 2 of 40 unparsed: 95%
    rows.loc[2, "recipients"] = json.dumps({"name": "NHS England"})  # not a list
    outcome = validate(rows)
    assert failed(outcome) == {
        ("expect_column_values_to_be_between", "recipient_count"): ["recipients"]
    }
    assert outcome.failed_expectations[0].observed["unexpected_count"] == 3


def test_recipient_count_reads_the_json_list():
    assert recipient_count('["NHS England", "Care Quality Commission"]') == 2
    assert recipient_count(["NHS England"]) == 1
    assert recipient_count("[]") == 0
    assert recipient_count('"NHS England"') == 0
    assert recipient_count("not json") == 0


def test_a_log_url_off_hssib_fails_and_null_log_urls_pass():
    rows = raw_rows()
    assert rows["log_url"].isna().sum() == 10
    rows.loc[3, "log_url"] = "https://hssib.example.org/safety-recommendations-log/x"
    outcome = validate(rows)
    assert failed(outcome) == {
        ("expect_column_values_to_match_regex", "log_url"): [
            LOG + "mental-health-inpatient-settings-3"
        ]
    }


def test_a_response_received_after_the_crawl_fails():
    rows = raw_rows()
    rows.loc[6, "response_received_date"] = date(2026, 2, 1)  # the crawl day itself is fine
    assert validate(rows).success
    rows.loc[9, "response_received_date"] = date(2026, 2, 2)
    outcome = validate(rows)
    assert failed(outcome) == {
        ("expect_column_pair_values_a_to_be_greater_than_b", None): [
            LOG + "mental-health-inpatient-settings-9"
        ]
    }
    assert outcome.severity == "error"


def test_an_unknown_truncated_in_field_fails():
    rows = raw_rows()
    rows.loc[2, "truncated_in"] = "response_text"
    outcome = validate(rows)
    assert failed(outcome) == {
        ("expect_column_values_to_be_in_set", "truncated_in"): [
            LOG + "mental-health-inpatient-settings-2"
        ]
    }


def warehouse_with_runs(runs: list[tuple[str, str, int, datetime]]) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with the HSSIB raw table and these crawl runs (no pages)."""
    from orchestration.sources.hssib_recommendations.load import ensure_hssib_schema

    con = duckdb.connect()
    ensure_hssib_schema(con)
    for run_id, source, recommendations, started_at in runs:
        con.execute(
            "INSERT INTO raw.crawl_runs (run_id, spider, mode, source, base_url, logical_date,"
            " started_at, finished_at, reports_parsed, loaded_at)"
            " VALUES (?, 'hssib_recommendations', 'full', ?, 'http://127.0.0.1', ?, ?, ?, ?, ?)",
            [run_id, source, started_at.date(), started_at, started_at, recommendations,
             started_at],
        )  # fmt: skip
    return con


def test_the_previous_run_is_the_last_one_of_the_same_source():
    con = warehouse_with_runs(
        [
            ("snap-1", "snapshot", 43, datetime(2026, 1, 1)),
            ("live-1", "live", 60, datetime(2026, 1, 2)),
            ("snap-2", "snapshot", 40, datetime(2026, 1, 3)),
        ]
    )
    frame, facts = load_frame(con, AuditConfig())
    assert facts["latest_run_id"] == "snap-2"
    assert (facts["previous_run_id"], facts["previous_recommendations"]) == ("snap-1", 43)
    assert frame.empty  # no page was last seen by snap-2
    assert "recipient_count" in frame.columns


def test_no_hssib_run_gives_an_empty_frame_that_fails():
    frame, facts = load_frame(warehouse_with_runs([]), AuditConfig())
    assert facts == {"latest_run_id": None}
    outcome = run_suite(suite("hssib_raw_crawl"), frame, facts=facts)
    assert ("expect_table_row_count_to_be_between", None) in failed(outcome)
