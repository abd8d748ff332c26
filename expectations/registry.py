"""The ONE registry of audit suites: which table each checks, how its frame is read, its
expectations, and how its result reaches Dagster (asset key, blocking or not).

Adding a suite = one module in ``expectations/suites/`` with ``load_frame`` and
``build_expectations`` + one entry here. A source's suite on its raw tables is the module named by
its slug (``suites/<slug>.py``); suites on marts are named by what they audit. A suite on a mart
reads the facts dbt computed and only judges them; where each raw fact is checked is in
``expectations/CHECKS.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from expectations.config import AuditConfig
from expectations.suites import (
    coroner_area_completeness,
    foi,
    hssib_overdue,
    ref_sequence_gaps,
)
from expectations.suites import hssib_recommendations as hssib_raw_crawl
from expectations.suites import judiciary_pfd as raw_crawl
from expectations.suites import returns as returns_reconciliation


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    table: str  # schema.table the suite's frame is read from (dbt built it; the suite judges)
    asset_key: tuple[str, ...]  # the Dagster asset the check is attached to
    description: str
    # (connection, config) -> (frame, facts); facts are extra context shown with the result.
    load_frame: Callable[..., tuple[pd.DataFrame, dict]]
    # (frame, facts, config) -> list of GX expectations (severity and meta["entity"] set).
    build_expectations: Callable[..., list]
    entity_column: str  # the column naming the organisation / area / row a failure is about
    index_columns: tuple[str, ...]  # columns GX reports for each unexpected row
    blocking: bool = False  # a failed error-severity result stops downstream assets


SUITES: tuple[SuiteSpec, ...] = (
    SuiteSpec(
        name="raw_crawl",
        table="raw.judiciary_pfd__reports",
        asset_key=("raw", "judiciary_pfd__reports"),
        description=raw_crawl.DESCRIPTION,
        load_frame=raw_crawl.load_frame,
        build_expectations=raw_crawl.build_expectations,
        entity_column="report_url",
        index_columns=("report_url",),
        blocking=True,
    ),
    SuiteSpec(
        name="hssib_raw_crawl",
        table=hssib_raw_crawl.TABLE,
        asset_key=("raw", "hssib_recommendations__recommendations"),
        description=hssib_raw_crawl.DESCRIPTION,
        load_frame=hssib_raw_crawl.load_frame,
        build_expectations=hssib_raw_crawl.build_expectations,
        entity_column="recommendation_key",
        index_columns=("recommendation_key",),
        blocking=True,
    ),
    SuiteSpec(
        name="returns_reconciliation",
        table="main.audit_returns_reconciliation",
        asset_key=("audit_returns_reconciliation",),
        description=returns_reconciliation.DESCRIPTION,
        load_frame=returns_reconciliation.load_frame,
        build_expectations=returns_reconciliation.build_expectations,
        entity_column="entity",
        index_columns=("return_row_id", "entity", "period_start", "period_end"),
    ),
    SuiteSpec(
        name="coroner_area_completeness",
        table=coroner_area_completeness.TABLE,
        asset_key=("audit_publication_completeness",),
        description=coroner_area_completeness.DESCRIPTION,
        load_frame=coroner_area_completeness.load_frame,
        build_expectations=coroner_area_completeness.build_expectations,
        entity_column="coroner_area",
        index_columns=("coroner_area",),
    ),
    SuiteSpec(
        name="ref_sequence_gaps",
        table=ref_sequence_gaps.TABLE,
        asset_key=("audit_ref_sequence_gaps",),
        description=ref_sequence_gaps.DESCRIPTION,
        load_frame=ref_sequence_gaps.load_frame,
        build_expectations=ref_sequence_gaps.build_expectations,
        entity_column="ref_year",
        index_columns=("ref_year", "missing_refs"),
    ),
    SuiteSpec(
        name="hssib_overdue",
        table=hssib_overdue.TABLE,
        asset_key=("fct_safety_recommendations",),
        description=hssib_overdue.DESCRIPTION,
        load_frame=hssib_overdue.load_frame,
        build_expectations=hssib_overdue.build_expectations,
        entity_column="organisation_name",
        index_columns=hssib_overdue.INDEX_COLUMNS,
    ),
    SuiteSpec(
        name="foi_campaign",
        table=foi.TABLE,
        asset_key=("audit_foi_campaign",),
        description=foi.DESCRIPTION,
        load_frame=foi.load_frame,
        build_expectations=foi.build_expectations,
        entity_column="organisation_name",
        index_columns=foi.INDEX_COLUMNS,
    ),
)


def suite(name: str) -> SuiteSpec:
    for spec in SUITES:
        if spec.name == name:
            return spec
    raise KeyError(f"no audit suite {name!r}; known: {', '.join(s.name for s in SUITES)}")


__all__ = ["SUITES", "AuditConfig", "SuiteSpec", "suite"]
