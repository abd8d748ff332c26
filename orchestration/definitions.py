"""The Dagster code location: one root ``Definitions`` (loaded by workspace.yaml), and nothing
else. Assets, checks, jobs, schedules, sensors and resources live in ``orchestration.defs``;
running a job or the UI is ``pfdw run`` / ``pfdw ui`` (``orchestration.defs.runs``).

The definitions are built lazily (``@definitions``) because the dbt assets read the dbt
manifest, which a build step prepares (``pfdw prepare``); importing this module reads nothing.
"""

from dagster import Definitions, definitions, in_process_executor


def build_definitions() -> Definitions:
    from dagster_dbt import DbtCliResource

    from orchestration.defs.dbt_project import pfd_dbt_project
    from orchestration.defs.jobs import build_jobs
    from orchestration.defs.publication import all_assets
    from orchestration.defs.resources import AuditResource, CrawlerResource, WarehouseResource
    from orchestration.defs.schedules import SCHEDULES
    from orchestration.defs.sensors import SENSORS
    from orchestration.warehouse.dbt_cli import dbt_executable

    return Definitions(
        assets=all_assets(),
        jobs=build_jobs(),
        schedules=SCHEDULES,
        sensors=SENSORS,
        resources={
            "warehouse": WarehouseResource(),
            "crawler": CrawlerResource(),
            "audit": AuditResource(),
            "dbt": DbtCliResource(project_dir=pfd_dbt_project, dbt_executable=dbt_executable()),
        },
        # On 2 cores one process is about twice as fast as a process per step, and the graph is
        # a chain anyway.
        executor=in_process_executor,
    )


@definitions
def defs() -> Definitions:
    return build_definitions()
