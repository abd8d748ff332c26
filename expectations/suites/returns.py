"""Reconciliation suite (warnings): does each body's return agree with what was published?

Frame: ``main.audit_returns_reconciliation``, one row per return row. Each organisation or
coroner area with a count gets its own expectation (dbt's ``difference`` = reported - published
within +/- the tolerance), so the failing bodies are named and their offending rows are in the
result. Every return must be resolved to an organisation or area (an error otherwise: that is
broken input, not a finding): a file version with a name that resolves to nothing is held out of
the mart by dbt, so its problems are read from ``main.audit_returns_unresolved`` and added to the
frame as unresolved rows named "file, row N, column C: unknown organisation 'X' ...". The suite
computes no fact: it judges the marts' columns.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.row_conditions import Column

from expectations.config import AuditConfig

DESCRIPTION = (
    "Per organisation or coroner area with a return: reported and published counts agree within"
    " the tolerance; every return resolved to an organisation or area."
)
FRAME_SQL = """
    SELECT return_row_id, file_name, row_number, return_kind, name_as_written, resolved_key,
           resolved_name, organisation_type, is_resolved, period_start, period_end,
           outcome_category, exemption, reported_count, published_count, difference, direction,
           published_refs_text, source_reference
    FROM main.audit_returns_reconciliation
    ORDER BY resolved_name, period_start, row_number"""
# The held-out file versions' problems (dbt resolved the names; the raw load does not).
UNRESOLVED_SQL = """
    SELECT file_sha256 || ':' || row_number AS return_row_id, file_name, row_number,
           return_kind, name_as_written, problem_text
    FROM main.audit_returns_unresolved
    ORDER BY file_name, loaded_at, row_number"""


def prepare_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``entity`` (the label a failure names: the body's resolved name, or the name as
    written) and give GX plain types (numbers, ISO dates as text, booleans)."""
    prepared = frame.copy()
    prepared["entity"] = prepared["resolved_name"].where(
        prepared["resolved_name"].notna(), prepared["name_as_written"]
    )
    if "problem_text" in prepared:
        named = prepared["problem_text"].notna()
        prepared.loc[named, "entity"] = prepared.loc[named, "problem_text"]
        prepared = prepared.drop(columns="problem_text")
    prepared["difference"] = pd.to_numeric(prepared["difference"])
    for column in ("period_start", "period_end"):
        prepared[column] = prepared[column].astype("string")
    prepared["is_resolved"] = prepared["is_resolved"].astype(bool)
    return prepared


def _query(con, sql: str) -> pd.DataFrame:
    cursor = con.execute(sql)
    return pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description])


def load_frame(con, config: AuditConfig) -> tuple[pd.DataFrame, dict]:
    frame = _query(con, FRAME_SQL)
    present = con.execute(
        "SELECT count(*) FROM information_schema.tables"
        " WHERE table_schema = 'main' AND table_name = 'audit_returns_unresolved'"
    ).fetchone()[0]
    # A warehouse built before the model existed has no held-out list: nothing to add.
    held_out = _query(con, UNRESOLVED_SQL) if present else pd.DataFrame(columns=["file_name"])
    held_out = held_out.assign(is_resolved=False)
    if not held_out.empty:
        frame = pd.concat([frame, held_out], ignore_index=True)
    facts = {"return_rows": len(frame) - len(held_out), "held_out_problems": len(held_out)}
    return prepare_frame(frame), facts


def build_expectations(frame: pd.DataFrame, facts: dict, config: AuditConfig) -> list:
    expectations: list = [
        gxe.ExpectColumnValuesToBeInSet(
            column="is_resolved",
            value_set=[True],
            severity="critical",
            # No meta entity: the failing rows name themselves (file, row, column and name).
            meta={"why": "unresolved names are reported, not guessed; the file is held out"},
        )
    ]
    if frame.empty:
        return expectations
    with_count = frame[frame["reported_count"].notna() & frame["is_resolved"]]
    for entity in sorted(with_count["entity"].unique()):
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column="difference",
                min_value=-config.reconciliation_tolerance,
                max_value=config.reconciliation_tolerance,
                # A condition object: the name is a compared value, never parsed as an expression.
                row_condition=Column("entity") == str(entity),
                severity="warning",
                meta={"entity": entity},
            )
        )
    return expectations
