"""The dbt project as Dagster assets: one ``dbt build`` so every dbt test is an asset check.

- Keys: models and seeds by name; dbt sources map onto the raw assets (``raw/<identifier>``),
  so crawl -> raw -> staging -> marts is one connected graph. The raw returns are a raw source
  like the crawls, so the whole project (returns models included) is one ``@dbt_assets`` and
  one ``dbt build`` per run; a job that selects part of it builds that part.
- Groups: the first folder under models/ (staging, intermediate, marts) and ``seeds``.
- dbt runs against this run's working copy of the warehouse (``orchestration.warehouse.publish``).
- A failing dbt test carries its failing rows: ``--store-failures`` keeps them in the
  ``dbt_test__audit`` schema, and they are read back into the check's metadata.
- Every model and seed carries Dagster's standard table metadata, ``dagster/row_count`` (tables
  and seeds; views are not counted, as in dagster-dbt) and ``dagster/column_schema``, read from
  the working copy read-only after dbt exits (``dbt_builds.table_metadata``). Not dagster-dbt's
  ``fetch_row_counts()`` / ``fetch_column_metadata()``: they do wait for dbt to exit (DuckDB's
  single writer) and then work, but through dbt-duckdb, which keeps that read-only DuckDB
  instance open in this process afterwards (a class-level environment); DuckDB then refuses
  any other connection to the file from the process ("different configuration"): recording the
  build failed so, and the publication step (same process) would too. Releasing it means
  reaching into dbt-duckdb's private state, so the step reads the same two keys itself.
- Output: dagster-dbt echoes every dbt log line (about 500 for a full build) to stdout; here they
  go to the step's DEBUG log, and INFO gets one summary line (models, seeds, tests passed /
  warned / failed, seconds); warned tests are named at WARNING, failed nodes at ERROR.

Skipping an unchanged build
---------------------------
A no-change daily run must not spend 20 s rebuilding identical tables, and must not print one
"blocking asset check emitted no result" warning per dbt test and downstream step (172): that is
what Dagster prints when a step that owns blocking checks ends without a result for them.

- dbt's own mechanism (``--state`` with ``state:modified+`` / ``source_status:fresher+``) cannot
  decide it: ``state:modified`` compares project code only, not data and not ``--vars`` (the
  ``as_of`` logical date changes every status daily and must rebuild); ``source_status:fresher``
  compares ``loaded_at_field`` timestamps, and every raw table's timestamps move on each refetch
  of an unchanged page, so it would rebuild every day. And the nodes dbt leaves out still emit
  no result, so Dagster would print the same warnings.
- Dagster's data versions / declarative automation decide which assets a *run* selects (the
  daemon launches the stale subset). The jobs here have fixed selections (schedules, sensors,
  ``make run``), and staleness cannot see the ``as_of`` var either.
- So the step decides (``orchestration.defs.dbt_builds``: a fingerprint of the raw content
  without fetch bookkeeping, the logical date, the dbt project and the selection) and then
  answers in Dagster's own terms: a skipped build reports every selected model as materialized
  (with its row count and column schema, and the run that built it), and every selected dbt
  test with the result the last build recorded for it (the same SQL over the same data), marked
  "not re-run". Every blocking check has its result, so Dagster gates downstream steps as
  usual and prints no warning.

The manifest is prepared by a build step (``prepare_dbt_manifest``, i.e. ``dbt parse``) and
read when the definitions are built (``build_dbt_assets``), never at import; without it the
error says how to make it.
"""

import contextlib
import graphlib
import io
import json
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
)
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.dbt_builds import (
    build_inputs,
    fingerprint,
    last_builds,
    record_build,
    table_metadata,
)
from orchestration.defs.dbt_project import pfd_dbt_project, translator
from orchestration.defs.metadata import markdown_table
from orchestration.defs.resources import CrawlerResource, WarehouseResource
from orchestration.sources.registry import BOOKKEEPING_TABLES, RAW_SCHEMA
from orchestration.warehouse import connection
from orchestration.warehouse.dbt_cli import dbt_vars

BUILD_NAME = "pfd_dbt"
FAILING_ROWS_SHOWN = 20
UNIQUE_ID_KEY = "dagster_dbt/unique_id"  # dagster-dbt's spec metadata key


def _failing_rows(warehouse: Path, relations: Mapping[str, str], check: AssetCheckResult):
    """Read the failing rows dbt stored for a failed test (``--store-failures``)."""
    unique_id = check.metadata.get("unique_id")
    relation = relations.get(unique_id.value if unique_id else "")
    if not relation:
        return None
    with connection.connect(warehouse, read_only=True) as con:
        # The relation name comes from dbt's run results, never from scraped text.
        cursor = con.execute(f"SELECT * FROM {relation} LIMIT {FAILING_ROWS_SHOWN}")  # noqa: S608
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    return relation, columns, rows


