"""Fixtures shared by the returns-file tests (count returns, FOI report lists and request logs)."""

from pathlib import Path

import duckdb
import pytest


@pytest.fixture
def warehouse(tmp_path) -> Path:
    """An empty warehouse: the raw load needs no dbt build, mart or macro (dbt resolves names)."""
    path = tmp_path / "warehouse" / "pfd.duckdb"
    path.parent.mkdir()
    duckdb.connect(str(path)).close()
    return path
