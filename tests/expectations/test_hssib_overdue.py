"""HSSIB overdue suite (warnings), every status as of the page's capture: nothing overdue or
stale passes; a recommendation unanswered 90 days at capture, an action already due at capture
with no update, and a stale page each fail their own expectation, naming the organisations, with
the ids in the offending rows and the facts; actions reported done, delayed or in progress, due
after the capture, and recommendations with no date or cut off are counted, never failed."""

from __future__ import annotations

import pandas as pd

from expectations.registry import suite
from expectations.runner import run_suite
from expectations.suites.hssib_overdue import overdue_facts, prepare_frame

DHSC = ("nb:department-of-health-and-social-care", "Department of Health and Social Care")
NHSE = ("nb:nhs-england", "NHS England")
CQC = ("nb:care-quality-commission", "Care Quality Commission")
COLUMNS = [
    "item_kind", "recommendation_id", "reference", "investigation_title", "organisation_key",
    "organisation_name", "response_status", "action_id", "action_position", "due_text",
    "action_status", "evidence", "due_date", "days_late", "is_capture_stale", "capture_age_days",
    "captured_on", "capture_date_basis", "as_of_date",
]  # fmt: skip
CAPTURE = {"captured_on": "2025-06-01", "capture_date_basis": "crawl", "as_of_date": "2025-06-30"}


def recommendation(rec_id: str, organisation: tuple[str, str], status: str, **extra) -> dict:
    return {
        **CAPTURE,
        "item_kind": "recommendation",
        "recommendation_id": rec_id,
        "reference": extra.get("reference"),
        "investigation_title": "Mental health inpatient settings",
        "organisation_key": organisation[0],
        "organisation_name": organisation[1],
        "response_status": status,
        "due_date": extra.get("due_date"),
        "days_late": extra.get("days_late"),
        "is_capture_stale": extra.get("stale", False),
        "capture_age_days": extra.get("age", 29),
        **({"captured_on": extra["captured_on"]} if "captured_on" in extra else {}),
    }


def action(action_id: str, rec_id: str, organisation, status: str, **extra) -> dict:
    return {
        **CAPTURE,
        "item_kind": "action",
        "recommendation_id": rec_id,
        "investigation_title": "Mental health inpatient settings",
        "organisation_key": organisation[0],
        "organisation_name": organisation[1],
        "action_id": action_id,
        "action_position": extra.get("position", 1),
        "due_text": extra.get("due_text"),
        "action_status": status,
        "evidence": extra.get("evidence"),
        "due_date": extra.get("due_date"),
        "days_late": extra.get("days_late"),
    }


def frame(rows: list[dict]) -> pd.DataFrame:
    return prepare_frame(pd.DataFrame(rows, columns=COLUMNS))


NOTHING_OVERDUE = [
    recommendation("r-answered", DHSC, "responded", reference="R/2024/020"),
    recommendation("r-recent", NHSE, "awaiting_at_capture", due_date="2025-07-01"),
    recommendation("r-undated", NHSE, "no_response_at_capture"),
    recommendation("r-cut-off", CQC, "not_captured"),
    recommendation("r-closed", CQC, "closed"),
    # a joint recommendation: one row per recipient, one response
    recommendation("r-joint", DHSC, "responded"),
    recommendation("r-joint", NHSE, "responded"),
    action("a1", "r-answered", DHSC, "due_after_capture", due_text="by Autumn 2025",
           due_date="2025-11-30"),
    action("a2", "r-answered", DHSC, "no_due_date", position=2),
    # already due when captured, but the response gives an account: counted, not failed
    action("a4", "r-answered", DHSC, "reported_done", position=4, due_date="2025-05-31",
           evidence="This meeting has taken place."),
    action("a5", "r-answered", DHSC, "in_progress", position=5, due_date="2025-04-30",
           days_late=32, evidence="Agreed that DHSC will convene a further workshop."),
    action("a6", "r-answered", DHSC, "reported_delayed", position=6, due_date="2025-04-30",
           days_late=32, evidence="The workshop has been postponed to spring 2026."),
    action("a3", "r-joint", DHSC, "not_yet_planned", due_date="2025-01-31"),
    action("a3", "r-joint", NHSE, "not_yet_planned", due_date="2025-01-31"),
]  # fmt: skip


def failed(outcome) -> dict[tuple[str, str | None], list[str]]:
    return {(e.expectation, e.column): e.failing_entities for e in outcome.failed_expectations}


def test_nothing_overdue_passes_and_accounts_undated_and_cut_off_are_not_failures():
    outcome = run_suite(suite("hssib_overdue"), frame(NOTHING_OVERDUE))
    assert outcome.success, failed(outcome)
    assert outcome.severity is None


def test_suite_is_a_warning_on_the_recommendations_mart():
    spec = suite("hssib_overdue")
    assert not spec.blocking
    assert spec.asset_key == ("fct_safety_recommendations",)


