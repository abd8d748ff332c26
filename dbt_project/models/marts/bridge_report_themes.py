"""Report x theme: one row per report and theme the rules assign, with the evidence span (the
first match in the coroner's concerns, else in the action, circumstances or inquest section).

The rules live in orchestration/themes/themes.yml and are applied by orchestration/themes/rules.py
(the one matcher: `pfdw quality` measures the same code against the labelled sample). A report
without sections has no row: read theme figures with the share of reports that had text
(fct_reports.has_report_text)."""

import pandas as pd

from orchestration.themes.rules import SEARCHABLE_SECTIONS, assign_all, load_rules

COLUMNS = {
    "report_url": "object",
    "theme_id": "object",
    "section_key": "object",
    "evidence_start": "int64",
    "evidence_end": "int64",
    "matched_text": "object",
    "evidence_text": "object",
    "match_count": "int64",
    "rules_version": "int64",
}


def model(dbt, session):
    dbt.config(materialized="table")
    rules = load_rules()
    sections = dbt.ref("fct_report_sections").filter(
        "section_key in (" + ", ".join(f"'{key}'" for key in SEARCHABLE_SECTIONS) + ")"
    )
    rows = sections.project("report_url, section_key, section_text").fetchall()
    records = [
        (
            report_url,
            assignment.theme_id,
            assignment.evidence.section_key,
            assignment.evidence.start,
            assignment.evidence.end,
            assignment.evidence.matched_text,
            assignment.evidence.context,
            assignment.match_count,
            rules.version,
        )
        for report_url, assignments in sorted(assign_all(rules, rows).items())
        for assignment in assignments
    ]
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS)).astype(COLUMNS)
    return session.from_df(frame).project(
        "cast(report_url as varchar) as report_url, cast(theme_id as varchar) as theme_id,"
        " cast(section_key as varchar) as section_key,"
        " cast(evidence_start as integer) as evidence_start,"
        " cast(evidence_end as integer) as evidence_end,"
        " cast(matched_text as varchar) as matched_text,"
        " cast(evidence_text as varchar) as evidence_text,"
        " cast(match_count as integer) as match_count,"
        " cast(rules_version as integer) as rules_version"
    )
