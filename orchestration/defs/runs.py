"""Running the code location from a terminal: prepare the instance and the dbt manifest, run a
job and print a short summary, start the Dagster UI. ``pfdw prepare | run | ui`` call these.

``run_job`` without a job runs ``collect_and_audit``: every spider's crawl, the raw loads and
their blocking raw suites, dbt build with its tests, the returns load and reconciliation, every
Great Expectations suite as an asset check, the audit report (Data Docs and a dated summary under
``<data dir>/audit/``), and the publication of the analysts' warehouse. The scheduled jobs split
that work: ``daily_collection`` (no audit report) daily, ``weekly_publication_audit`` on Mondays.

Every job writes the warehouse, so ``run_job`` takes the writer lock before the run starts
(``orchestration.warehouse.writer_lock``): a second writer is refused with one line naming the
run that holds it (exit ``EXIT_WRITER_BUSY``), or waits up to ``wait_s`` for its turn. At start
it also marks as failed every run of the instance still ``STARTED`` whose process is gone
(killed), and removes the working copies such runs left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.defs.launch import HOST_TAG, PID_START_TAG, PID_TAG
from orchestration.warehouse import publish, settings, writer_lock

PROJECT_ROOT = Path(__file__).resolve().parents[2]
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
UI_PORT = 3000
EXIT_WRITER_BUSY = writer_lock.EXIT_WRITER_BUSY
UNFINISHED = ("STARTING", "STARTED", "CANCELING")


def prepare_instance(data_dir: Path | None = None) -> Path:
    """Create $DAGSTER_HOME (default <data dir>/dagster) with this project's dagster.yaml."""
    home = publish.dagster_home(data_dir).resolve()
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSTANCE_CONFIG, home / "dagster.yaml")
    return home


def prepare(data_dir: Path | None = None) -> Path:
    from orchestration.defs.dbt_project import prepare_dbt_manifest

    prepare_dbt_manifest()
    return prepare_instance(data_dir)


@dataclass
class JobRun:
    """A finished run of ``execute_job``: Dagster's result (every event) and where things are."""

    result: Any
    seconds: float
    home: Path
    warehouse: Path
    stale_but_safe: str = ""  # what a failed run left analysts with


def execute_job(
    job_name: str,
    as_of: str | None = None,
    *,
    data_dir: Path | None = None,
    warehouse: Path | None = None,
    wait_s: float | None = None,
    log_level: str = "INFO",
    crawler: Mapping[str, Any] | None = None,
    echo=print,
) -> JobRun:
    """Run one job: created against the code location and executed in this process
    (``orchestration.defs.launch``), recorded in the Dagster instance under the data dir.

    ``data_dir`` / ``warehouse`` (default: the settings) reach the run as the warehouse
    resource's config, not through this process's environment; ``crawler``: more crawler
    resource config. ``wait_s``: how long to wait for another writer (default
    ``$PFDW_WRITER_WAIT_S``, else 0); raises ``WriterBusyError`` when refused."""
    from orchestration.defs import launch

    launch.console_logging(log_level)  # a wrong level fails before anything slow
    warehouse, data_dir = settings.locations(warehouse, data_dir)
    run_id = str(uuid.uuid4())
    # before anything slow: a refused run says so at once
    writer_lock.acquire(warehouse, run_id, wait_s=wait_s, job=job_name)
    try:
        from dagster import DagsterInstance

        home = prepare(data_dir)
        with DagsterInstance.from_config(str(home)) as instance:
            for line in begin_writer_run(instance, warehouse, run_id):
                echo(line)
            crawler_config = {**({"as_of": as_of} if as_of else {}), **(crawler or {})}
            resources: dict = {
                "warehouse": {"config": {"path": str(warehouse), "data_dir": str(data_dir)}},
                **({"crawler": {"config": crawler_config}} if crawler_config else {}),
            }
            with launch.code_location(instance) as code:
                run = launch.create_run(
                    instance,
                    code,
                    job_name,
                    {"resources": resources, **launch.console_logging(log_level)},
                    run_id=run_id,
                    tags=process_tags(),
                )
                echo(f"{job_name}: run {run_id} (Dagster UI: {run_page(run_id)})")
                started = time.monotonic()
                result = launch.execute(instance, code, run)
            outcome = JobRun(result, time.monotonic() - started, home, warehouse)
            if not result.success:
                from orchestration.defs.publication import report_failed_run

                outcome.stale_but_safe = report_failed_run(instance, run, warehouse)
    finally:
        publish.discard(warehouse, run_id)  # a failed run's working copy; the lock
    return outcome


def run_job(job_name: str, as_of: str | None = None, **options) -> int:
    """``execute_job`` and print its short summary (what ``pfdw run`` / ``make run`` show)."""
    from orchestration.defs.search import SEARCH_INDEX_KEY
    from orchestration.defs.sensors import step_failure_reason

    try:
        done = execute_job(job_name, as_of, echo=lambda line: print(line, flush=True), **options)
    except writer_lock.WriterBusyError as busy:
        print(f"{job_name}: {busy}", file=sys.stderr)
        return EXIT_WRITER_BUSY
    result = done.result
    checks = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    print(
        f"{job_name}: {'succeeded' if result.success else 'FAILED'} in {done.seconds:.1f}s,"
        f" run {result.run_id}"
    )
    print(check_summary(checks))
    if not result.success:
        for event in result.all_events:
            if event.event_type_value == "STEP_FAILURE":
                print(f"failed step {event.step_key}: {step_failure_reason(event)}")
        print(done.stale_but_safe)
    print(f"warehouse:    {done.warehouse} (open it read-only)")
    audit_report = audit_report_metadata(result)
    if audit_report:
        print(f"audit:        {audit_report['summary']} (summary)")
        print(f"data docs:    {audit_report['data_docs']} (open in a browser)")
    search_index = materialization_metadata(result, SEARCH_INDEX_KEY, ("index_file",))
    if search_index and result.success:
        print(f'search:       {search_index["index_file"]} (pfdw search "ligature points")')
    print(f"dagster home: {done.home}")
    print(
        f"Dagster UI:   `make ui` (PORT=... for another port), then {run_page(result.run_id)}"
        " (this run; it is also on the Overview timeline and the job's page)"
    )
    return 0 if result.success else 1


