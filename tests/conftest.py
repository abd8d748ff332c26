"""Session fixtures shared across test folders (one build of the HSSIB sample), and how `make
test` splits the suite between its two pytest-xdist workers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

# The test files that read the shared Dagster runs (the session fixture ``cli_pipeline``: three
# full runs, the costliest fixture). tests/test_layout.py checks that the list is complete.
SHARED_RUN_FILES = frozenset(
    {
        "tests/orchestration/defs/test_materialize.py",
        "tests/orchestration/defs/test_search_asset.py",
        "tests/orchestration/defs/test_ui_e2e.py",
    }
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test` runs two pytest-xdist workers: whole test files go to a worker (a module's
    fixtures are built once), and the files of the shared Dagster runs go to the same worker, so
    those runs are made once."""
    from xdist.scheduler import LoadScopeScheduling

    class FilesAndSharedRuns(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "shared-dagster-runs" if path in SHARED_RUN_FILES else path

    return FilesAndSharedRuns(config, log)


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
