"""The dbt project, its key, group, owner and description rules, and the build step that writes
its manifest.

Kept apart from ``orchestration.defs.dbt`` (which reads the manifest when imported) so the
build step can run before any manifest exists.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dagster import AssetKey, AssetSpec, MetadataValue
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from orchestration.defs.metadata import asset_tags, owners_for_group
from orchestration.sources.registry import RAW_SCHEMA
from orchestration.warehouse.dbt_cli import DBT_PROJECT_DIR, dbt_args
from orchestration.warehouse.docs import url as docs_site_url

SEEDS_GROUP = "seeds"
DBT_DOCS_URL_ENV = "PFDW_DBT_DOCS_URL"
DEFAULT_DBT_DOCS_URL = docs_site_url().rstrip("/")  # where `make docs` serves the dbt docs
DBT_DOCS_KEY = "dbt_docs"

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


def dbt_docs_base_url() -> str:
    """The dbt docs site asset pages link to: $PFDW_DBT_DOCS_URL, else where `make docs` serves
    them. Read when the definitions are built."""
    base = os.environ.get(DBT_DOCS_URL_ENV, "").strip() or DEFAULT_DBT_DOCS_URL
    if not base.startswith(("http://", "https://")):
        raise ValueError(
            f"{DBT_DOCS_URL_ENV}={base!r} is not a URL: give http://host:port (default"
            f" {DEFAULT_DBT_DOCS_URL})"
        )
    return base.rstrip("/")


def dbt_docs_url(base: str, resource_type: str, unique_id: str) -> str:
    """The page of one model, seed, snapshot or source in the dbt docs site."""
    return f"{base}/#!/{resource_type}/{unique_id}"


class PfdDbtTranslator(DagsterDbtTranslator):
    """dbt sources are the raw assets (``raw/<table>``); groups are the dbt folders; owners and
    tags follow the group (``orchestration.defs.metadata``); the description is the YAML's, never
    the raw SQL; every node links to its dbt docs page."""

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

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        # dagster-dbt appends the raw SQL (and falls back to it): the YAML description is what a
        # reader needs, and the SQL is one click away in the dbt docs link.
        description = (dbt_resource_props.get("description") or "").strip()
        return description or (
            f"dbt {dbt_resource_props['resource_type']} {dbt_resource_props['name']}"
        )

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        # ``meta: {dagster: {owners: [...]}}`` in the dbt YAML wins; else the group's owners.
        return super().get_owners(dbt_resource_props) or owners_for_group(
            self.get_group_name(dbt_resource_props)
        )

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        key = self.get_asset_key(dbt_resource_props)
        group = self.get_group_name(dbt_resource_props)
        return {**super().get_tags(dbt_resource_props), **asset_tags(key.path, group)}

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        url = dbt_docs_url(
            dbt_docs_base_url(),
            dbt_resource_props["resource_type"],
            dbt_resource_props["unique_id"],
        )
        return {**super().get_metadata(dbt_resource_props), DBT_DOCS_KEY: MetadataValue.url(url)}

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetSpec:
        # The materialisation (table, view, seed) as a kind beside dbt and duckdb.
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        kind = (
            "seed"
            if props["resource_type"] == "seed"
            else props.get("config", {}).get("materialized")
        )
        return spec.merge_attributes(kinds={kind}) if kind in ("table", "view", "seed") else spec


translator = PfdDbtTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True,
        enable_source_tests_as_checks=True,
    )
)


def source_docs_links(manifest_path: Path | None = None) -> dict[AssetKey, MetadataValue]:
    """The dbt docs page of every dbt source, by the raw asset it maps onto (the raw assets are
    defined by the loads, not by dbt, so the code location adds these links to them)."""
    manifest = json.loads(
        (manifest_path or pfd_dbt_project.manifest_path).read_text(encoding="utf-8")
    )
    base = dbt_docs_base_url()
    return {
        translator.get_asset_key(props): MetadataValue.url(
            dbt_docs_url(base, "source", props["unique_id"])
        )
        for props in manifest.get("sources", {}).values()
    }
