"""Session fixture: one dbt build of the real-row sample, shared by the dbt tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dbt.sample_warehouse import (
    SAMPLE_CSV,
    TEXT_SAMPLE_CSV,
    TEXT_SAMPLE_TEXTS_CSV,
    build_raw_warehouse,
    run_dbt_build,
)


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    work_dir = tmp_path_factory.mktemp("dbt_sample")
    warehouse = work_dir / "pfd.duckdb"
    build_raw_warehouse(warehouse, SAMPLE_CSV)
    result = run_dbt_build(warehouse, work_dir, as_of="2026-02-01")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return warehouse


@pytest.fixture(scope="session")
def text_sample_warehouse(tmp_path_factory) -> Path:
    """A build of real rows chosen for the report-text, recipient-source and status rules."""
    work_dir = tmp_path_factory.mktemp("dbt_text_sample")
    warehouse = work_dir / "pfd.duckdb"
    build_raw_warehouse(warehouse, TEXT_SAMPLE_CSV, TEXT_SAMPLE_TEXTS_CSV)
    result = run_dbt_build(warehouse, work_dir, as_of="2026-02-01")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return warehouse
