"""Runs started from a terminal belong to the code location, like runs the UI or the daemon start.

``dagster job launch`` creates a run from the code location's job (its snapshot and origin) and
hands it to the run launcher, which starts a worker process running ``dagster api execute_run``.
``pfdw run`` does the same two halves in one process: it creates the run against the code location
named in ``workspace.yaml`` (so the run carries that location's origin and shows in the UI's
Overview timeline, on the job's page and in the asset history, and the run-failure sensor, which
watches its own code location, sees it), then executes it here, as that worker would. Executing in
this process keeps what the terminal run guarantees: the writer lock is held by the process doing
the work, a Ctrl-C or kill -9 of ``pfdw run`` takes the run's children with it
(``orchestration.warehouse.children``), and the run is followed to the end without a daemon.

The console log level is run config (``loggers.console.config.log_level``): INFO by default,
DEBUG with ``pfdw run -v``; the UI keeps every event whatever the level.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WORKSPACE_FILE = PROJECT_ROOT / "workspace.yaml"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Tags naming the process that executes a run started by `pfdw run` (orchestration.defs.runs).
PID_TAG = "pfdw/pid"
PID_START_TAG = "pfdw/pid_start"
HOST_TAG = "pfdw/host"


@dataclass(frozen=True)
class CodeLocation:
    """The workspace's code location, loaded in this process."""

    origin: Any  # the origin the workspace (UI, daemon) gives this location
    location: Any  # an InProcessCodeLocation over the same module
    repository_name: str


def workspace_origin(workspace: Path = WORKSPACE_FILE):
    """The one code location ``workspace.yaml`` names, as the UI and the daemon load it."""
    from dagster._core.workspace.load_target import WorkspaceFileTarget

    origins = WorkspaceFileTarget(paths=[str(workspace)]).create_origins()
    if len(origins) != 1:
        raise ValueError(
            f"{workspace} must name exactly one code location, it names {len(origins)}"
        )
    return origins[0]


@contextmanager
def code_location(instance, workspace: Path = WORKSPACE_FILE) -> Iterator[CodeLocation]:
    from dagster._core.remote_origin import InProcessCodeLocationOrigin

    origin = workspace_origin(workspace)
    target = origin.loadable_target_origin
    # The workspace's working directory is relative to the workspace file.
    working_directory = (workspace.parent / (target.working_directory or ".")).resolve()
    in_process = InProcessCodeLocationOrigin(
        loadable_target_origin=target._replace(working_directory=str(working_directory)),
        location_name=origin.location_name,
    )
    with in_process.create_location(instance) as location:
        (repository_name,) = location.get_repositories()
        yield CodeLocation(origin, location, repository_name)


def console_logging(level: str) -> dict:
    if level not in LOG_LEVELS:
        raise ValueError(f"log level {level!r}: expected one of {', '.join(LOG_LEVELS)}")
    return {"loggers": {"console": {"config": {"log_level": level}}}}


def create_run(
    instance,
    code: CodeLocation,
    job_name: str,
    run_config: Mapping[str, Any],
    *,
    run_id: str,
    tags: Mapping[str, str],
):
    """Create the run of ``job_name`` against the code location: the job's own config and tags
    first, then ``run_config`` (resources, loggers) and ``tags`` on top."""
    from dagster._core.remote_origin import RemoteJobOrigin, RemoteRepositoryOrigin

    recon = code.location.get_reconstructable_job(code.repository_name, job_name)
    job = recon.get_definition()
    config = {**(job.run_config or {}), **run_config}
    return instance.create_run_for_job(
        job_def=job,
        run_id=run_id,
        run_config=config,
        tags={**job.tags, **tags},
        remote_job_origin=RemoteJobOrigin(
            repository_origin=RemoteRepositoryOrigin(
                code_location_origin=code.origin, repository_name=code.repository_name
            ),
            job_name=job_name,
        ),
        job_code_origin=recon.get_python_origin(),
    )


def execute(instance, code: CodeLocation, run):
    """Execute a created run in this process, as the run worker would; returns the result with
    every event of the run."""
    from dagster._core.execution.api import execute_run

    recon = code.location.get_reconstructable_job(code.repository_name, run.job_name)
    return execute_run(recon, run, instance, raise_on_error=False)
