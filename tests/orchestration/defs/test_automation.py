"""Schedules and sensors start stopped unless PFDW_AUTOMATION_DEFAULT says running; `pfdw ui`
states what a person gets and refuses a port it cannot use."""

import socket

import pytest
from dagster import DagsterInstance, DefaultScheduleStatus, DefaultSensorStatus

from orchestration.defs import runs
from orchestration.defs.automation import AUTOMATION_ENV, default_status_name
from orchestration.defs.schedules import build_schedules
from orchestration.defs.sensors import build_sensors


def test_schedules_and_sensors_are_stopped_by_default(monkeypatch):
    monkeypatch.delenv(AUTOMATION_ENV, raising=False)
    assert {s.default_status for s in build_schedules()} == {DefaultScheduleStatus.STOPPED}
    sensors = {s.name: s.default_status for s in build_sensors()}
    assert sensors["returns_inbox_sensor"] == DefaultSensorStatus.STOPPED
    # The failure recorder starts no run, so it is always on.
    assert sensors["record_run_failures"] == DefaultSensorStatus.RUNNING


def test_the_setting_turns_them_all_on(monkeypatch):
    monkeypatch.setenv(AUTOMATION_ENV, " Running ")
    assert {s.default_status for s in build_schedules()} == {DefaultScheduleStatus.RUNNING}
    assert {s.default_status for s in build_sensors()} == {DefaultSensorStatus.RUNNING}


def test_a_wrong_setting_names_the_variable_and_the_accepted_values(monkeypatch):
    monkeypatch.setenv(AUTOMATION_ENV, "on")
    with pytest.raises(ValueError, match=r"PFDW_AUTOMATION_DEFAULT='on': expected one of stopped"):
        default_status_name()


def test_ui_start_up_states_each_schedule_and_sensor(monkeypatch, tmp_path):
    monkeypatch.delenv(AUTOMATION_ENV, raising=False)
    home = runs.prepare_instance(tmp_path)
    with DagsterInstance.from_config(str(home)) as instance:
        lines = runs.automation_states(instance)
    assert "daily_collection_schedule: stopped (default)" in lines
    assert "returns_inbox_sensor: stopped (default)" in lines
    assert "record_run_failures: running (always, whatever the setting)" in lines
    assert len(lines) == 5


def test_ui_refuses_a_port_in_use_in_one_line(capsys, tmp_path):
    with socket.socket() as taken:
        taken.bind((runs.UI_HOST, 0))
        port = taken.getsockname()[1]
        status = runs.run_ui(port, data_dir=tmp_path, warehouse=tmp_path / "w.duckdb")
    assert status == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"pfdw ui: port {port} on 127.0.0.1 is in use")
    assert f"make ui PORT={port + 1}" in err
    assert runs.port_in_use(70000) == "port 70000 is not a TCP port (1-65535)"
