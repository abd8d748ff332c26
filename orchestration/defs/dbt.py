"""The dbt project as Dagster assets: ``dbt build`` so every dbt test is an asset check.

- Keys: models and seeds by name; dbt sources map onto the raw assets (``raw/<identifier>``),
  so crawl -> raw -> staging -> marts is one connected graph.
- Groups: the first folder under models/ (staging, intermediate, marts) and ``seeds``.
- dbt runs against this run's working copy of the warehouse (``orchestration.warehouse.publish``).
- A failing dbt test carries its failing rows: ``--store-failures`` keeps them in the
  ``dbt_test__audit`` schema, and they are read back into the check's metadata.

The manifest is prepared by a build step (``prepare_dbt_manifest``, i.e. ``dbt parse``) and
read when the definitions are built (``build_dbt_assets``), never at import; without it the
error says how to make it.
"""

import graphlib
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    Failure,
    MaterializeResult,
    MetadataValue,
)
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.dbt_builds import (
    BUILDS_TABLE,
    build_inputs,
    ensure_builds_table,
    fingerprint,
    last_builds,
)
from orchestration.defs.dbt_project import pfd_dbt_project, translator
from orchestration.defs.metadata import markdown_table
from orchestration.defs.resources import CrawlerResource, WarehouseResource
from orchestration.sources import returns as returns_source
from orchestration.sources.registry import BOOKKEEPING_TABLES, RAW_SCHEMA
from orchestration.warehouse import connection
from orchestration.warehouse.dbt_cli import dbt_vars

FAILING_ROWS_SHOWN = 20


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


def _stored_failure_relations(invocation) -> dict[str, str]:
    try:
        results = invocation.get_artifact("run_results.json").get("results", [])
    except Exception:  # no artifact when dbt died early; the step fails anyway
        return {}
    return {
        r["unique_id"]: r["relation_name"]
        for r in results
        if r.get("unique_id", "").startswith("test.") and r.get("relation_name")
    }


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


# --- skipping a build whose inputs did not change ----------------------------------------------
#
# (fingerprints live in orchestration.defs.dbt_builds)


def dbt_build(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    crawler: CrawlerResource,
    upstream_builds: tuple[str, ...] = (),
) -> Iterator:
    """``dbt build`` of the selected models into this run's working copy, unless the last
    successful build in this warehouse had the same inputs (then the step reports the models as
    current and says so). Failed tests carry their failing rows; a failed build fails the step
    naming the failed nodes. ``upstream_builds``: the dbt builds whose tables this one reads."""
    working = warehouse.working_copy(context.run_id)
    as_of = crawler.logical_as_of()
    build_name = context.op_def.name
    own_keys = set(context.assets_def.keys)
    raw_tables = [
        k.path[1]
        for k in context.assets_def.dependency_keys
        if k.path[0] == RAW_SCHEMA and k not in own_keys and k.path[1] not in BOOKKEEPING_TABLES
    ]
    selection = [k.to_user_string() for k in context.selected_asset_keys] + [
        f"{k.asset_key.to_user_string()}:{k.name}" for k in context.selected_asset_check_keys
    ]
    manifest = json.loads(_require_manifest().read_text(encoding="utf-8"))
    with connection.connect(working, read_only=True) as con:
        builds = last_builds(con)
        inputs = build_inputs(
            con,
            raw_tables,
            as_of or datetime.now(UTC).date(),
            manifest,
            selection,
            {name: builds.get(name, ()) for name in upstream_builds},
        )
    current = fingerprint(inputs)
    previous = builds.get(build_name)
    if previous and previous[0] == current:
        context.log.info(
            "dbt build skipped: its inputs are unchanged since run %s (%s)",
            previous[1],
            previous[2],
        )
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
                    "dbt_build": "skipped: inputs unchanged",
                    "built_by_run": previous[1],
                    "built_at": str(previous[2]),
                },
            )
        return
    yield from _run_dbt_build(context, dbt, working, as_of)
    with connection.connect(working) as con:
        ensure_builds_table(con)
        con.execute(
            f"INSERT OR REPLACE INTO {BUILDS_TABLE} VALUES (?, ?, ?, now(), ?)",  # noqa: S608
            [build_name, current, context.run_id, json.dumps(inputs)],
        ).fetchall()


def _run_dbt_build(context: AssetExecutionContext, dbt: DbtCliResource, working: Path, as_of):
    # The warehouse path is a dbt var that profiles.yml reads: this run's working copy, given to
    # this dbt process alone (nothing in this process's environment changes).
    extra = {"as_of": as_of.isoformat()} if as_of is not None else {}
    args = ["build", "--store-failures", "--vars", dbt_vars(working, extra)]
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    # dbt holds the DuckDB file until it exits, so failed checks are collected and their stored
    # failing rows read afterwards.
    failed_checks = []
    try:
        for event in invocation.stream():
            if isinstance(event, AssetCheckResult) and not event.passed:
                failed_checks.append(event)
                continue
            yield event
    finally:
        # If streaming broke off, dbt must not outlive the step holding the working copy's lock.
        if invocation.process.poll() is None:
            invocation.process.terminate()
            invocation.process.wait(timeout=60)
    relations = _stored_failure_relations(invocation)
    for event in failed_checks:
        yield _with_failing_rows(working, relations, event)
    if not invocation.is_successful():
        results_path = Path(invocation.target_path) / "run_results.json"
        if not results_path.exists():
            # dbt stopped before running any node (a project that does not parse, a bad
            # profile): its own message is the reason a person needs to see.
            raise Failure(
                description=f"dbt build failed before running any node: {invocation.get_error()}"
            )
        failed = sorted(
            r["unique_id"]
            for r in invocation.get_artifact("run_results.json").get("results", [])
            if r.get("status") in ("error", "fail")
        )
        raise Failure(
            description="dbt build failed: " + (", ".join(failed) or "see the dbt log"),
            metadata={"failed_nodes": MetadataValue.json(failed)},
        )


def build_dbt_assets() -> list:
    """The dbt project as two ``@dbt_assets`` (reads the manifest: call it, never at import).

    The returns models read the raw returns, which are loaded after the marts they resolve names
    against (``orchestration.defs.returns``), so they are their own dbt assets and the graph has
    no cycle: marts -> raw returns -> returns models.
    """
    manifest = _require_manifest()
    returns_models = " ".join(returns_source.DBT_SELECT)
    return [
        _dbt_assets(manifest, "pfd_dbt", exclude=returns_models),
        _dbt_assets(manifest, "pfd_dbt_returns", select=returns_models, upstream=("pfd_dbt",)),
    ]


def _dbt_assets(manifest: Path, name: str, upstream: tuple[str, ...] = (), **selection):
    """One ``@dbt_assets`` over the models ``selection`` picks (select= / exclude=), built with
    ``dbt_build``; ``upstream``: the dbt builds whose tables these models read."""

    @dbt_assets(
        manifest=manifest,
        project=pfd_dbt_project,
        dagster_dbt_translator=translator,
        name=name,
        **selection,
    )
    def _models(
        context: AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
        crawler: CrawlerResource,
    ):
        yield from dbt_build(context, dbt, warehouse, crawler, upstream_builds=upstream)

    return _models
