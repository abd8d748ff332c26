"""HSSIB overdue suite (warnings: findings about the world, not broken data).

Frame: one row per HSSIB/HSIB safety recommendation and recipient organisation
(``main.fct_safety_recommendations``) and one row per planned action and recipient organisation
(``main.fct_recommendation_actions``, the recipients of its recommendation). Every status is as
of the day the page was captured (``known_on``: the capture day, capped at the marts'
``as_of_date``), never as of today: a log page says nothing about what happened after it.

Three expectations fail, each naming the organisations, with the ids in the offending rows:

- a recommendation with no response 90 days after its date when captured
  (``response_status`` 'overdue_at_capture');
- an action already due when its page was captured with no update reported
  (``action_status`` 'overdue_at_capture'); an action due after the capture is awaiting an
  update, and one the response reports done, delayed or in progress has an account, so neither
  fails (they are counted in the facts, with the evidence sentence in the frame);
- a page captured more than ``hssib_stale_after_days`` days before as_of (``is_capture_stale``):
  what the body has done since may be missing.

Recommendations with no date shown (``no_response_at_capture``: the 90-day clock cannot start)
and records cut off before any response (``not_captured``) cannot be judged: they are counted in
the facts, never failed. Where the capture day is a lower bound (``capture_date_basis``
'on_or_after', the offline replica), days late are "at least".
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd

from expectations.config import AuditConfig

DESCRIPTION = (
    "Per recipient organisation, as of each page's capture: no safety recommendation unanswered"
    " 90 days after its date, no planned action already due with no update, and no page"
    " captured longer ago than the stale threshold; actions reported done, delayed or in"
    " progress, actions due after the capture, and recommendations with no date or cut off are"
    " counted as facts, not judged."
)
TABLE = "main.fct_safety_recommendations"
OVERDUE_STATUS = "overdue_at_capture"
# Statuses that cannot be judged against the 90-day window: reported as facts.
UNJUDGED_RESPONSE_STATUSES = ("no_response_at_capture", "not_captured")
INDEX_COLUMNS = (
    "item_kind",
    "recommendation_id",
    "reference",
    "organisation_key",
    "organisation_name",
    "action_id",
    "due_date",
    "days_late",
    "captured_on",
    "capture_date_basis",
)

FRAME_SQL = f"""
    SELECT 'recommendation' AS item_kind, recommendation_id, reference, investigation_title,
           organisation_key, organisation_name, response_status,
           NULL::VARCHAR AS action_id, NULL::INTEGER AS action_position, NULL::VARCHAR AS due_text,
           NULL::VARCHAR AS action_status, NULL::VARCHAR AS evidence,
           response_due_date AS due_date, days_overdue_at_capture AS days_late,
           is_capture_stale, capture_age_days, captured_on, capture_date_basis, as_of_date
    FROM {TABLE}
    UNION ALL
    SELECT 'action', actions.recommendation_id, actions.reference, actions.investigation_title,
           recipients.organisation_key, recipients.organisation_name, NULL,
           actions.action_id, actions.action_position, actions.due_text,
           actions.action_status, actions.reported_state_evidence,
           actions.due_date, actions.days_past_due_at_capture,
           NULL, NULL, actions.captured_on, actions.capture_date_basis, actions.as_of_date
    FROM main.fct_recommendation_actions AS actions
    LEFT JOIN {TABLE} AS recipients USING (recommendation_id)
    ORDER BY item_kind DESC, organisation_name, recommendation_id, action_position"""  # noqa: S608


def prepare_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain values with None for missing (the offending rows are JSON metadata: no NaN), dates
    as ISO text (they are shown, not compared), an unnamed organisation by its key."""
    prepared = frame.copy()
    for column in ("due_date", "as_of_date", "captured_on"):
        if column in prepared.columns:
            prepared[column] = prepared[column].astype("string")
    for column in ("action_position", "days_late", "capture_age_days"):
        if column in prepared.columns:
            prepared[column] = pd.to_numeric(prepared[column]).astype("Int64")
    if {"organisation_key", "organisation_name"} <= set(prepared.columns):
        prepared["organisation_name"] = prepared["organisation_name"].where(
            prepared["organisation_name"].notna(), prepared["organisation_key"]
        )
    prepared = prepared.astype(object)
    return prepared.where(prepared.notna(), None)


def _counts(rows: pd.DataFrame, status_column: str, id_column: str) -> dict[str, int]:
    counts = rows.groupby(status_column)[id_column].nunique().to_dict()
    return {str(status): int(count) for status, count in sorted(counts.items())}


def overdue_facts(frame: pd.DataFrame) -> dict:
    """Counts of recommendations (distinct ids) and actions (distinct ids) per status, the
    unjudged statuses, the capture days behind them, and every overdue and stale id (the
    offending rows shown with a check are capped; these lists are not)."""
    recommendations = frame[frame["item_kind"] == "recommendation"]
    actions = frame[frame["item_kind"] == "action"]
    by_status = _counts(recommendations, "response_status", "recommendation_id")
    overdue = recommendations[recommendations["response_status"] == OVERDUE_STATUS]
    overdue_actions = actions[actions["action_status"] == OVERDUE_STATUS]
    stale = recommendations[
        recommendations["is_capture_stale"].map(lambda value: value is True).astype(bool)
    ]
    captured = recommendations["captured_on"].dropna()
    as_of = frame["as_of_date"].dropna()
    return {
        "as_of_date": str(as_of.iloc[0]) if len(as_of) else None,
        "captured_from": str(captured.min()) if len(captured) else None,
        "captured_to": str(captured.max()) if len(captured) else None,
        "capture_date_bases": sorted(
            str(basis) for basis in recommendations["capture_date_basis"].dropna().unique()
        ),
        "recommendations": int(recommendations["recommendation_id"].nunique()),
        "recommendations_by_status": by_status,
        **{
            f"recommendations_{status}": by_status.get(status, 0)
            for status in UNJUDGED_RESPONSE_STATUSES
        },
        "recommendations_overdue_at_capture": int(overdue["recommendation_id"].nunique()),
        "overdue_recommendation_ids": sorted(overdue["recommendation_id"].unique().tolist()),
        "recommendations_stale": int(stale["recommendation_id"].nunique()),
        "stale_recommendation_ids": sorted(stale["recommendation_id"].unique().tolist()),
        "actions": int(actions["action_id"].nunique()),
        "actions_by_status": _counts(actions, "action_status", "action_id"),
        "actions_overdue_at_capture": int(overdue_actions["action_id"].nunique()),
        "overdue_action_ids": sorted(overdue_actions["action_id"].unique().tolist()),
        "recommendations_with_overdue_actions": sorted(
            overdue_actions["recommendation_id"].unique().tolist()
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
            value_set=[OVERDUE_STATUS],
            severity=warning,
            meta={
                "why": "recipients are asked to respond within 90 days; the page showed no"
                " response 90 days after the recommendation when it was captured"
            },
        ),
        gxe.ExpectColumnValuesToNotBeInSet(
            column="action_status",
            value_set=[OVERDUE_STATUS],
            severity=warning,
            meta={
                "why": "the planned action was already due when its page was captured and the"
                " response reports no update (days_late counted to the capture day)"
            },
        ),
        gxe.ExpectColumnValuesToNotBeInSet(
            column="is_capture_stale",
            value_set=[True],
            severity=warning,
            meta={
                "why": "the page was captured longer ago than the stale threshold"
                " (var hssib_stale_after_days): what the body has done since may be missing"
            },
        ),
    ]
