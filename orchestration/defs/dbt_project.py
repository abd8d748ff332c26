"""The dbt project, its key and group rules, and the build step that writes its manifest.

Kept apart from ``orchestration.defs.dbt`` (which reads the manifest when imported) so the
build step can run before any manifest exists.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from orchestration.sources.registry import RAW_SCHEMA
from orchestration.warehouse.dbt_cli import DBT_PROJECT_DIR, dbt_args

SEEDS_GROUP = "seeds"

pfd_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


PROJECT_FILE_DIRS = ("models", "seeds", "macros", "tests", "snapshots", "analyses")


def manifest_is_current() -> bool:
    """True when the manifest is newer than every file dbt parses (then parsing is skipped)."""
    manifest = pfd_dbt_project.manifest_path
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in PROJECT_FILE_DIRS:
        sources += [p for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file()]
    return all(p.stat().st_mtime <= built for p in sources if p.exists())


def prepare_dbt_manifest(force: bool = False) -> Path:
    """Write dbt_project/target/manifest.json with ``dbt parse`` (the build step), unless it is
    already newer than every project file."""
    if not force and manifest_is_current():
        return pfd_dbt_project.manifest_path
    completed = subprocess.run(
        dbt_args(["parse", "--quiet"]), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"dbt parse failed (exit {completed.returncode}):\n{completed.stdout}{completed.stderr}"
        )
    return pfd_dbt_project.manifest_path


class PfdDbtTranslator(DagsterDbtTranslator):
    """dbt sources are the raw assets (``raw/<table>``); groups are the dbt folders."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            table = dbt_resource_props.get("identifier") or dbt_resource_props["name"]
            return AssetKey([RAW_SCHEMA, table])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "seed":
            return SEEDS_GROUP
        if resource_type in ("model", "snapshot"):
            fqn = dbt_resource_props.get("fqn") or []
            # fqn = [project, folder, ..., name]: the folder under models/ is the group.
            return fqn[1] if len(fqn) > 2 else "models"
        return super().get_group_name(dbt_resource_props)


translator = PfdDbtTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True,
        enable_source_tests_as_checks=True,
    )
)
