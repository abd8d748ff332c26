"""Shared fixtures: the dbt manifest (prepared once, like the build step) and run config that
points every resource at a temporary data dir and the small 2013-10-31 snapshot window."""

from pathlib import Path

import pytest

SMALL_WINDOW = "2013-10-31"  # 63 reports and 9 legacy posts on the snapshot that day


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    from orchestration.defs.dbt_project import prepare_dbt_manifest

    return prepare_dbt_manifest()


@pytest.fixture(scope="session")
def code_location(dbt_manifest):
    from orchestration.definitions import build_definitions

    return build_definitions()


def resource_config(data_dir: Path, as_of: str = SMALL_WINDOW) -> dict:
    return {
        "resources": {
            "warehouse": {
                "config": {
                    "path": str(data_dir / "warehouse" / "pfd.duckdb"),
                    "data_dir": str(data_dir),
                }
            },
            "crawler": {
                "config": {"source": "snapshot", "as_of": as_of, "scrapy_log_level": "WARNING"}
            },
        }
    }