def _with_failing_rows(warehouse: Path, relations, event: AssetCheckResult) -> AssetCheckResult:
    found = _failing_rows(warehouse, relations, event)
    if not found:
        return event
    relation, columns, rows = found
    metadata = dict(event.metadata)
    metadata["failing_rows"] = MetadataValue.md(markdown_table(columns, rows))
    metadata["failing_rows_json"] = MetadataValue.json(
        [
            {
                c: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v))
                for c, v in zip(columns, row, strict=True)
            }
            for row in rows
        ]
    )
    metadata["failing_rows_table"] = relation
    return AssetCheckResult(
        asset_key=event.asset_key,
        check_name=event.check_name,
        passed=event.passed,
        severity=event.severity,
        description=event.description,
        metadata=metadata,
    )


def _require_manifest() -> Path:
    if not pfd_dbt_project.manifest_path.exists():
        raise FileNotFoundError(
            f"dbt manifest not found at {pfd_dbt_project.manifest_path}: prepare it first with"
            " `pfdw prepare` (runs `dbt parse`)"
        )
    return pfd_dbt_project.manifest_path


def _check_name(key) -> str:
    return f"{key.asset_key.to_user_string()}:{key.name}"


def can_skip(previous: tuple | None, current: str, checks: Mapping) -> bool:
    """The last build had these inputs and recorded a result for every selected test (a record
    from before test results were kept never skips)."""
    return bool(previous) and previous[0] == current and set(checks) <= set(previous[3] or ())


def dbt_build(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    crawler: CrawlerResource,
) -> Iterator:
    """``dbt build`` of the selected models into this run's working copy, unless the last
    successful build in this warehouse had the same inputs (then the models and tests are
    reported as that build left them, see the module docstring). Failed tests carry their
    failing rows; a failed build fails the step naming the failed nodes."""
    working = warehouse.working_copy(context.run_id)
    as_of = crawler.logical_as_of()
    own_keys = set(context.assets_def.keys)
    raw_tables = [
        k.path[1]
        for k in context.assets_def.dependency_keys
        if k.path[0] == RAW_SCHEMA and k not in own_keys and k.path[1] not in BOOKKEEPING_TABLES
    ]
    checks = {_check_name(k): k for k in context.selected_asset_check_keys}
    selection = [k.to_user_string() for k in context.selected_asset_keys] + sorted(checks)
    manifest = json.loads(_require_manifest().read_text(encoding="utf-8"))
    with connection.connect(working, read_only=True) as con:
        previous = last_builds(con).get(BUILD_NAME)
        inputs = build_inputs(
            con, raw_tables, as_of or datetime.now(UTC).date(), manifest, selection
        )
    current = fingerprint(inputs)
    if can_skip(previous, current, checks):
        yield from _unchanged_build(context, manifest, working, previous, checks)
        return
    results: dict[str, dict] = {}
    for event in _run_dbt_build(context, dbt, working, as_of, manifest):
        if isinstance(event, AssetCheckResult):
            results[f"{event.asset_key.to_user_string()}:{event.check_name}"] = {
                "passed": event.passed,
                "severity": event.severity.value,
            }
        yield event
    with connection.connect(working) as con:
        record_build(con, BUILD_NAME, current, context.run_id, inputs, results)


def _relations(context: AssetExecutionContext, manifest: Mapping) -> dict[str, tuple]:
    """Selected asset (user string) -> (schema, table, is_view) of its dbt node."""
    relations = {}
    for key in context.selected_asset_keys:
        unique_id = context.assets_def.specs_by_key[key].metadata.get(UNIQUE_ID_KEY)
        node = manifest.get("nodes", {}).get(unique_id)
        if node and node.get("resource_type") in ("model", "seed", "snapshot"):
            is_view = node.get("config", {}).get("materialized") == "view"
            relations[key.to_user_string()] = (node["schema"], node["alias"], is_view)
    return relations


def _with_table_metadata(events: list, metadata: Mapping[str, dict]) -> Iterator:
    """The events with each model's table metadata added (dagster-dbt yields an ``Output`` named
    after the asset key for a model, seed or snapshot)."""
    by_output = {AssetKey.from_user_string(k).to_python_identifier(): k for k in metadata}
    for event in events:
        name = by_output.get(getattr(event, "output_name", None))
        if name is not None and not isinstance(event, AssetCheckResult):
            event = event.with_metadata({**event.metadata, **metadata[name]})
        yield event


