"""A small hand-made warehouse with the mart contract's columns (issue 11: statuses, current
organisations, recipient sources), so the analyst questions and report can be tested in seconds
without a crawl or a dbt build.

The story it tells:
- Two former trusts, "Old North Mental Health NHS Trust" (ods:OLD1, a mental health trust) and
  "Old South Community NHS Trust" (ods:OLD2, a community trust when named), merged into
  "New Mental Health NHS Foundation Trust" (ods:NEW). Report r2 names both former trusts.
- An ambulance trust (ods:AMB) and a government department (nb:dhsc) that never changed.
- 2024's reports are mostly captured before their responses were due, or without document links,
  so their status is unknown, not overdue.
- An FOI campaign (issue 15's three marts): the new trust answered with a list that misses r5 and
  holds a report judiciary.uk does not publish; the ambulance trust refused citing the website
  (s21); the care provider with markup in its name has not answered past the due date; DHSC's
  answer matches the published record exactly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

AS_OF = dt.date(2026, 2, 1)
NEW, OLD1, OLD2, AMB, DHSC = "ods:NEW", "ods:OLD1", "ods:OLD2", "ods:AMB", "nb:dhsc"
# A name that must reach the HTML escaped.
MARKUP = "unlisted:smith-and-jones"

ORGANISATIONS = {
    # key: (name, type as named, current key)
    NEW: ("New Mental Health NHS Foundation Trust", "nhs_mental_health_trust", NEW),
    OLD1: ("Old North Mental Health NHS Trust", "nhs_mental_health_trust", NEW),
    OLD2: ("Old South Community NHS Trust", "nhs_community_trust", NEW),
    AMB: ("Somewhere Ambulance Service NHS Trust", "nhs_ambulance_trust", AMB),
    DHSC: ("Department of Health and Social Care", "government_department", DHSC),
    MARKUP: ("Smith & Jones <script>alert(1)</script> Care", "care_provider", MARKUP),
}

# report: (report date, capture kind, captured on, due date source, report status)
REPORTS = {
    "r1": (dt.date(2015, 3, 2), "page_scrape", dt.date(2025, 7, 1), "report_date_plus_56"),
    "r2": (dt.date(2015, 6, 10), "page_scrape", dt.date(2025, 7, 1), "stated_in_report"),
    "r3": (dt.date(2024, 5, 1), "page_scrape", dt.date(2024, 6, 1), "report_date_plus_56"),
    "r4": (dt.date(2024, 2, 1), "no_document_links", dt.date(2025, 7, 31), "report_date_plus_56"),
    "r5": (dt.date(2024, 1, 15), "page_scrape", dt.date(2025, 7, 1), "report_date_plus_56"),
    "r6": (dt.date(2023, 9, 1), "page_scrape", dt.date(2025, 7, 1), "stated_in_report"),
    "r7": (dt.date(2015, 11, 20), "page_scrape", dt.date(2025, 7, 1), "report_date_plus_56"),
    "r8": (dt.date(2014, 4, 4), "page_scrape", dt.date(2025, 7, 1), "report_date_plus_56"),
    "r9": (dt.date(2026, 1, 20), "live", dt.date(2026, 1, 25), "report_date_plus_56"),
    "r10": (dt.date(2016, 2, 2), "page_scrape", dt.date(2025, 7, 1), "report_date_plus_56"),
    "r11": (dt.date(2024, 3, 3), "page_scrape", dt.date(2025, 7, 1), "report_date_plus_56"),
}

# (report, organisation as named, position, source, status, days low, days high)
RECIPIENTS = [
    ("r1", OLD1, 1, "header", "responded", 25, 55),
    ("r2", OLD1, 1, "header", "responded", 0, 20),
    ("r2", OLD2, 2, "header", "overdue", None, None),
    ("r3", NEW, 1, "header", "unknown_captured_before_due", None, None),
    ("r4", NEW, 1, "header", "unknown_not_captured", None, None),
    ("r5", NEW, 1, "header", "overdue", None, None),
    ("r5", AMB, 2, "header", "overdue", None, None),
    ("r6", AMB, 1, "header", "possibly_answered", None, None),
    ("r6", MARKUP, 2, "header", "possibly_answered", None, None),
    ("r7", OLD2, 1, "report_text", "overdue", None, None),
    ("r8", AMB, None, "response_document", "responded", 56, 86),
    ("r9", NEW, 1, "header", "pending", None, None),
    ("r11", DHSC, 1, "header", "responded", 88, 118),
]

# (key, name, is current, known spellings): Manchester South is a former area with no reports.
AREAS = [
    ("essex", "Essex", True, ["Essex", "Essex & Thurrock", "Esex"]),
    ("manchester-north", "Manchester North", True, ["Manchester North", "Rochdale"]),
    ("manchester-south", "Manchester South", False, ["Manchester South", "Stockport"]),
]

DECEASED = {"r1": "Alexandra Testperson", "r5": "Bartholomew Exampleson"}

DDL = """
CREATE TABLE main.dim_organisations (
    organisation_key VARCHAR, canonical_name VARCHAR, organisation_type VARCHAR,
    is_listed BOOLEAN, report_count BIGINT, raw_spellings VARCHAR[],
    successor_organisation_key VARCHAR, current_organisation_key VARCHAR,
    current_organisation_name VARCHAR, current_organisation_type VARCHAR);
