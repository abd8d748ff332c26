"""A real warehouse for the analyst tests: the offline snapshot as of 2015-12-31 (the first
reports to mental health trusts are from late 2014), crawled, loaded and built with dbt once per
session, statuses as of the same day."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from orchestration.warehouse.dbt_cli import run_dbt

WINDOW = dt.date(2015, 12, 31)


@pytest.fixture(scope="session")
def window_warehouse(tmp_path_factory) -> Path:
    from orchestration.sources.judiciary_pfd.collect import collect_judiciary_pfd

    work_dir = tmp_path_factory.mktemp("analyst_window")
    warehouse = work_dir / "pfd.duckdb"
    collect_judiciary_pfd(
        warehouse=warehouse,
        runs_root=work_dir / "runs",
        mode="full",
        as_of=WINDOW,
    )
    result = build_marts(warehouse, work_dir, as_of=WINDOW.isoformat())
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return warehouse


def build_marts(warehouse: Path, work_dir: Path, as_of: str) -> subprocess.CompletedProcess:
    """dbt build without dbt's unit tests (those are the dbt test suite's job, in tests/dbt)."""
    return run_dbt(
        ["build", "--exclude", "test_type:unit"],
        warehouse,
        work_dir,
        dbt_vars=f"{{as_of: '{as_of}'}}",
        timeout=900,
    )


@pytest.fixture
def pfdw(window_warehouse, monkeypatch, tmp_path, capsys):
    """Run the command line against the window warehouse; returns (exit code, stdout, stderr)."""
    from orchestration.cli import main

    monkeypatch.setenv("PFDW_WAREHOUSE_PATH", str(window_warehouse))
    monkeypatch.setenv("PFDW_DATA_DIR", str(tmp_path / "data"))

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
