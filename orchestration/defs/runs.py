"""Running the code location from a terminal: prepare the instance and the dbt manifest, run a
job and print a short summary, start the Dagster UI. ``pfdw prepare | run | ui`` call these.

``run_job`` without a job runs ``collect_and_audit``: every spider's crawl, the raw loads and
their blocking raw suites, dbt build with its tests, the returns load and reconciliation, every
Great Expectations suite as an asset check, the audit report (Data Docs and a dated summary under
``<data dir>/audit/``), and the publication of the analysts' warehouse. The scheduled jobs split
that work: ``daily_collection`` (no audit report) daily, ``weekly_publication_audit`` on Mondays.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from orchestration.warehouse import publish, settings

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


def run_job(
    job_name: str,
    as_of: str | None = None,
    *,
    data_dir: Path | None = None,
    warehouse: Path | None = None,
) -> int:
    """Run one job in this process, recorded in the Dagster instance under the data dir.

    ``data_dir`` / ``warehouse`` (default: the settings) reach the run as the warehouse
    resource's config, not through this process's environment."""
    from dagster import DagsterInstance

    from orchestration.definitions import build_definitions
    from orchestration.defs.sensors import step_failure_reason

    warehouse, data_dir = settings.locations(warehouse, data_dir)
    home = prepare(data_dir)
    resources: dict = {"warehouse": {"config": {"path": str(warehouse), "data_dir": str(data_dir)}}}
    if as_of:
        resources["crawler"] = {"config": {"as_of": as_of}}
    run_config = {"resources": resources}
    job = build_definitions().get_job_def(job_name)
    started = time.monotonic()
    with DagsterInstance.from_config(str(home)) as instance:
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
    print(f"warehouse:    {warehouse} (open it read-only)")
    if audit_report:
        print(f"audit:        {audit_report['summary']} (summary)")
        print(f"data docs:    {audit_report['data_docs']} (open in a browser)")
    print(f"dagster home: {home}")
    print(
        f"Dagster UI:   `make ui` (or `pfdw ui`), then http://{UI_HOST}:3000 (this run, its asset"
        " graph and checks)"
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
    from orchestration.defs.audit import AUDIT_REPORT_KEY

    for event in result.all_events:
        if (
            event.event_type_value == "ASSET_MATERIALIZATION"
            and event.asset_key == AUDIT_REPORT_KEY
        ):
            metadata = event.step_materialization_data.materialization.metadata
            return {name: str(metadata[name].value) for name in ("summary", "data_docs")}
    return {}


def run_ui(port: int, *, data_dir: Path | None = None, warehouse: Path | None = None) -> int:
    """Start ``dagster dev`` in its own process group and stop the whole group on exit."""
    warehouse, data_dir = settings.locations(warehouse, data_dir)
    home = prepare(data_dir)
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
