"""The Dagster code location: one root ``Definitions`` (loaded by workspace.yaml).

The definitions are built lazily (``@definitions``) because the dbt assets read the dbt
manifest, which a build step prepares; importing this module reads nothing.

Command line (what ``make run`` / ``make ui`` call):

    python -m orchestration.definitions prepare        # dbt parse + $DAGSTER_HOME/dagster.yaml
    python -m orchestration.definitions run [--job collect_and_audit] [--as-of 2013-10-31]

``run`` without ``--job`` runs ``collect_and_audit``: every spider's crawl, the raw loads and
their blocking raw suites, dbt build with its tests, the returns load and reconciliation, every
Great Expectations suite as an asset check, the audit report (Data Docs and a dated summary under
<data dir>/audit/), and the publication of the analysts' warehouse. The scheduled jobs split that
work: ``daily_collection`` (no audit report) daily, ``weekly_publication_audit`` on Mondays.
    python -m orchestration.definitions ui [--port 3000]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from dagster import Definitions, definitions, in_process_executor

from orchestration import publish

PROJECT_ROOT = Path(__file__).resolve().parents[1]
INSTANCE_CONFIG = PROJECT_ROOT / "dagster.yaml"
DEFAULT_JOB = "collect_and_audit"
RUNNABLE_JOBS = (
    "collect_and_audit",
    "daily_collection",
    "full_recrawl",
    "weekly_publication_audit",
    "returns_inbox",
)
UI_HOST = "127.0.0.1"


def build_definitions() -> Definitions:
    from dagster_dbt import DbtCliResource

    from orchestration.assets.dbt_project import pfd_dbt_project
    from orchestration.assets.publication import all_assets
    from orchestration.dbt_cli import dbt_executable
    from orchestration.jobs import build_jobs
    from orchestration.resources import AuditResource, CrawlerResource, WarehouseResource
    from orchestration.schedules import SCHEDULES
    from orchestration.sensors import SENSORS

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


# --- command line -------------------------------------------------------------------------------


def prepare_instance() -> Path:
    """Create $DAGSTER_HOME (default <data dir>/dagster) with this project's dagster.yaml."""
    home = publish.dagster_home().resolve()
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
    os.environ[publish.DAGSTER_HOME_ENV] = str(home)
    return home


def prepare() -> Path:
    from orchestration.assets.dbt_project import prepare_dbt_manifest

    prepare_dbt_manifest()
    return prepare_instance()


def run_job(job_name: str, as_of: str | None = None) -> int:
    from dagster import DagsterInstance

    from orchestration.sensors import step_failure_reason

    home = prepare()
    run_config = None
    if as_of:
        run_config = {"resources": {"crawler": {"config": {"as_of": as_of}}}}
    job = build_definitions().get_job_def(job_name)
    started = time.monotonic()
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance, run_config=run_config, raise_on_error=False
        )
        checks = [
            e.asset_check_evaluation_data
            for e in result.all_events
            if e.event_type_value == "ASSET_CHECK_EVALUATION"
        ]
        audit_report = audit_report_metadata(result)
    seconds = time.monotonic() - started
    print(
        f"{job_name}: {'succeeded' if result.success else 'FAILED'} in {seconds:.1f}s,"
        f" run {result.run_id}"
    )
    print(check_summary(checks))
    if not result.success:
        for event in result.all_events:
            if event.event_type_value == "STEP_FAILURE":
                print(f"failed step {event.step_key}: {step_failure_reason(event)}")
    print(f"warehouse:    {publish.published_path().resolve()} (open it read-only)")
    if audit_report:
        print(f"audit:        {audit_report['summary']} (summary)")
        print(f"data docs:    {audit_report['data_docs']} (open in a browser)")
    print(f"dagster home: {home}")
    print(
        f"Dagster UI:   `make ui`, then http://{UI_HOST}:3000 (this run, its asset graph and"
        " checks)"
    )
    return 0 if result.success else 1


def check_summary(checks) -> str:
    """Passed / failed checks, failures by severity: a warning is a finding about the world
    (an audit gap), an error is broken data."""
    failed = {"error": [], "warning": []}
    for check in checks:
        if not check.passed:
            level = "error" if check.severity.value == "ERROR" else "warning"
            failed[level].append(f"{check.asset_key.to_user_string()}:{check.check_name}")
    passed = len(checks) - len(failed["error"]) - len(failed["warning"])
    parts = [f"checks: {passed} passed"]
    for level in ("error", "warning"):
        names = failed[level]
        parts.append(
            f"{len(names)} failed with severity {level}"
            + (f" ({', '.join(names)})" if names else "")
        )
    return ", ".join(parts)


def audit_report_metadata(result) -> dict[str, str]:
    """Where the run's audit report wrote its summary and Data Docs, if it ran."""
    from orchestration.assets.audit import AUDIT_REPORT_KEY

    for event in result.all_events:
        if (
            event.event_type_value == "ASSET_MATERIALIZATION"
            and event.asset_key == AUDIT_REPORT_KEY
        ):
            metadata = event.step_materialization_data.materialization.metadata
            return {name: str(metadata[name].value) for name in ("summary", "data_docs")}
    return {}


def run_ui(port: int) -> int:
    """Start ``dagster dev`` in its own process group and stop the whole group on exit."""
    home = prepare()
    executable = Path(sys.executable).with_name("dagster")
    command = [
        str(executable) if executable.exists() else "dagster",
        "dev",
        "-w",
        str(PROJECT_ROOT / "workspace.yaml"),
        "-h",
        UI_HOST,
        "-p",
        str(port),
    ]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, start_new_session=True)
    print(
        f"Dagster UI: http://{UI_HOST}:{port}  (DAGSTER_HOME={home}; Ctrl-C stops it)", flush=True
    )

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        return process.wait()
    except KeyboardInterrupt:
        stop_process_group(process)
        return 0


def stop_process_group(process: subprocess.Popen, grace_s: float = 15) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace_s)
            return
        except subprocess.TimeoutExpired:
            continue


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.definitions")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="dbt parse and create $DAGSTER_HOME with dagster.yaml")
    run = sub.add_parser("run", help="run a job in process, recorded in $DAGSTER_HOME")
    run.add_argument(
        "--job",
        default=DEFAULT_JOB,
        choices=RUNNABLE_JOBS,
    )
    run.add_argument("--as-of", default=None, help="snapshot only: the site as of YYYY-MM-DD")
    ui = sub.add_parser("ui", help=f"start the Dagster UI on {UI_HOST}")
    ui.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        print(f"dbt manifest ready; dagster home {prepare()}")
        return 0
    if args.command == "run":
        return run_job(args.job, args.as_of)
    return run_ui(args.port)


if __name__ == "__main__":
    raise SystemExit(main())
