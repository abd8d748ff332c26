"""Ref sequence suite (warnings): references allocated but never published since 2019.

Frame: ``main.audit_ref_sequence_years`` as dbt built it, one row per ref year of the contiguous
era (``is_contiguous_era``, from the dbt var ``ref_gaps_since_year``): the highest published
sequence, the refs published, the gaps (sequence numbers between 1 and the highest published one
that no published report carries) and the missing refs themselves. The suite only judges the
gaps against the allowance in ``expectations.config``; it computes none of them. Its asset check
sits on ``audit_ref_sequence_gaps``, the one-row-per-missing-ref model built from that table.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd

from expectations.config import AuditConfig

DESCRIPTION = (
    "Per ref year since 2019: no reference number between 1 and the highest published one is"
    " missing from the published reports (beyond the configured allowance)."
)
TABLE = "main.audit_ref_sequence_years"
FRAME_SQL = f"""
    SELECT ref_year, highest_sequence_seen, refs_published, gaps_in_year, missing_refs
    FROM {TABLE}
    WHERE is_contiguous_era
    ORDER BY ref_year"""  # noqa: S608 (a module constant)


def load_frame(con, config: AuditConfig) -> tuple[pd.DataFrame, dict]:
    cursor = con.execute(FRAME_SQL)
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
