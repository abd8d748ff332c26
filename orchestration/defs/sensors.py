"""Sensors: the returns inbox (FOI/official returns files) and the run-failure recorder.

Built by ``build_sensors()`` when the code location loads, so the inbox sensor's default state
follows the ``PFDW_AUTOMATION_DEFAULT`` setting (``orchestration.defs.automation``; stopped unless
set). The failure recorder is always on: it starts no run.
"""

import json
import logging
import os
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from orchestration.defs.automation import default_sensor_status
from orchestration.defs.jobs import returns_inbox
from orchestration.defs.launch import PID_TAG
from orchestration.defs.publication import report_failed_run
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.returns import INBOX_SUBDIR, is_returns_file
from orchestration.sources.returns.read import file_sha256

log = logging.getLogger(__name__)

FAILURES_FILE = "run_failures.jsonl"
WEBHOOK_ENV = "PFDW_FAILURE_WEBHOOK_URL"
WEBHOOK_TIMEOUT_S = 10


def inbox_dir(data_dir: Path) -> Path:
    return Path(data_dir) / INBOX_SUBDIR


def scan_inbox(inbox: Path, cursor: dict) -> tuple[list[tuple[Path, str]], dict]:
    """Return (files whose version is new since the cursor, the new cursor).

    The cursor maps file name -> [size, mtime_ns, sha256]; a file is re-hashed only when its size
    or modification time changed, and requested only when its checksum changed.
    """
    seen: dict = {}
    new_versions: list[tuple[Path, str]] = []
    if not inbox.is_dir():
        return new_versions, seen
    for path in sorted(p for p in inbox.iterdir() if is_returns_file(p)):
        stat = path.stat()
        known = cursor.get(path.name)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            seen[path.name] = known
            continue
        checksum = file_sha256(path)
        seen[path.name] = [stat.st_size, stat.st_mtime_ns, checksum]
        if not known or known[2] != checksum:
            new_versions.append((path, checksum))
    return new_versions, seen


def returns_inbox_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    inbox = inbox_dir(warehouse.data_directory())
    cursor = json.loads(context.cursor) if context.cursor else {}
    new_versions, new_cursor = scan_inbox(inbox, cursor)
    context.update_cursor(json.dumps(new_cursor, sort_keys=True))
    if not new_versions:
        return SkipReason(f"no new or changed returns file in {inbox}")
    # The load asset reads the whole inbox itself (a file already loaded is a no-op), so the run
    # needs no config; the run key makes it once per file version.
    return [
        RunRequest(
            run_key=f"{path.name}:{checksum}",
            tags={"pfdw/returns_file": path.name, "pfdw/returns_sha256": checksum},
        )
        for path, checksum in new_versions
    ]


def step_failure_reason(event) -> str:
    """The innermost error of a failed step: what went wrong, not Dagster's wrapper around it."""
    error = event.event_specific_data.error if event.event_specific_data else None
    while error is not None and error.cause is not None:
        error = error.cause
    return error.message.strip() if error else (event.message or "")


def failure_record(context: RunFailureSensorContext) -> dict:
    run = context.dagster_run
    steps = [
        {"step": event.step_key, "error": step_failure_reason(event)}
        for event in context.get_step_failure_events()
    ]
    return {
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": run.run_id,
        "job": run.job_name,
        "tags": {k: v for k, v in run.tags.items() if k.startswith("pfdw/")},
        "reason": context.failure_event.message,
        "failed_steps": steps,
    }


def post_webhook(url: str, record: dict) -> None:
    """POST the record as JSON; a broken webhook is logged, never raised."""
    request = urllib.request.Request(
        url,
        data=json.dumps(record).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:  # noqa: S310
            response.read()
    except Exception as exc:  # the failure is already on disk; the webhook is a courtesy
        log.warning("failure webhook %s did not accept the record: %s", url, exc)


def record_run_failures(context: RunFailureSensorContext, warehouse: WarehouseResource):
    record = failure_record(context)
    path = warehouse.data_directory() / FAILURES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    context.log.error("run %s (%s) failed: %s", record["run_id"], record["job"], record["reason"])
    if PID_TAG not in context.dagster_run.tags:  # `pfdw run` reported its own failure already
        report_failed_run(context.instance, context.dagster_run, warehouse.published_path())
    url = os.environ.get(WEBHOOK_ENV)
    if url:
        post_webhook(url, record)


def build_sensors() -> list:
    """The sensors; the inbox sensor in the default state the setting gives (read now, not at
    import), the failure recorder always on."""
    status = default_sensor_status()
    return [
        sensor(
            name="returns_inbox_sensor",
            job=returns_inbox,
            minimum_interval_seconds=30,
            default_status=status,
            description="A new or changed returns file (.csv or .xlsx) in `inbox/returns/` under"
            " the data dir triggers one returns_inbox run (load, reconciliation, audit, publish)"
            " per file version, keyed by file name and checksum.",
        )(returns_inbox_sensor),
        # Always on: it launches nothing, and a failure nobody recorded is lost.
        run_failure_sensor(
            name="record_run_failures",
            default_status=DefaultSensorStatus.RUNNING,
            description=f"Appends every failed run of this code location (UI, schedules, sensors"
            f" and `pfdw run` alike) and its reason to `{FAILURES_FILE}` in the data dir and the"
            f" log; POSTs it to ${WEBHOOK_ENV} when that is set (off by default).",
        )(record_run_failures),
    ]
