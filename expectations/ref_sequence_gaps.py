"""Ref sequence suite (warnings): references allocated but never published since 2019.

Frame: one row per ref year from ``ref_gaps_since_year`` to the newest ref year, with the gaps
(sequence numbers between 1 and the highest published one that no published report carries, from
``main.audit_ref_sequence_gaps``) and the missing refs themselves.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd

from expectations.config import AuditConfig

DESCRIPTION = (
    "Per ref year since 2019: no reference number between 1 and the highest published one is"
    " missing from the published reports (beyond the configured allowance)."
)
FRAME_SQL = """
    WITH years AS (
        SELECT ref_year, max(ref_sequence) AS highest_sequence_seen,
               count(DISTINCT ref_sequence) AS refs_published
        FROM main.fct_reports WHERE is_ref_valid AND ref_year >= ? GROUP BY ref_year
    ),
    gaps AS (
        SELECT ref_year, count(*) AS gaps_in_year,
               string_agg(missing_ref, ', ' ORDER BY missing_ref) AS missing_refs
        FROM main.audit_ref_sequence_gaps WHERE ref_year >= ? GROUP BY ref_year
    )
    SELECT years.ref_year, years.highest_sequence_seen, years.refs_published,
           coalesce(gaps.gaps_in_year, 0) AS gaps_in_year, gaps.missing_refs
    FROM years LEFT JOIN gaps USING (ref_year)
    ORDER BY years.ref_year"""


def load_frame(con, config: AuditConfig) -> tuple[pd.DataFrame, dict]:
    since = config.ref_gaps_since_year
    cursor = con.execute(FRAME_SQL, [since, since])
    frame = pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description])
    frame["gaps_in_year"] = pd.to_numeric(frame["gaps_in_year"]).astype("int64")
    return frame, {"missing_refs_total": int(frame["gaps_in_year"].sum()) if len(frame) else 0}


def build_expectations(frame: pd.DataFrame, facts: dict, config: AuditConfig) -> list:
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="gaps_in_year",
            min_value=0,
            max_value=config.max_ref_gaps_per_year,
            severity="warning",
        )
    ]