def _unchanged_build(context, manifest, working: Path, previous: tuple, checks: dict) -> Iterator:
    _, run_id, built_at, results = previous
    context.log.info(
        "dbt build skipped: its inputs are unchanged since run %s (%s); %d models and %d tests"
        " reported as that build left them",
        run_id,
        built_at,
        len(context.selected_asset_keys),
        len(checks),
    )
    with connection.connect(working, read_only=True) as con:
        tables = table_metadata(con, _relations(context, manifest))
    # Dagster wants a multi-asset's materializations in dependency order.
    deps = context.assets_def.asset_deps
    selected = set(context.selected_asset_keys)
    order = graphlib.TopologicalSorter(
        {key: deps.get(key, set()) & selected for key in selected}
    ).static_order()
    for key in order:
        yield MaterializeResult(
            asset_key=key,
            metadata={
                **tables.get(key.to_user_string(), {}),
                "dbt_build": "skipped: inputs unchanged",
                "built_by_run": run_id,
                "built_at": str(built_at),
            },
        )
    for name, key in sorted(checks.items()):
        result = results[name]
        yield AssetCheckResult(
            asset_key=key.asset_key,
            check_name=key.name,
            passed=result["passed"],
            severity=AssetCheckSeverity(result["severity"]),
            description="Not re-run: the build's inputs are unchanged; the result of run"
            f" {run_id}.",
            metadata={"dbt_build": "skipped: inputs unchanged", "result_of_run": run_id},
        )


class _DebugLines(io.TextIOBase):
    """A stdout stand-in: each complete line dagster-dbt echoes from dbt goes to the DEBUG log."""

    def __init__(self, log) -> None:
        self._log = log
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            if line.strip():
                self._log.debug(line)
        return len(text)


def _run_dbt_build(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    working: Path,
    as_of,
    manifest: Mapping,
):
    # The warehouse path is a dbt var that profiles.yml reads: this run's working copy, given to
    # this dbt process alone (nothing in this process's environment changes).
    extra = {"as_of": as_of.isoformat()} if as_of is not None else {}
    args = ["build", "--store-failures", "--vars", dbt_vars(working, extra)]
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    # dbt holds the DuckDB file until it exits, so the events are collected, and the failing rows
    # and table metadata read afterwards.
    events = []
    try:
        with contextlib.redirect_stdout(_DebugLines(context.log)):
            events = list(invocation.stream())
    finally:
        # If streaming broke off, dbt must not outlive the step holding the working copy's lock.
        if invocation.process.poll() is None:
            invocation.process.terminate()
            invocation.process.wait(timeout=60)
    results = _run_results(invocation)
    _log_summary(context, results)
    relations = {
        r["unique_id"]: r["relation_name"]
        for r in results.get("results", [])
        if r.get("unique_id", "").startswith("test.") and r.get("relation_name")
    }
    with connection.connect(working, read_only=True) as con:
        tables = table_metadata(con, _relations(context, manifest))
    for event in _with_table_metadata(events, tables):
        if isinstance(event, AssetCheckResult) and not event.passed:
            event = _with_failing_rows(working, relations, event)
        yield event
    if not invocation.is_successful():
        if not results:
            # dbt stopped before running any node (a project that does not parse, a bad
            # profile): its own message is the reason a person needs to see.
            raise Failure(
                description=f"dbt build failed before running any node: {invocation.get_error()}"
            )
        failed = sorted(
            r["unique_id"] for r in results["results"] if r.get("status") in ("error", "fail")
        )
        raise Failure(
            description="dbt build failed: " + (", ".join(failed) or "see the dbt log"),
            metadata={"failed_nodes": MetadataValue.json(failed)},
        )


def _run_results(invocation) -> dict:
    try:
        return invocation.get_artifact("run_results.json")
    except OSError:  # dbt died before writing it; the step fails anyway
        return {}


def _log_summary(context: AssetExecutionContext, run_results: Mapping) -> None:
    """One INFO line for the build; the tests that warned at WARNING, what failed at ERROR."""
    results = run_results.get("results", [])
    if not results:
        return
    kinds = Counter(r["unique_id"].split(".", 1)[0] for r in results)
    statuses = Counter(
        r.get("status") for r in results if r["unique_id"].startswith(("test.", "unit_test."))
    )
    built = ", ".join(
        f"{kinds[kind]} {label}" for kind, label in (("model", "models"), ("seed", "seeds"))
    )
    seconds = run_results.get("elapsed_time") or 0
    context.log.info(
        "dbt build: %s, %d tests (%d passed, %d warned, %d failed), %d skipped, in %.1f s",
        built,
        sum(statuses.values()),
        statuses["pass"],
        statuses["warn"],
        statuses["fail"] + statuses["error"],
        sum(1 for r in results if r.get("status") == "skipped"),
        seconds,
    )
    warned = sorted(r["unique_id"] for r in results if r.get("status") == "warn")
    if warned:
        context.log.warning("dbt tests with warnings: %s", ", ".join(warned))
    failed = sorted(r["unique_id"] for r in results if r.get("status") in ("fail", "error"))
    if failed:
        context.log.error("dbt nodes failed: %s", ", ".join(failed))


def build_dbt_assets() -> list:
    """The dbt project as one ``@dbt_assets`` (reads the manifest: call it, never at import)."""

    @dbt_assets(
        manifest=_require_manifest(),
        project=pfd_dbt_project,
        dagster_dbt_translator=translator,
        name=BUILD_NAME,
    )
    def _models(
        context: AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
        crawler: CrawlerResource,
    ):
        yield from dbt_build(context, dbt, warehouse, crawler)

    return [_models]