def test_a_recommendation_overdue_at_capture_fails_naming_its_organisations_and_id():
    rows = [
        *NOTHING_OVERDUE,
        recommendation("r-late", DHSC, "overdue_at_capture", reference="2023/227",
                       due_date="2025-05-30", days_late=2),
        recommendation("r-late", CQC, "overdue_at_capture", reference="2023/227",
                       due_date="2025-05-30", days_late=2),
    ]  # fmt: skip
    outcome = run_suite(suite("hssib_overdue"), frame(rows))
    assert outcome.severity == "warning"  # a finding about the world, not broken data
    assert failed(outcome) == {
        ("expect_column_values_to_not_be_in_set", "response_status"): [
            "Care Quality Commission",
            "Department of Health and Social Care",
        ]
    }
    offending = outcome.failed_expectations[0].unexpected_rows
    assert {
        (r["recommendation_id"], r["reference"], r["days_late"], r["captured_on"])
        for r in offending
    } == {("r-late", "2023/227", 2, "2025-06-01")}


def test_an_action_overdue_at_capture_fails_naming_the_organisation_and_the_action():
    rows = [
        *NOTHING_OVERDUE,
        action("a9", "r-answered", DHSC, "overdue_at_capture", position=3,
               due_text="by September 2024", due_date="2024-09-30", days_late=244),
    ]  # fmt: skip
    outcome = run_suite(suite("hssib_overdue"), frame(rows))
    assert outcome.severity == "warning"
    assert failed(outcome) == {
        ("expect_column_values_to_not_be_in_set", "action_status"): [
            "Department of Health and Social Care"
        ]
    }
    [row] = outcome.failed_expectations[0].unexpected_rows
    assert (
        row["recommendation_id"],
        row["action_id"],
        row["due_date"],
        row["days_late"],
        row["captured_on"],
    ) == ("r-answered", "a9", "2024-09-30", 244, "2025-06-01")


def test_a_stale_page_fails_naming_its_organisation_and_capture_day():
    rows = [
        *NOTHING_OVERDUE,
        recommendation("r-old", NHSE, "responded", stale=True, age=546,
                       captured_on="2024-01-01"),
    ]  # fmt: skip
    outcome = run_suite(suite("hssib_overdue"), frame(rows))
    assert outcome.severity == "warning"
    assert failed(outcome) == {
        ("expect_column_values_to_not_be_in_set", "is_capture_stale"): ["NHS England"]
    }
    [row] = outcome.failed_expectations[0].unexpected_rows
    assert (row["recommendation_id"], row["captured_on"]) == ("r-old", "2024-01-01")


def test_facts_count_statuses_per_recommendation_and_list_every_late_and_stale_id():
    rows = [
        *NOTHING_OVERDUE,
        recommendation("r-late", DHSC, "overdue_at_capture", days_late=31),
        recommendation("r-late", CQC, "overdue_at_capture", days_late=31),
        recommendation("r-undated-2", DHSC, "no_response_at_capture", stale=True,
                       captured_on="2024-01-01"),
        action("a9", "r-joint", DHSC, "overdue_at_capture", due_date="2024-09-30",
               days_late=273),
        action("a9", "r-joint", NHSE, "overdue_at_capture", due_date="2024-09-30",
               days_late=273),
    ]  # fmt: skip
    facts = overdue_facts(frame(rows))
    assert facts["as_of_date"] == "2025-06-30"
    assert (facts["captured_from"], facts["captured_to"]) == ("2024-01-01", "2025-06-01")
    assert facts["capture_date_bases"] == ["crawl"]
    assert facts["recommendations"] == 8  # distinct ids, a joint one counted once
    assert facts["recommendations_no_response_at_capture"] == 2
    assert facts["recommendations_not_captured"] == 1
    assert facts["recommendations_overdue_at_capture"] == 1
    assert facts["overdue_recommendation_ids"] == ["r-late"]
    assert facts["stale_recommendation_ids"] == ["r-undated-2"]
    assert facts["recommendations_by_status"] == {
        "awaiting_at_capture": 1, "closed": 1, "no_response_at_capture": 2, "not_captured": 1,
        "overdue_at_capture": 1, "responded": 2,
    }  # fmt: skip
    assert facts["actions"] == 7
    assert facts["actions_overdue_at_capture"] == 1
    assert facts["overdue_action_ids"] == ["a9"]
    assert facts["actions_by_status"] == {
        "due_after_capture": 1, "in_progress": 1, "no_due_date": 1, "not_yet_planned": 1,
        "overdue_at_capture": 1, "reported_delayed": 1, "reported_done": 1,
    }  # fmt: skip
    assert facts["recommendations_with_overdue_actions"] == ["r-joint"]


def test_an_empty_mart_passes_with_zero_counts():
    empty = frame([])
    outcome = run_suite(suite("hssib_overdue"), empty, facts=overdue_facts(empty))
    assert outcome.success
    assert outcome.facts["recommendations"] == 0
    assert outcome.facts["recommendations_no_response_at_capture"] == 0
    assert outcome.facts["as_of_date"] is None
    assert outcome.facts["captured_from"] is None
