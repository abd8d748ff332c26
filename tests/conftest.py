"""Session fixtures shared across test folders: one build of the HSSIB sample."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class HssibSample:
    """The snapshot's HSSIB section crawled and loaded twice by ``collect_hssib`` (so the raw
    suite compares a run with the previous one) beside ten real coroners' reports, then
    ``dbt build`` as of ``as_of``. Read it; copy it before changing it."""

    warehouse: Path
    loads: list
    as_of: str


@pytest.fixture(scope="session")
def hssib_sample(tmp_path_factory) -> HssibSample:
    from orchestration.sources.hssib_recommendations.collect import collect_hssib
    from tests.dbt.sample_warehouse import SAMPLE_CSV, build_raw_warehouse, run_dbt_build

    as_of = "2026-02-01"
    root = tmp_path_factory.mktemp("hssib_sample")
    warehouse = root / "pfd.duckdb"
    build_raw_warehouse(warehouse, SAMPLE_CSV)
    first = collect_hssib(warehouse=warehouse, runs_root=root / "runs")
    second = collect_hssib(warehouse=warehouse, runs_root=root / "runs")
    result = run_dbt_build(warehouse, root, as_of=as_of)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return HssibSample(warehouse, [first.load, second.load], as_of)