CREATE TABLE main.fct_reports (
    report_url VARCHAR, ref VARCHAR, report_date DATE, published_date DATE, report_year BIGINT,
    coroner_area_key VARCHAR, coroner_area VARCHAR, current_coroner_area_key VARCHAR,
    current_coroner_area VARCHAR, due_date DATE, stated_response_due_date DATE,
    due_date_source VARCHAR, captured_on DATE, capture_kind VARCHAR, recipient_count BIGINT,
    recipient_source VARCHAR, unknown_recipient_count BIGINT,
    possibly_answered_recipient_count BIGINT, missing_header_field_count INTEGER,
    report_status VARCHAR, as_of_date DATE);
CREATE TABLE main.fct_report_recipients (
    report_recipient_key VARCHAR, report_url VARCHAR, organisation_key VARCHAR,
    organisation_name VARCHAR, organisation_type VARCHAR, current_organisation_key VARCHAR,
    current_organisation_name VARCHAR, current_organisation_type VARCHAR,
    recipient_source VARCHAR, first_recipient_position BIGINT, recipient_raw VARCHAR,
    resolution_method VARCHAR, resolution_confidence DECIMAL(4, 2), report_date DATE,
    report_published_date DATE, due_date DATE, due_date_source VARCHAR, captured_on DATE,
    capture_kind VARCHAR, first_response_published_on DATE, response_count BIGINT,
    days_to_respond_low BIGINT, days_to_respond_high BIGINT, days_to_respond_precision VARCHAR,
    days_to_respond DECIMAL(10, 1), response_status VARCHAR, is_status_unknown BOOLEAN,
    as_of_date DATE);
CREATE TABLE main.fct_responses (
    report_url VARCHAR, match_method VARCHAR, match_confidence DECIMAL(4, 2),
    is_published_as_of BOOLEAN);
CREATE TABLE main.dim_coroner_areas (
    coroner_area_key VARCHAR, coroner_area VARCHAR, is_current BOOLEAN, raw_spellings VARCHAR[]);
CREATE TABLE main.dim_deceased (
    report_url VARCHAR, person_position INTEGER, deceased_name VARCHAR, is_redacted BOOLEAN);
CREATE TABLE main.bridge_report_categories (report_url VARCHAR, report_type_name VARCHAR);
CREATE TABLE main.fct_foi_requests (
    organisation_key VARCHAR, organisation_name VARCHAR, request_reference VARCHAR,
    date_sent DATE, period_start DATE, period_end DATE, status VARCHAR, refusal_section VARCHAR,
    cites_website BOOLEAN, answer_date DATE, statutory_due_date DATE, due_date_rule VARCHAR,
    is_answered BOOLEAN, is_late BOOLEAN, working_days_late INTEGER, as_of_date DATE);
