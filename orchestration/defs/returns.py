"""Returns (FOI answers, official statements) as a Dagster asset: the raw returns tables.

- ``raw/returns__files`` + ``raw/returns__rows`` (count returns), ``raw/returns__report_lines``
  (FOI report lists: filled packs, bodies' own lists) and ``raw/returns__requests`` (FOI request
  logs), one ``load__returns`` step: loads the real returns that ship with the project and every
  .csv/.xlsx in ``<data dir>/inbox/returns/`` into this run's working copy, each file as the kind
  its sheets and header say (``foi_files.detect_kind``); the metadata counts files by kind. A
  raw source with no upstream: it reads no mart and no dbt macro, so it loads on an empty
  warehouse and the whole dbt project builds after it in one ``dbt build``. A file that
  fails the raw checks (columns, types, dates, periods, duplicates, limits) is quarantined
  (moved, for an inbox file) with its reason and reported in the metadata, and nothing from it
  is loaded. Names are loaded as written: dbt resolves them, and a file version with a name that
  resolves to nothing is held out of the reconciliation as a whole while the previously accepted
  version stays current (``main.audit_returns_unresolved`` lists file, row, column and name; the
  ``gx_returns_reconciliation`` check fails naming them). Such an inbox file is not moved.
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

from orchestration.defs.collection import RAW_GROUP
from orchestration.defs.resources import WarehouseResource
from orchestration.sources.returns import load as returns

RETURNS_TABLES = (
    returns.FILES_TABLE,
    returns.ROWS_TABLE,
    returns.REPORT_LINES_TABLE,
    returns.REQUESTS_TABLE,
)
TABLE_DESCRIPTIONS = {
    returns.FILES_TABLE: "every returns file version loaded (name, checksum, kind, current or"
    " superseded)",
    returns.ROWS_TABLE: "count returns: FOI answers and official statements of reports received"
    " or issued",
    returns.REPORT_LINES_TABLE: "FOI report lists: every line of a filled request pack or a"
    " body's own list, with its answer",
    returns.REQUESTS_TABLE: "FOI request log: one row per organisation and request, with the"
    " statutory due date computed at load",
}
INBOX_SUBDIR = Path("inbox") / "returns"


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
                            "kind": result.file_kind, "rows": result.rows_loaded,
                            "message": result.message})  # fmt: skip
    return report


def _by_kind(entries: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry["kind"]] = counts.get(entry["kind"], 0) + 1
    return dict(sorted(counts.items()))


@multi_asset(
    name="load__returns",
    specs=[
        AssetSpec(
            key=returns_key(table),
            group_name=RAW_GROUP,
            kinds={"duckdb"},
            description=f"raw.{table}: {TABLE_DESCRIPTIONS[table]}. Loaded all or nothing per"
            " file with their history, names as written (orchestration.sources.returns.load;"
            " dbt resolves the names).",
        )
        for table in RETURNS_TABLES
    ],
)
def load_returns(context: AssetExecutionContext, warehouse: WarehouseResource):
    working = warehouse.working_copy(context.run_id)
    data_dir = warehouse.data_directory()
    returns.upgrade_schema(working)  # a warehouse from before the FOI kinds gets their tables
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
        "files_loaded_by_kind": MetadataValue.json(_by_kind(report["loaded"])),
        "current_files_by_kind": MetadataValue.json(returns.files_by_kind(working)),
    }
    for table in RETURNS_TABLES:
        yield MaterializeResult(asset_key=returns_key(table), metadata=metadata)
