"""FOI campaign suite (warnings: findings about the world, not broken data).

Frame: one row per organisation and report of ``main.audit_foi_report_reconciliation`` (item_kind
``report``) and one row per request of ``main.fct_foi_requests`` (item_kind ``request``), as dbt
built them. Five expectations, each failing per organisation (the offending rows name it, with
the refs or the request reference):

- a published report addressed to the body that it did not list or said it could not locate
  (``finding`` 'published_not_located');
- a report the body received that judiciary.uk does not publish (``finding``
  'received_not_published');
- a request not answered by its statutory due date (``is_late``: dbt's, from the due date
  computed when the requests file was loaded);
- a refusal (``status`` 'refused'), and a refusal citing the website (``cites_website``: section
  21, "reasonably accessible by other means").

Copies (``copy_only``) and matched reports are counted in the facts, never failed. The facts are
the campaign totals, read from ``main.audit_foi_campaign`` (one row per organisation). With no
campaign loaded (the marts are empty: ``make run`` ships no report-level answers) every
expectation passes on an empty frame and the facts say "no FOI campaign loaded". The suite
computes nothing: it judges the marts' columns.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd

from expectations.config import AuditConfig

DESCRIPTION = (
    "Per organisation asked in an FOI campaign: no published report it could not locate, no"
    " report it received that judiciary.uk does not publish, no request unanswered past its"
    " statutory due date, no refusal (nor one citing the website, s21); copies and matches are"
    " counted, not judged. Nothing to judge (and a pass) when no campaign is loaded."
)
TABLE = "main.audit_foi_campaign"
RECONCILIATION_TABLE = "main.audit_foi_report_reconciliation"
REQUESTS_TABLE = "main.fct_foi_requests"
NOT_LOADED = "no FOI campaign loaded"
# A request whose organisation dbt could not resolve (fct_foi_requests keeps it, key NULL).
UNRESOLVED = "unresolved organisation"
PUBLISHED_NOT_LOCATED = "published_not_located"
RECEIVED_NOT_PUBLISHED = "received_not_published"
INDEX_COLUMNS = (
    "organisation_name",
    "item_kind",
    "request_reference",
    "finding",
    "ref",
    "report_date",
    "report_url",
    "status",
    "refusal_section",
    "statutory_due_date",
    "working_days_late",
    "file_name",
    "row_number",
)
FRAME_COLUMNS = (
    "item_kind",
    "organisation_key",
    "organisation_name",
    "request_reference",
    "finding",
    "ref",
    "report_date",
    "report_url",
    "coroner_area",
    "answer",
    "match_method",
    "match_confidence",
    "status",
    "refusal_section",
    "cites_website",
    "date_sent",
    "statutory_due_date",
    "answer_date",
    "is_late",
    "working_days_late",
    "file_name",
    "row_number",
)
REPORTS_SQL = f"""
    SELECT 'report' AS item_kind, organisation_key, organisation_name,
           NULL::VARCHAR AS request_reference, finding, ref, report_date, report_url,
           coroner_area, answer, match_method, match_confidence,
           NULL::VARCHAR AS status, NULL::VARCHAR AS refusal_section,
           NULL::BOOLEAN AS cites_website, NULL::DATE AS date_sent,
           NULL::DATE AS statutory_due_date, NULL::DATE AS answer_date,
           NULL::BOOLEAN AS is_late, NULL::INTEGER AS working_days_late,
           file_name, row_number  -- the answer line (NULL for a report the body did not list)
    FROM {RECONCILIATION_TABLE}
    ORDER BY organisation_name, organisation_key, finding, report_date, ref"""  # noqa: S608
REQUESTS_SQL = f"""
    SELECT 'request' AS item_kind, organisation_key, organisation_name, request_reference,
           NULL::VARCHAR AS finding, NULL::VARCHAR AS ref, NULL::DATE AS report_date,
           NULL::VARCHAR AS report_url, NULL::VARCHAR AS coroner_area, NULL::VARCHAR AS answer,
           NULL::VARCHAR AS match_method, NULL::VARCHAR AS match_confidence,
           status, refusal_section, cites_website, date_sent, statutory_due_date, answer_date,
           is_late, working_days_late, NULL::VARCHAR AS file_name, NULL::INTEGER AS row_number
    FROM {REQUESTS_TABLE}
    ORDER BY organisation_name, organisation_key, date_sent, request_reference"""  # noqa: S608
# Per organisation: a flag column counts bodies (true or a count above 0); a count column is
# summed (NULL when the body gave no list: never a zero).
BODY_FLAGS = ("asked", "answered", "refused", "refused_citing_website", "late")
REPORT_COUNTS = (
    "reports_missing_from_site",
    "reports_not_located",
    "copy_only",
)
CAMPAIGN_SQL = f"""
    SELECT organisation_key, organisation_name, asked, answered, refused,
           refused_citing_website, late, answer_matches_exactly, reports_missing_from_site,
           reports_not_located, copy_only
    FROM {TABLE}
    ORDER BY organisation_name, organisation_key"""  # noqa: S608


def _query(con, sql: str) -> pd.DataFrame:
    cursor = con.execute(sql)
    return pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description])


def _exists(con, qualified: str) -> bool:
    schema, table = qualified.split(".", 1)
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, table],
    ).fetchone()[0]
    return bool(found)


def prepare_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every frame column present, plain values with None for missing (offending rows become
    JSON metadata), dates as ISO text, an organisation with no name named by its key (or as
    unresolved)."""
    prepared = frame.copy()
    for column in FRAME_COLUMNS:
        if column not in prepared.columns:
            prepared[column] = None
    prepared = prepared[list(FRAME_COLUMNS)]
    for column in ("report_date", "date_sent", "statutory_due_date", "answer_date"):
        prepared[column] = prepared[column].astype("string")
    for column in ("working_days_late", "row_number"):
        prepared[column] = pd.to_numeric(prepared[column]).astype("Int64")
    prepared["organisation_name"] = (
        prepared["organisation_name"]
        .where(prepared["organisation_name"].notna(), prepared["organisation_key"])
        .where(lambda names: names.notna(), UNRESOLVED)
    )
    prepared = prepared.astype(object)
    return prepared.where(prepared.notna(), None)