CREATE TABLE main.audit_foi_report_reconciliation (
    organisation_key VARCHAR, organisation_name VARCHAR, period_start DATE, period_end DATE,
    finding VARCHAR, report_url VARCHAR, ref VARCHAR, report_date DATE, coroner_area VARCHAR,
    answer VARCHAR, match_method VARCHAR, match_confidence VARCHAR, file_name VARCHAR,
    row_number INTEGER);
CREATE TABLE main.audit_foi_campaign (
    organisation_key VARCHAR, organisation_name VARCHAR, asked BOOLEAN, answered BOOLEAN,
    refused BOOLEAN, refused_citing_website BOOLEAN, late BOOLEAN,
    answer_matches_exactly BOOLEAN, reports_missing_from_site BIGINT, reports_not_located BIGINT,
    copy_only BIGINT);
"""

# FOI requests: (organisation, reference, status, refusal section, answered on, late by)
FOI_REQUESTS = [
    (NEW, "FOI/2025/001", "answered", None, dt.date(2025, 10, 20), None),
    (AMB, "AMB-77", "refused", "s21", dt.date(2025, 10, 10), None),
    (MARKUP, "S&J <1>", "sent", None, None, 42),
    (DHSC, "DHSC-FOI-9", "answered", None, dt.date(2025, 10, 17), None),
]
# FOI report lines: (organisation, finding, report or (ref, date) when unpublished, answer)
FOI_FINDINGS = [
    (NEW, "matched", "r1", "received"),
    (NEW, "matched", "r2", "received"),
    (NEW, "published_not_located", "r5", "not located"),
    (NEW, "received_not_published", ("2015-9999", dt.date(2015, 4, 1)), "received"),
    (DHSC, "matched", "r11", "received"),
]
# (organisation, answered, refused, citing the website, late, exact, missing, not located)
FOI_CAMPAIGN = [
    (NEW, True, False, False, False, False, 1, 1),
    (AMB, False, True, True, False, False, None, None),
    (MARKUP, False, False, False, True, False, None, None),
    (DHSC, True, False, False, False, True, 0, 0),
]
FOI_SENT = dt.date(2025, 9, 22)
FOI_DUE = dt.date(2025, 10, 20)


def _url(report: str) -> str:
    return f"https://www.judiciary.uk/prevention-of-future-death-reports/{report}/"


def _report_status(statuses: list[str]) -> str:
    if not statuses:
        return "no_named_recipient"
    if all(status == "responded" for status in statuses):
        return "completed"
    if any(status.startswith("unknown") for status in statuses):
        return "unknown"
    for status in ("overdue", "possibly_answered", "pending"):
        if status in statuses:
            return status
    return "partial"


def build_contract_warehouse(path: Path) -> Path:
    """Write the hand-made marts to a new DuckDB file at path; return path."""
    connection = duckdb.connect(str(path))
    try:
        connection.execute(DDL)
        for key, (name, kind, current) in ORGANISATIONS.items():
            current_name, current_type, _ = ORGANISATIONS[current]
            connection.execute(
                "INSERT INTO main.dim_organisations VALUES (?, ?, ?, true, 1, [?], ?, ?, ?, ?)",
                [
                    key,
                    name,
                    kind,
                    name,
                    None if current == key else current,
                    current,
                    current_name,
                    current_type,
                ],
            )
        for position, (report, (report_date, kind, captured, due_source)) in enumerate(
            REPORTS.items()
        ):
            rows = [r for r in RECIPIENTS if r[0] == report]
            statuses = [r[4] for r in rows]
            source = min((r[3] for r in rows), default=None)
            area = ("essex", "Essex") if position % 2 else ("manchester-north", "Manchester North")
            stated = report_date + dt.timedelta(days=56)
            connection.execute(
                "INSERT INTO main.fct_reports VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                [
                    _url(report),
                    f"{report_date.year}-{position:04d}",
                    report_date,
                    report_date + dt.timedelta(days=30),
                    report_date.year,
                    *area,
                    *area,
                    report_date + dt.timedelta(days=56),
                    stated if due_source == "stated_in_report" else None,
                    due_source,
                    captured,
                    kind,
                    len(rows),
                    source,
                    sum(status.startswith("unknown") for status in statuses),
                    statuses.count("possibly_answered"),
                    _report_status(statuses),
                    AS_OF,
                ],
            )
            connection.execute(
                "INSERT INTO main.bridge_report_categories VALUES (?, ?)",
                [_url(report), "Mental Health related deaths"],
            )
            connection.execute(
                "INSERT INTO main.fct_responses VALUES (?, 'exact', 1.0, true)", [_url(report)]
            )
        for report, key, position, source, status, low, high in RECIPIENTS:
            name, kind, current = ORGANISATIONS[key]
            current_name, current_type, _ = ORGANISATIONS[current]
            report_date, capture_kind, captured, due_source = REPORTS[report]
            days = None if low is None or low == 0 else (low + high) / 2
            connection.execute(
                "INSERT INTO main.fct_report_recipients VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ods_exact', 1.0, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?, ?)",
                [
                    f"{report}|{key}",
                    _url(report),
                    key,
                    name,
                    kind,
                    current,
                    current_name,
                    current_type,
                    source,
                    position,
                    name,
                    report_date,
                    report_date + dt.timedelta(days=30),
                    report_date + dt.timedelta(days=56),
                    due_source,
                    captured,
                    capture_kind,
                    report_date + dt.timedelta(days=low) if low is not None else None,
                    1 if status == "responded" else 0,
                    low,
                    high,
                    "month" if low is not None else None,
                    days,
                    status,
                    status.startswith("unknown"),
                    AS_OF,
                ],
            )
        for area_key, area, current, spellings in AREAS:
            connection.execute(
                "INSERT INTO main.dim_coroner_areas VALUES (?, ?, ?, ?)",
                [area_key, area, current, spellings],
            )
        for report, name in DECEASED.items():
            connection.execute(
                "INSERT INTO main.dim_deceased VALUES (?, 1, ?, false)", [_url(report), name]
            )
        _insert_foi_campaign(connection)
    finally:
        connection.close()
    return path


def _insert_foi_campaign(connection: duckdb.DuckDBPyConnection) -> None:
    period = [dt.date(2013, 7, 1), dt.date(2025, 6, 30)]
    for key, reference, status, section, answered, late in FOI_REQUESTS:
        connection.execute(
            "INSERT INTO main.fct_foi_requests VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '20 working days (test)', ?, ?, ?, ?)",
            [key, ORGANISATIONS[key][0], reference, FOI_SENT, *period, status, section,
             section == "s21", answered, FOI_DUE, answered is not None, late is not None, late,
             AS_OF],
        )  # fmt: skip
    for row_number, (key, finding, report, answer) in enumerate(FOI_FINDINGS, start=2):
        if isinstance(report, tuple):
            url, (ref, report_date), area = None, report, "Essex"
        else:
            url, ref, report_date, area = connection.execute(
                "SELECT report_url, ref, report_date, current_coroner_area FROM main.fct_reports"
                " WHERE report_url = ?",
                [_url(report)],
            ).fetchone()
        connection.execute(
            "INSERT INTO main.audit_foi_report_reconciliation VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'answers.xlsx', ?)",
            [key, ORGANISATIONS[key][0], *period, finding, url, ref, report_date, area, answer,
             "ref" if finding == "matched" else None,
             "high" if finding == "matched" else None, row_number],
        )  # fmt: skip
    for key, answered, refused, website, late, exact, missing, not_located in FOI_CAMPAIGN:
        connection.execute(
            "INSERT INTO main.audit_foi_campaign VALUES (?, ?, true, ?, ?, ?, ?, ?, ?, ?, ?)",
            [key, ORGANISATIONS[key][0], answered, refused, website, late, exact, missing,
             not_located, None if missing is None else 0],
        )  # fmt: skip
