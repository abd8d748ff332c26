"""The returns inbox sensor fires once per file version; failed runs are recorded."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from dagster import (
    DagsterInstance,
    DagsterRunStatus,
    build_run_status_sensor_context,
    build_sensor_context,
    job,
    op,
)

from orchestration.defs.resources import WarehouseResource
from orchestration.defs.sensors import WEBHOOK_ENV, build_sensors, inbox_dir

SENSORS = {definition.name: definition for definition in build_sensors()}
returns_inbox_sensor = SENSORS["returns_inbox_sensor"]
record_run_failures = SENSORS["record_run_failures"]


def evaluate_inbox(instance, warehouse, cursor):
    # A context manager, as the daemon opens it: the warehouse resource has a teardown.
    with build_sensor_context(
        instance=instance, cursor=cursor, resources={"warehouse": warehouse}
    ) as context:
        result = returns_inbox_sensor.evaluate_tick(context)
    return result.run_requests, result.cursor


def test_inbox_sensor_fires_once_per_file_version(tmp_path):
    warehouse = WarehouseResource(path=str(tmp_path / "w.duckdb"), data_dir=str(tmp_path))
    inbox = inbox_dir(tmp_path)
    with DagsterInstance.ephemeral() as instance:
        requests, cursor = evaluate_inbox(instance, warehouse, None)
        assert requests == []  # no inbox yet: nothing to do, no error

        inbox.mkdir(parents=True)
        returns = inbox / "dwp_2024.csv"
        returns.write_text("organisation,period,count\nDWP,2024,10\n")
        (inbox / "~$dwp_2024.xlsx").write_text("editor lock file")
        (inbox / "notes.txt").write_text("not a returns file")
        requests, cursor = evaluate_inbox(instance, warehouse, cursor)
        assert len(requests) == 1
        first = requests[0]
        assert first.run_key.startswith("dwp_2024.csv:")
        # The load asset scans the inbox itself: the run needs no config, only its key.
        assert not first.run_config
        assert first.tags["pfdw/returns_file"] == "dwp_2024.csv"
        assert first.run_key == f"dwp_2024.csv:{first.tags['pfdw/returns_sha256']}"

        requests, cursor = evaluate_inbox(instance, warehouse, cursor)
        assert requests == []  # same file, same version: no second run

        returns.touch()  # a new modification time but the same bytes is not a new version
        requests, cursor = evaluate_inbox(instance, warehouse, cursor)
        assert requests == []

        returns.write_text("organisation,period,count\nDWP,2024,11\n")  # corrected file
        requests, cursor = evaluate_inbox(instance, warehouse, cursor)
        assert len(requests) == 1
        assert requests[0].run_key != first.run_key
        assert requests[0].run_key.startswith("dwp_2024.csv:")

        (inbox / "cqc_2023.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
        requests, cursor = evaluate_inbox(instance, warehouse, cursor)
        assert [r.run_key.split(":")[0] for r in requests] == ["cqc_2023.xlsx"]


@op
def crawl_that_breaks():
    raise RuntimeError("listing page 1 parsed to no report cards: layout changed?")


@job
def breaking_job():
    crawl_that_breaks()


def failure_context(instance, warehouse):
    result = breaking_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    failure_event = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    context = build_run_status_sensor_context(
        sensor_name="record_run_failures",
        dagster_event=failure_event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"warehouse": warehouse},
    )
    # Entered, as the daemon does: the warehouse resource has a teardown (a no-op here).
    return context.__enter__().for_run_failure()


def test_failed_run_is_recorded_with_its_reason(tmp_path, monkeypatch):
    monkeypatch.delenv(WEBHOOK_ENV, raising=False)
    warehouse = WarehouseResource(path=str(tmp_path / "w.duckdb"), data_dir=str(tmp_path))
    with DagsterInstance.ephemeral() as instance:
        context = failure_context(instance, warehouse)
        record_run_failures(context)
        assert instance.get_run_by_id(context.dagster_run.run_id).status == DagsterRunStatus.FAILURE
    lines = (tmp_path / "run_failures.jsonl").read_text().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["job"] == "breaking_job"
    assert record["run_id"] == context.dagster_run.run_id
    assert record["failed_steps"][0]["step"] == "crawl_that_breaks"
    assert "layout changed?" in record["failed_steps"][0]["error"]


class _Collector(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server():
    _Collector.received = []
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Collector.received
    server.shutdown()
    server.server_close()


def test_failure_webhook_is_called_only_when_configured(tmp_path, monkeypatch, webhook_server):
    url, received = webhook_server
    warehouse = WarehouseResource(path=str(tmp_path / "w.duckdb"), data_dir=str(tmp_path))
    with DagsterInstance.ephemeral() as instance:
        monkeypatch.delenv(WEBHOOK_ENV, raising=False)
        record_run_failures(failure_context(instance, warehouse))
        assert received == []
        monkeypatch.setenv(WEBHOOK_ENV, url)
        record_run_failures(failure_context(instance, warehouse))
    assert len(received) == 1
    assert received[0]["job"] == "breaking_job"
    assert len((tmp_path / "run_failures.jsonl").read_text().splitlines()) == 2


def test_unreachable_webhook_does_not_break_the_recording(tmp_path, monkeypatch):
    monkeypatch.setenv(WEBHOOK_ENV, "http://127.0.0.1:9/nobody-listens")
    warehouse = WarehouseResource(path=str(tmp_path / "w.duckdb"), data_dir=str(tmp_path))
    with DagsterInstance.ephemeral() as instance:
        record_run_failures(failure_context(instance, warehouse))
    assert (tmp_path / "run_failures.jsonl").exists()


def tick_failure_sensor(instance, warehouse, cursor, origin):
    """One tick of the run-failure sensor as the daemon evaluates it: in its code location."""
    from dagster import SensorEvaluationContext

    with SensorEvaluationContext(
        instance_ref=None,
        last_tick_completion_time=None,
        last_run_key=None,
        cursor=cursor,
        repository_name="__repository__",
        code_location_origin=origin,
        instance=instance,
        resources={"warehouse": warehouse},
    ) as context:
        return record_run_failures.evaluate_tick(context).cursor


@pytest.mark.slow
def test_failure_sensor_records_a_failed_run_started_from_the_command_line(
    dbt_manifest, tmp_path, monkeypatch
):
    from orchestration.defs import launch, runs
    from orchestration.defs.publication import PUBLISHED_KEY
    from orchestration.defs.resources import SOURCE_ENV

    monkeypatch.delenv(WEBHOOK_ENV, raising=False)
    monkeypatch.setenv(SOURCE_ENV, "nowhere")  # every crawl step fails at once, naming it
    warehouse_path = tmp_path / "warehouse" / "pfd.duckdb"
    warehouse = WarehouseResource(path=str(warehouse_path), data_dir=str(tmp_path))
    origin = launch.workspace_origin()
    home = runs.prepare_instance(tmp_path)
    with DagsterInstance.from_config(str(home)) as instance:
        cursor = tick_failure_sensor(instance, warehouse, None, origin)  # starts watching
        # A run executed outside the code location (what `pfdw run` used to do) is not seen.
        breaking_job.execute_in_process(instance=instance, raise_on_error=False)
        cursor = tick_failure_sensor(instance, warehouse, cursor, origin)
        assert not (tmp_path / "run_failures.jsonl").exists()

    status = runs.run_job("daily_collection", data_dir=tmp_path, warehouse=warehouse_path)
    assert status == 1

    with DagsterInstance.from_config(str(home)) as instance:
        (run,) = [r for r in instance.get_runs() if r.job_name == "daily_collection"]
        assert run.remote_job_origin.location_name == origin.location_name
        tick_failure_sensor(instance, warehouse, cursor, origin)
        records = [json.loads(line) for line in (tmp_path / "run_failures.jsonl").open()]
        assert [r["run_id"] for r in records] == [run.run_id]
        assert records[0]["job"] == "daily_collection"
        assert any("nowhere" in step["error"] for step in records[0]["failed_steps"])
        # `pfdw run` said itself that the published warehouse is untouched ("stale but safe").
        observation = instance.get_latest_materialization_event(PUBLISHED_KEY)
        assert observation is None  # nothing was ever published
        events = instance.fetch_observations(PUBLISHED_KEY, limit=5).records
        assert [e.asset_observation.description for e in events][0].startswith(
            f"stale but safe: run {run.run_id}"
        )