def run_page(run_id: str, port: int = UI_PORT) -> str:
    return f"http://{UI_HOST}:{port}/runs/{run_id}"


def begin_writer_run(instance, warehouse: Path, run_id: str) -> list[str]:
    """What a writer run does once it holds the lock, before its first step: mark the runs
    whose process died as failed, remove every working copy and partial file they left."""
    lines = mark_dead_runs_failed(instance, run_id)
    removed = publish.remove_stale_working_copies(warehouse)
    if removed:
        lines.append(f"removed {len(removed)} files left by runs that did not finish")
    return lines


def process_tags() -> dict[str, str]:
    """Run tags naming the process that executes the run, so a later start can tell it died."""
    pid = os.getpid()
    return {
        PID_TAG: str(pid),
        PID_START_TAG: writer_lock.process_start(pid) or "",
        HOST_TAG: os.uname().nodename,
    }


def mark_dead_runs_failed(instance, current_run_id: str = "") -> list[str]:
    """Mark as failed every unfinished run started by ``run_job`` on this host whose process is
    gone (killed with kill -9, the machine restarted...). Runs the daemon launched are left to
    Dagster's run monitoring (``dagster.yaml``). Returns one line per run marked."""
    from dagster import DagsterRunStatus, RunsFilter

    statuses = [DagsterRunStatus[name] for name in UNFINISHED]
    lines = []
    for run in instance.get_runs(filters=RunsFilter(statuses=statuses)):
        pid = run.tags.get(PID_TAG, "")
        if run.run_id == current_run_id or not pid.isdigit():
            continue
        if run.tags.get(HOST_TAG) != os.uname().nodename:
            continue
        if writer_lock.process_alive(int(pid), run.tags.get(PID_START_TAG) or None):
            continue
        message = (
            f"the process of run {run.run_id} ({run.job_name}, pid {pid}) died before the run"
            " finished; marked failed at the next start"
        )
        instance.report_run_failed(run, message=message)
        lines.append(message)
    return lines


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


def materialization_metadata(result, key, names: tuple[str, ...]) -> dict[str, str]:
    """The named metadata of the run's materialization of ``key`` ({} when it did not run)."""
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION" and event.asset_key == key:
            metadata = event.step_materialization_data.materialization.metadata
            return {name: str(metadata[name].value) for name in names if name in metadata}
    return {}


def audit_report_metadata(result) -> dict[str, str]:
    """Where the run's audit report wrote its summary and Data Docs, if it ran."""
    from orchestration.defs.audit import AUDIT_REPORT_KEY

    return materialization_metadata(result, AUDIT_REPORT_KEY, ("summary", "data_docs"))


def run_ui(port: int, *, data_dir: Path | None = None, warehouse: Path | None = None) -> int:
    """Start ``dagster dev`` in its own process group and stop the whole group on exit."""
    from orchestration.defs.automation import AUTOMATION_ENV, default_status_name

    warehouse, data_dir = settings.locations(warehouse, data_dir)
    busy = port_in_use(port)
    if busy:
        print(f"pfdw ui: {busy}; choose another, e.g. `make ui PORT={port + 1}`", file=sys.stderr)
        return 2
    try:
        default_status_name()
    except ValueError as exc:
        print(f"pfdw ui: {exc}", file=sys.stderr)
        return 2
    home = prepare(data_dir)
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        states = automation_states(instance)
    print(f"schedules and sensors ({AUTOMATION_ENV}, default stopped):")
    for line in states:
        print(f"  {line}")
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
    env = {  # for the child only
        **os.environ,
        publish.DAGSTER_HOME_ENV: str(home),
        settings.DATA_DIR_ENV: str(data_dir),
        settings.WAREHOUSE_ENV: str(warehouse),
    }
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, start_new_session=True)
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


def port_in_use(port: int) -> str:
    """Why the UI cannot listen on ``port``, or '' when it can."""
    import socket

    if not 1 <= port <= 65535:
        return f"port {port} is not a TCP port (1-65535)"
    with socket.socket() as sock:
        try:
            sock.bind((UI_HOST, port))
        except OSError as exc:
            return f"port {port} on {UI_HOST} is in use ({exc.strerror})"
    return ""


def automation_states(instance) -> list[str]:
    """One line per schedule and sensor: the state the daemon will give it, and why (the
    setting, or a choice made in the UI that the instance remembers)."""
    from dagster._core.scheduler.instigation import InstigatorStatus

    from orchestration.defs.automation import default_status_name
    from orchestration.defs.schedules import build_schedules
    from orchestration.defs.sensors import build_sensors

    default = default_status_name().lower()
    stored = {}
    for state in instance.all_instigator_state():
        if state.status in (InstigatorStatus.RUNNING, InstigatorStatus.STOPPED):
            stored[state.name] = state.status.value.lower()
    lines = []
    for definition in [*build_schedules(), *build_sensors()]:
        own = definition.default_status.value.lower()
        if definition.name in stored:
            lines.append(f"{definition.name}: {stored[definition.name]} (set in the UI)")
        elif own != default:
            lines.append(f"{definition.name}: {own} (always, whatever the setting)")
        else:
            lines.append(f"{definition.name}: {default} (default)")
    return lines


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
