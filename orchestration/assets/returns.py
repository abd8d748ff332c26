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
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    OpExecutionContext,
    multi_asset,
    op,
)
from pydantic import Field

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


def inbox_files(data_dir: Path) -> list[Path]:
    inbox = Path(data_dir) / INBOX_SUBDIR
    if not inbox.is_dir():
        return []
    return sorted(
        p
        for p in inbox.iterdir()
        if p.is_file()
        and p.suffix.lower() in (".csv", ".xlsx")
        and not p.name.startswith(("~$", ".", "_"))
    )


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

    from orchestration.assets.dbt import _require_manifest, _warehouse_env
    from orchestration.assets.dbt_project import pfd_dbt_project, translator

    @dbt_assets(
        manifest=_require_manifest(),
        project=pfd_dbt_project,
        dagster_dbt_translator=translator,
        select=RETURNS_DBT_SELECT,
        name="pfd_dbt_returns",
    )
    def _returns_models(
        context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
    ):
        working = warehouse.working_copy(context.run_id)
        with _warehouse_env(working):
            invocation = dbt.cli(["build"], context=context, raise_on_error=False)
        yield from invocation.stream()
        if not invocation.is_successful():
            raise Failure("dbt build of the returns models failed; see the dbt log")

    return _returns_models


class ReturnsFileConfig(Config):
    path: str = Field(description="The returns file in the inbox")
    sha256: str = Field(description="Checksum of the file version that triggered the run")


@op(
    description="Validate and load one returns file version from the inbox into the published"
    " warehouse's working copy; a bad file is quarantined with its reason and the run fails"
    " naming file, row and column."
)
def load_returns_inbox_file(
    context: OpExecutionContext, config: ReturnsFileConfig, warehouse: WarehouseResource
):
    working = warehouse.working_copy(context.run_id)
    try:
        result = returns.load_returns_file(
            Path(config.path), working, warehouse.data_directory(), move_bad_file=True
        )
    except returns.ReturnsFileError as exc:
        raise Failure(
            description=f"returns file rejected:\n{exc}",
            metadata={"problems": MetadataValue.json([str(p) for p in exc.problems])},
        ) from exc
    context.log.info(result.message)
    return result.message
