"""Returns (FOI answers, official statements) as Dagster assets: the raw returns tables and the
dbt returns models (staging, resolution, reconciliation mart).

- ``raw/returns__files`` + ``raw/returns__rows`` (``load__returns``): loads the real returns that
  ship with the project and every .csv/.xlsx in ``<data dir>/inbox/returns/`` into this run's
  working copy. Names are checked against the marts, so it runs after ``dim_organisations`` and
  ``dim_coroner_areas``; a bad inbox file is quarantined (moved) with its reason and reported in
  the metadata, and nothing from it is loaded.
- ``returns_dbt_assets()``: the dbt models under ``models/*/returns`` as their own ``@dbt_assets``
  (the main dbt assets must exclude ``RETURNS_DBT_SELECT``), so the graph is
  marts -> raw returns -> returns models without a cycle.

Nothing is read at import: the dbt assets are built by a function (it reads the manifest).
"""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from orchestration import returns
from orchestration.resources import WarehouseResource

RAW_GROUP = "raw"
RETURNS_TABLES = (returns.FILES_TABLE, returns.ROWS_TABLE)
RETURNS_DBT_SELECT = (
    "path:models/staging/returns path:models/intermediate/returns path:models/marts/audit/returns"
)
INBOX_SUBDIR = Path("inbox") / "returns"
NAME_SOURCES = (AssetKey(["dim_organisations"]), AssetKey(["dim_coroner_areas"]))


def returns_key(table: str) -> AssetKey:
    return AssetKey(["raw", table])


def is_returns_file(path: Path) -> bool:
    # Editors' lock files (~$x.xlsx, .~lock.x.csv#) and half-copied files are not returns.
    return (
        path.is_file()
        and path.suffix.lower() in (".csv", ".xlsx")
        and not path.name.startswith(("~$", ".", "_"))
    )


def inbox_files(data_dir: Path) -> list[Path]:
    inbox = Path(data_dir) / INBOX_SUBDIR
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir() if is_returns_file(p))


def load_all(warehouse: Path, data_dir: Path, files: list[Path], move_bad: bool) -> dict:
    """Load each file; returns loaded / unchanged / rejected lists for the metadata."""
    report: dict = {"loaded": [], "unchanged": [], "rejected": []}
    for path in files:
        try:
            result = returns.load_returns_file(path, warehouse, data_dir, move_bad_file=move_bad)
        except returns.ReturnsFileError as exc:
            report["rejected"].append(
                {
                    "file": path.name,
                    "problems": [str(p) for p in exc.problems],
                    "quarantined_to": str(exc.quarantined_to or ""),
                }  # fmt: skip
            )
            continue
        key = "loaded" if result.status == "loaded" else "unchanged"
        report[key].append({"file": path.name, "sha256": result.file_sha256,
                            "rows": result.rows_loaded, "message": result.message})  # fmt: skip
    return report


@multi_asset(
    name="load__returns",
    specs=[
        AssetSpec(
            key=returns_key(table),
            group_name=RAW_GROUP,
            deps=list(NAME_SOURCES),
            kinds={"duckdb"},
            description=f"raw.{table}: FOI answers and official statements (returns), loaded"
            " all or nothing per file with their history (orchestration.returns).",
        )
        for table in RETURNS_TABLES
    ],
)
def load_returns(context: AssetExecutionContext, warehouse: WarehouseResource):
    working = warehouse.working_copy(context.run_id)
    data_dir = warehouse.data_directory()
    report = load_all(working, data_dir, returns.bundled_returns_files(), move_bad=False)
    inbox = load_all(working, data_dir, inbox_files(data_dir), move_bad=True)
    for key in report:
        report[key] += inbox[key]
    for rejected in report["rejected"]:
        context.log.warning("returns file %s rejected: %s", rejected["file"], rejected["problems"])
    history = returns.file_history(working)
    metadata = {
        "files_loaded": len(report["loaded"]),
        "files_unchanged": len(report["unchanged"]),
        "files_rejected": len(report["rejected"]),
        "load_report": MetadataValue.json(report),
        "file_versions": len(history),
        "current_files": sum(1 for h in history if h[4]),
    }
    for table in RETURNS_TABLES:
        yield MaterializeResult(asset_key=returns_key(table), metadata=metadata)


def returns_dbt_assets():
    """The dbt returns models as their own assets (reads the dbt manifest: call, don't import)."""
    from dagster_dbt import DbtCliResource, dbt_assets

    from orchestration.assets.dbt import _require_manifest, dbt_build
    from orchestration.assets.dbt_project import pfd_dbt_project, translator
    from orchestration.resources import CrawlerResource

    @dbt_assets(
        manifest=_require_manifest(),
        project=pfd_dbt_project,
        dagster_dbt_translator=translator,
        select=RETURNS_DBT_SELECT,
        name="pfd_dbt_returns",
    )
    def _returns_models(
        context: AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
        crawler: CrawlerResource,
    ):
        yield from dbt_build(context, dbt, warehouse, crawler, upstream_builds=("pfd_dbt",))

    return _returns_models
