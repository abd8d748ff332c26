"""HSSIB overdue suite (warnings: findings about the world, not broken data).

Frame: one row per HSSIB/HSIB safety recommendation and recipient organisation
(``main.fct_safety_recommendations``) and one row per planned action and recipient organisation
(``main.fct_recommendation_actions``, the recipients of its recommendation), as of the marts'
``as_of_date``. A recommendation unanswered 90 days after its date (``response_status``
'overdue') and an action whose due date has passed (``due_status`` 'past_due') fail their
expectations, so the organisations responsible are named and the recommendation ids are in the
offending rows. HSSIB publishes no completion status, so past due means the due date has passed,
not that the action is known to be unfinished.

Recommendations with no date shown (``no_date``: the 90-day clock cannot start) and records cut
off before any response (``not_captured``) cannot be judged: they are counted in the facts, never
failed.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd

from expectations.config import AuditConfig

DESCRIPTION = (
    "Per recipient organisation: no safety recommendation unanswered 90 days after its date"
    " (overdue) and no planned action past its due date; recommendations with no date or cut off"
    " before any response are counted as facts, not judged."
)
TABLE = "main.fct_safety_recommendations"
OVERDUE_RESPONSE_STATUS = "overdue"
PAST_DUE_ACTION_STATUS = "past_due"
# Statuses that cannot be judged against the 90-day window: reported as facts.
UNJUDGED_RESPONSE_STATUSES = ("no_date", "not_captured")
INDEX_COLUMNS = (
    "item_kind",
    "recommendation_id",
    "reference",
    "organisation_key",
    "organisation_name",
    "action_id",
    "due_date",
    "days_late",
)

FRAME_SQL = f"""
    SELECT 'recommendation' AS item_kind, recommendation_id, reference, investigation_title,
           organisation_key, organisation_name, response_status,
           NULL::VARCHAR AS action_id, NULL::INTEGER AS action_position, NULL::VARCHAR AS due_text,
           NULL::VARCHAR AS due_status, response_due_date AS due_date,
           CASE WHEN response_status = 'overdue'
                THEN date_diff('day', response_due_date, as_of_date) END AS days_late,
           as_of_date
    FROM {TABLE}
    UNION ALL
    SELECT 'action', actions.recommendation_id, actions.reference, actions.investigation_title,
           recipients.organisation_key, recipients.organisation_name, NULL,
           actions.action_id, actions.action_position, actions.due_text,
           actions.due_status, actions.due_date, actions.days_past_due, actions.as_of_date
    FROM main.fct_recommendation_actions AS actions
    LEFT JOIN {TABLE} AS recipients USING (recommendation_id)
    ORDER BY item_kind DESC, organisation_name, recommendation_id, action_position"""  # noqa: S608


def prepare_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain values with None for missing (the offending rows are JSON metadata: no NaN), dates
    as ISO text (they are shown, not compared), an unnamed organisation by its key."""
    prepared = frame.copy()
    for column in ("due_date", "as_of_date"):
        if column in prepared.columns:
            prepared[column] = prepared[column].astype("string")
    for column in ("action_position", "days_late"):
        if column in prepared.columns:
            prepared[column] = pd.to_numeric(prepared[column]).astype("Int64")
    if {"organisation_key", "organisation_name"} <= set(prepared.columns):
        prepared["organisation_name"] = prepared["organisation_name"].where(
            prepared["organisation_name"].notna(), prepared["organisation_key"]
        )
    prepared = prepared.astype(object)
    return prepared.where(prepared.notna(), None)


def overdue_facts(frame: pd.DataFrame) -> dict:
    """Counts of recommendations (distinct ids) and actions (distinct ids) per status, the
    unjudged statuses, and every overdue / past-due recommendation id (the offending rows shown
    with a check are capped; these lists are not)."""
    recommendations = frame[frame["item_kind"] == "recommendation"]
    actions = frame[frame["item_kind"] == "action"]
    by_status = recommendations.groupby("response_status")["recommendation_id"].nunique().to_dict()
    action_status = actions.groupby("due_status")["action_id"].nunique().to_dict()
    overdue = recommendations[recommendations["response_status"] == OVERDUE_RESPONSE_STATUS]
    past_due = actions[actions["due_status"] == PAST_DUE_ACTION_STATUS]
    as_of = frame["as_of_date"].dropna()
    return {
        "as_of_date": str(as_of.iloc[0]) if len(as_of) else None,
        "recommendations": int(recommendations["recommendation_id"].nunique()),
        "recommendations_by_status": {str(k): int(v) for k, v in sorted(by_status.items())},
        **{
            f"recommendations_{status}": int(by_status.get(status, 0))
            for status in UNJUDGED_RESPONSE_STATUSES
        },
        "recommendations_overdue": int(overdue["recommendation_id"].nunique()),
        "overdue_recommendation_ids": sorted(overdue["recommendation_id"].unique().tolist()),
        "actions": int(actions["action_id"].nunique()),
        "actions_by_status": {str(k): int(v) for k, v in sorted(action_status.items())},
        "actions_past_due": int(past_due["action_id"].nunique()),
        "recommendations_with_past_due_actions": sorted(
            past_due["recommendation_id"].unique().tolist()
        ),
    }


def load_frame(con, config: AuditConfig) -> tuple[pd.DataFrame, dict]:
    cursor = con.execute(FRAME_SQL)
    frame = prepare_frame(
        pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description])
    )
    return frame, overdue_facts(frame)


def build_expectations(frame: pd.DataFrame, facts: dict, config: AuditConfig) -> list:
    warning = "warning"
    # Each expectation sees only its own rows: GX skips the nulls the other kind of row carries.
    return [
        gxe.ExpectColumnValuesToNotBeInSet(
            column="response_status",
            value_set=[OVERDUE_RESPONSE_STATUS],
            severity=warning,
            meta={"why": "recipients are asked to respond within 90 days"},
        ),
        gxe.ExpectColumnValuesToNotBeInSet(
            column="due_status",
            value_set=[PAST_DUE_ACTION_STATUS],
            severity=warning,
            meta={
                "why": "the planned action's due date has passed (HSSIB publishes no completion"
                " status, so it may be done)"
            },
        ),
    ]