def _truthy(value) -> bool:
    """A per-organisation flag: true, or a count above 0 (NULL and 0 are not)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return False
    return bool(value)


def campaign_facts(campaign: pd.DataFrame) -> dict:
    """The campaign totals: bodies per outcome, reports per finding (summed over the bodies that
    gave a list), and one row per organisation (for the audit summary)."""
    if campaign.empty:
        return {"campaign_loaded": False, "campaign": NOT_LOADED}
    campaign = campaign.copy()
    for count in REPORT_COUNTS:  # NULL (no list) beside numbers: whole numbers, not floats
        campaign[count] = pd.to_numeric(campaign[count]).astype("Int64")
    rows = campaign.astype(object).where(campaign.notna(), None).to_dict("records")
    facts: dict = {"campaign_loaded": True, "campaign": f"{len(rows)} organisations"}
    for flag in (*BODY_FLAGS, "answer_matches_exactly"):
        facts[f"bodies_{flag}"] = sum(_truthy(row[flag]) for row in rows)
    for count in REPORT_COUNTS:
        values = [row[count] for row in rows if row[count] is not None]
        facts[count] = int(sum(values)) if values else None
    facts["bodies_with_a_list"] = sum(row["reports_not_located"] is not None for row in rows)
    facts["organisation_rows"] = rows
    return facts


def load_frame(con, config: AuditConfig) -> tuple[pd.DataFrame, dict]:
    parts = [
        _query(con, sql)
        for table, sql in ((RECONCILIATION_TABLE, REPORTS_SQL), (REQUESTS_TABLE, REQUESTS_SQL))
        if _exists(con, table)
    ]
    parts = [part for part in parts if not part.empty]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FRAME_COLUMNS)
    campaign = _query(con, CAMPAIGN_SQL) if _exists(con, TABLE) else pd.DataFrame()
    facts = campaign_facts(campaign)
    if not facts["campaign_loaded"] and not frame.empty:
        facts = {"campaign_loaded": True, "campaign": "no per-organisation totals built"}
    return prepare_frame(frame), facts


def build_expectations(frame: pd.DataFrame, facts: dict, config: AuditConfig) -> list:
    warning = "warning"
    # Each expectation sees only its own kind of row: GX skips the nulls the other kind carries.
    return [
        gxe.ExpectColumnValuesToNotBeInSet(
            column="finding",
            value_set=[PUBLISHED_NOT_LOCATED],
            severity=warning,
            meta={
                "why": "published on judiciary.uk and addressed to the body, which did not list"
                " it or said it could not locate it"
            },
        ),
        gxe.ExpectColumnValuesToNotBeInSet(
            column="finding",
            value_set=[RECEIVED_NOT_PUBLISHED],
            severity=warning,
            meta={"why": "the body received it; judiciary.uk does not publish it"},
        ),
        gxe.ExpectColumnValuesToNotBeInSet(
            column="is_late",
            value_set=[True],
            severity=warning,
            meta={
                "why": "not answered by the statutory due date (20 working days, FOIA s.10),"
                " computed when the requests file was loaded"
            },
        ),
        gxe.ExpectColumnValuesToNotBeInSet(
            column="status",
            value_set=["refused"],
            severity=warning,
            meta={"why": "the body refused the request (a refusal is an outcome, not a zero)"},
        ),
        gxe.ExpectColumnValuesToNotBeInSet(
            column="cites_website",
            value_set=[True],
            severity=warning,
            meta={
                "why": "refused under s21 (reasonably accessible by other means): the website"
                " is not the body's own record of what it received"
            },
        ),
    ]
