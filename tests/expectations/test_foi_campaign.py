"""The FOI campaign suite on small hand-made marts with the contract's columns (FOI15 contract):
each kind of gap fails for its organisation only, naming the refs or request references; the
facts are the campaign totals; with no campaign loaded it passes and says so; the audit summary
has its section."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from expectations import report as audit_report
from expectations.config import AuditConfig
from expectations.registry import suite
from expectations.runner import run_suite
from expectations.suites import foi

NORTH, SOUTH, EAST = "North Mental Health NHS Trust", "South & <West> NHS Trust", "East NHS Trust"
MARTS_DDL = """
CREATE TABLE main.audit_foi_report_reconciliation (
    organisation_key VARCHAR, organisation_name VARCHAR, period_start DATE, period_end DATE,
    finding VARCHAR, report_url VARCHAR, ref VARCHAR, report_date DATE, coroner_area VARCHAR,
    answer VARCHAR, match_method VARCHAR, match_confidence VARCHAR, file_name VARCHAR,
    row_number INTEGER);
CREATE TABLE main.fct_foi_requests (
    organisation_key VARCHAR, organisation_name VARCHAR, request_reference VARCHAR,
    date_sent DATE, period_start DATE, period_end DATE, status VARCHAR, refusal_section VARCHAR,
    cites_website BOOLEAN, answer_date DATE, statutory_due_date DATE, is_answered BOOLEAN,
    is_late BOOLEAN, working_days_late INTEGER, file_name VARCHAR, row_number INTEGER);
CREATE TABLE main.audit_foi_campaign (
    organisation_key VARCHAR, organisation_name VARCHAR, asked BOOLEAN, answered BOOLEAN,
    refused BOOLEAN, refused_citing_website BOOLEAN, late BOOLEAN,
    answer_matches_exactly BOOLEAN, reports_missing_from_site INTEGER,
    reports_not_located INTEGER, copy_only INTEGER);
