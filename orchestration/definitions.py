"""The Dagster code location: one root ``Definitions`` (loaded by workspace.yaml), and nothing
else. Assets, checks, jobs, schedules, sensors and resources live in ``orchestration.defs``;
running a job or the UI is ``pfdw run`` / ``pfdw ui`` (``orchestration.defs.runs``).

The definitions are built lazily (``@definitions``) because the dbt assets read the dbt
manifest, which a build step prepares (``pfdw prepare``); importing this module reads nothing.
"""

from dagster import AssetChecksDefinition, Definitions, definitions, in_process_executor


def build_definitions() -> Definitions:
    from dagster_dbt import DbtCliResource

    from orchestration.defs.console import console_logger
    from orchestration.defs.dbt_project import pfd_dbt_project, source_docs_links
    from orchestration.defs.freshness import freshness_policies, with_freshness_policies
    from orchestration.defs.jobs import build_jobs
    from orchestration.defs.metadata import with_owners_tags_and_links
    from orchestration.defs.publication import all_assets
    from orchestration.defs.resources import AuditResource, CrawlerResource, WarehouseResource
    from orchestration.defs.schedules import build_schedules
    from orchestration.defs.sensors import build_sensors
    from orchestration.warehouse.dbt_cli import dbt_executable

    built = all_assets()  # reads the dbt manifest (a clear error when it was not prepared)
    schedules = build_schedules()
    # Owners, tags and dbt docs links for every asset, and freshness policies that follow the
    # schedules, applied in one place (orchestration.defs.metadata, orchestration.defs.freshness).
    described = with_owners_tags_and_links(source_docs_links())
    fresh = with_freshness_policies(freshness_policies(schedules))
    assets = [
        asset
        if isinstance(asset, AssetChecksDefinition)  # checks only: no asset spec to annotate
        else asset.map_asset_specs(lambda spec: fresh(described(spec)))
        for asset in built
    ]
    return Definitions(
        assets=assets,
        jobs=build_jobs(),
        schedules=schedules,
        sensors=build_sensors(),
        resources={
            "warehouse": WarehouseResource(),
            "crawler": CrawlerResource(),
            "audit": AuditResource(),
            "dbt": DbtCliResource(project_dir=pfd_dbt_project, dbt_executable=dbt_executable()),
        },
        # On 2 cores one process is about twice as fast as a process per step, and the graph is
        # a chain anyway.
        executor=in_process_executor,
        # The terminal log: one short line per message (replaces Dagster's colored console).
        loggers={"console": console_logger},
    )


@definitions
def defs() -> Definitions:
    return build_definitions()
