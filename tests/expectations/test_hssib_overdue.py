"""HSSIB overdue suite (warnings): nothing overdue passes; an overdue recommendation and a past-due
action each fail their expectation, naming the organisations, with the recommendation ids in the
offending rows and the facts; no_date and not_captured are counted, never failed."""

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
    "due_status", "due_date", "days_late", "as_of_date",
]  # fmt: skip


def recommendation(rec_id: str, organisation: tuple[str, str], status: str, **extra) -> dict:
    return {
        "item_kind": "recommendation",
        "recommendation_id": rec_id,
        "reference": extra.get("reference"),
        "investigation_title": "Mental health inpatient settings",
        "organisation_key": organisation[0],
        "organisation_name": organisation[1],
        "response_status": status,
        "due_date": extra.get("due_date"),
        "days_late": extra.get("days_late"),
        "as_of_date": "2025-06-30",
    }


def action(action_id: str, rec_id: str, organisation, status: str, **extra) -> dict:
    return {
        "item_kind": "action",
        "recommendation_id": rec_id,
        "investigation_title": "Mental health inpatient settings",
        "organisation_key": organisation[0],
        "organisation_name": organisation[1],
        "action_id": action_id,
        "action_position": extra.get("position", 1),
        "due_text": extra.get("due_text"),
        "due_status": status,
        "due_date": extra.get("due_date"),
        "days_late": extra.get("days_late"),
        "as_of_date": "2025-06-30",
    }


def frame(rows: list[dict]) -> pd.DataFrame:
    return prepare_frame(pd.DataFrame(rows, columns=COLUMNS))


NOTHING_OVERDUE = [
    recommendation("r-answered", DHSC, "responded", reference="R/2024/020"),
    recommendation("r-recent", NHSE, "awaiting", due_date="2025-07-01"),
    recommendation("r-undated", NHSE, "no_date"),
    recommendation("r-cut-off", CQC, "not_captured"),
    recommendation("r-closed", CQC, "closed"),
    # a joint recommendation: one row per recipient, one response
    recommendation("r-joint", DHSC, "responded"),
    recommendation("r-joint", NHSE, "responded"),
    action("a1", "r-answered", DHSC, "not_yet_due", due_text="by Autumn 2025",
           due_date="2025-11-30"),
    action("a2", "r-answered", DHSC, "no_due_date", position=2),
    action("a3", "r-joint", DHSC, "not_yet_planned", due_date="2025-01-31"),
    action("a3", "r-joint", NHSE, "not_yet_planned", due_date="2025-01-31"),
]  # fmt: skip


def failed(outcome) -> dict[tuple[str, str | None], list[str]]:
    return {(e.expectation, e.column): e.failing_entities for e in outcome.failed_expectations}


def test_nothing_overdue_passes_and_no_date_and_not_captured_are_not_failures():
    outcome = run_suite(suite("hssib_overdue"), frame(NOTHING_OVERDUE))
    assert outcome.success, failed(outcome)
    assert outcome.severity is None


def test_suite_is_a_warning_on_the_recommendations_mart():
    spec = suite("hssib_overdue")
    assert not spec.blocking
    assert spec.asset_key == ("fct_safety_recommendations",)


def test_an_overdue_recommendation_fails_naming_its_organisations_and_id():
    rows = [
        *NOTHING_OVERDUE,
        recommendation("r-late", DHSC, "overdue", reference="2023/227", due_date="2025-05-30",
                       days_late=31),
        recommendation("r-late", CQC, "overdue", reference="2023/227", due_date="2025-05-30",
                       days_late=31),
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
    assert {(r["recommendation_id"], r["reference"], r["days_late"]) for r in offending} == {
        ("r-late", "2023/227", 31)
    }


def test_a_past_due_action_fails_naming_the_organisation_the_action_and_its_recommendation():
    rows = [
        *NOTHING_OVERDUE,
        action("a9", "r-answered", DHSC, "past_due", position=3, due_text="by September 2024",
               due_date="2024-09-30", days_late=273),
    ]  # fmt: skip
    outcome = run_suite(suite("hssib_overdue"), frame(rows))
    assert outcome.severity == "warning"
    assert failed(outcome) == {
        ("expect_column_values_to_not_be_in_set", "due_status"): [
            "Department of Health and Social Care"
        ]
    }
    [row] = outcome.failed_expectations[0].unexpected_rows
    assert (row["recommendation_id"], row["action_id"], row["due_date"], row["days_late"]) == (
        "r-answered",
        "a9",
        "2024-09-30",
        273,
    )


def test_facts_count_statuses_per_recommendation_and_list_every_late_id():
    rows = [
        *NOTHING_OVERDUE,
        recommendation("r-late", DHSC, "overdue", days_late=31),
        recommendation("r-late", CQC, "overdue", days_late=31),
        recommendation("r-undated-2", DHSC, "no_date"),
        action("a9", "r-joint", DHSC, "past_due", due_date="2024-09-30", days_late=273),
        action("a9", "r-joint", NHSE, "past_due", due_date="2024-09-30", days_late=273),
    ]
    facts = overdue_facts(frame(rows))
    assert facts["as_of_date"] == "2025-06-30"
    assert facts["recommendations"] == 8  # distinct ids, a joint one counted once
    assert facts["recommendations_no_date"] == 2
    assert facts["recommendations_not_captured"] == 1
    assert facts["recommendations_overdue"] == 1
    assert facts["overdue_recommendation_ids"] == ["r-late"]
    assert facts["recommendations_by_status"] == {
        "awaiting": 1, "closed": 1, "no_date": 2, "not_captured": 1, "overdue": 1, "responded": 2,
    }  # fmt: skip
    assert facts["actions"] == 4
    assert facts["actions_past_due"] == 1
    assert facts["actions_by_status"] == {
        "no_due_date": 1, "not_yet_due": 1, "not_yet_planned": 1, "past_due": 1,
    }  # fmt: skip
    assert facts["recommendations_with_past_due_actions"] == ["r-joint"]


def test_an_empty_mart_passes_with_zero_counts():
    empty = frame([])
    outcome = run_suite(suite("hssib_overdue"), empty, facts=overdue_facts(empty))
    assert outcome.success
    assert outcome.facts["recommendations"] == 0
    assert outcome.facts["recommendations_no_date"] == 0
    assert outcome.facts["as_of_date"] is None