"""
URL = "https://www.judiciary.uk/prevention-of-future-death-reports/{}/"
# (organisation key, name, finding, ref, report date, has a published page)
REPORT_ROWS = [
    ("ods:RN1", NORTH, "matched", "2023-0101", "2023-02-01", True),
    ("ods:RN1", NORTH, "published_not_located", "2023-0102", "2023-03-01", True),
    ("ods:RN1", NORTH, "received_not_published", "2023-0999", "2023-04-01", False),
    ("ods:RS1", SOUTH, "matched", "2023-0201", "2023-05-01", True),
    ("ods:RS1", SOUTH, "copy_only", "2023-0202", "2023-06-01", True),
]
# (key, name, reference, sent, status, section, cites website, answered on, due, late, days)
REQUEST_ROWS = [
    ("ods:RN1", NORTH, "FOI-N-1", "2024-01-08", "answered", None, False, "2024-02-01",
     "2024-02-05", False, None),
    ("ods:RS1", SOUTH, "FOI-S-1", "2024-01-08", "answered", None, False, "2024-02-02",
     "2024-02-05", False, None),
    ("ods:RE1", EAST, "FOI-E-1", "2024-01-08", "refused", "s21", True, "2024-01-20",
     "2024-02-05", False, None),
    ("ods:RW1", "West NHS Trust", "FOI-W-1", "2024-01-08", "sent", None, None, None,
     "2024-02-05", True, 12),
]  # fmt: skip
CAMPAIGN_ROWS = [
    ("ods:RE1", EAST, True, False, True, True, False, False, None, None, None),
    ("ods:RN1", NORTH, True, True, False, False, False, False, 1, 1, 0),
    ("ods:RS1", SOUTH, True, True, False, False, False, True, 0, 0, 1),
    ("ods:RW1", "West NHS Trust", True, False, False, False, True, False, None, None, None),
]


def campaign_marts(con, *, loaded: bool = True) -> None:
    con.execute(MARTS_DDL)
    if not loaded:
        return
    for key, name, finding, ref, day, published in REPORT_ROWS:
        con.execute(
            "INSERT INTO main.audit_foi_report_reconciliation VALUES "
            "(?, ?, '2023-01-01', '2023-12-31', ?, ?, ?, ?, 'Essex', ?, ?, 'high', 'a.csv', 2)",
            [key, name, finding, URL.format(ref) if published else None, ref, day,
             "not located" if finding == "published_not_located" else "received",
             "ref" if finding == "matched" else None],
        )  # fmt: skip
    for (
        key,
        name,
        reference,
        sent,
        status,
        section,
        website,
        answered,
        due,
        late,
        days,
    ) in REQUEST_ROWS:
        con.execute(
            "INSERT INTO main.fct_foi_requests VALUES "
            "(?, ?, ?, ?, '2023-01-01', '2023-12-31', ?, ?, ?, ?, ?, ?, ?, ?, 'log.csv', 2)",
            [key, name, reference, sent, status, section, website, answered, due,
             answered is not None, late, days],
        )  # fmt: skip
    con.executemany(
        "INSERT INTO main.audit_foi_campaign VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        CAMPAIGN_ROWS,
    )


@pytest.fixture(scope="module")
def campaign_outcome():
    with duckdb.connect() as con:
        campaign_marts(con)
        frame, facts = suite("foi_campaign").load_frame(con, AuditConfig())
    return frame, facts, run_suite(suite("foi_campaign"), frame, facts=facts)


def failures(outcome) -> dict[tuple[str, str], tuple[list[str], list[dict]]]:
    return {
        (e.column, e.thresholds["value_set"][0]): (e.failing_entities, e.unexpected_rows)
        for e in outcome.failed_expectations
    }


def test_each_gap_fails_for_its_organisation_naming_the_refs(campaign_outcome):
    _frame, _facts, outcome = campaign_outcome
    assert outcome.severity == "warning"  # findings about the world, not broken data
    found = failures(outcome)
    assert set(found) == {
        ("finding", "published_not_located"),
        ("finding", "received_not_published"),
        ("is_late", True),
        ("status", "refused"),
        ("cites_website", True),
    }
    entities, rows = found[("finding", "published_not_located")]
    assert entities == [NORTH]
    assert [(r["ref"], r["report_url"]) for r in rows] == [("2023-0102", URL.format("2023-0102"))]
    entities, rows = found[("finding", "received_not_published")]
    assert (entities, rows[0]["ref"], rows[0]["report_url"]) == ([NORTH], "2023-0999", None)
    entities, rows = found[("is_late", True)]
    assert entities == ["West NHS Trust"]
    assert (rows[0]["request_reference"], rows[0]["working_days_late"]) == ("FOI-W-1", 12)
    assert rows[0]["statutory_due_date"] == "2024-02-05"
    assert found[("status", "refused")][0] == found[("cites_website", True)][0] == [EAST]
    assert found[("cites_website", True)][1][0]["refusal_section"] == "s21"
    # a copy and a match are counted, never failed; the names reach the result as values
    assert SOUTH not in outcome.failing_entities
    assert outcome.failing_entities == sorted([EAST, NORTH, "West NHS Trust"])


def test_facts_are_the_campaign_totals(campaign_outcome):
    _frame, facts, outcome = campaign_outcome
    totals = {k: v for k, v in outcome.facts.items() if k != "organisation_rows"}
    assert totals == {
        "campaign_loaded": True,
        "campaign": "4 organisations",
        "bodies_asked": 4,
        "bodies_answered": 2,
        "bodies_refused": 1,
        "bodies_refused_citing_website": 1,
        "bodies_late": 1,
        "bodies_answer_matches_exactly": 1,
        "reports_missing_from_site": 1,
        "reports_not_located": 1,
        "copy_only": 1,
        "bodies_with_a_list": 2,
    }
    east = next(r for r in outcome.facts["organisation_rows"] if r["organisation_key"] == "ods:RE1")
    # a refusal is an outcome: its counts stay empty, never zero
    assert east["refused"] is True and east["reports_not_located"] is None


def test_no_campaign_loaded_passes_and_says_so():
    with duckdb.connect() as con:
        campaign_marts(con, loaded=False)
        frame, facts = suite("foi_campaign").load_frame(con, AuditConfig())
    outcome = run_suite(suite("foi_campaign"), frame, facts=facts)
    assert outcome.success and outcome.severity is None
    assert outcome.facts == {"campaign_loaded": False, "campaign": foi.NOT_LOADED}
    assert outcome.row_count == 0


def test_a_warehouse_without_the_request_log_still_judges_the_answers():
    with duckdb.connect() as con:
        campaign_marts(con)
        con.execute("DROP TABLE main.fct_foi_requests")
        frame, facts = suite("foi_campaign").load_frame(con, AuditConfig())
    outcome = run_suite(suite("foi_campaign"), frame, facts=facts)
    assert {column for column, _ in failures(outcome)} == {"finding"}


def test_the_audit_summary_has_the_campaign_section(campaign_outcome):
    _frame, _facts, outcome = campaign_outcome
    summary = {
        "audited_at": "2026-11-30T09:00:00+00:00",
        "warehouse": "/tmp/pfd.duckdb",
        "as_of_date": "2026-11-29",
        "suites": [outcome.to_dict()],
        "skipped_suites": [],
        "reconciliation": [],
        "return_outcomes_by_organisation_type": [],
        "data_docs": None,
    }
    markdown = audit_report.summary_markdown(summary)
    assert "## FOI campaign" in markdown
    assert (
        "4 bodies asked, 2 answered, 1 refused (1 citing the website, s21), 1 late,"
        " 1 answer matching the published record exactly; 1 report missing from judiciary.uk,"
        " 1 published report not located, 1 report received as a copy only." in markdown
    )
    assert "| North Mental Health NHS Trust | answered | 1 | 1 | 0 |" in markdown
    assert "| East NHS Trust | refused (citing the website) | – | – | – |" in markdown
    empty = foi.prepare_frame(pd.DataFrame())
    summary["suites"] = [
        run_suite(suite("foi_campaign"), empty, facts=foi.campaign_facts(empty)).to_dict()
    ]
    assert "No FOI campaign loaded." in audit_report.summary_markdown(summary)


def test_a_request_to_an_unresolved_organisation_is_named_as_such():
    frame = foi.prepare_frame(
        pd.DataFrame(
            {"item_kind": ["request"], "organisation_key": [None], "organisation_name": [None],
             "request_reference": ["X-1"], "status": ["refused"]}
        )
    )  # fmt: skip
    outcome = run_suite(suite("foi_campaign"), frame)
    assert outcome.failing_entities == [foi.UNRESOLVED]
