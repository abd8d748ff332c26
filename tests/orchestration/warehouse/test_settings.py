"""Paths come from the environment when asked for, and are absolute (dbt runs elsewhere)."""

from pathlib import Path

from orchestration.warehouse import settings


def test_defaults_live_under_data_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert settings.data_dir({}) == tmp_path / "data"
    assert settings.warehouse_path({}) == tmp_path / "data" / "warehouse" / "pfd.duckdb"
    assert settings.runs_root({}) == tmp_path / "data" / "runs"


def test_relative_settings_are_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"PFDW_DATA_DIR": "somewhere", "PFDW_WAREHOUSE_PATH": "w/pfd.duckdb"}
    assert settings.data_dir(env) == tmp_path / "somewhere"
    assert settings.warehouse_path(env) == tmp_path / "w" / "pfd.duckdb"
    assert settings.warehouse_path({"PFDW_DATA_DIR": "d"}) == tmp_path / "d/warehouse/pfd.duckdb"
    assert all(p.is_absolute() for p in (settings.data_dir(env), settings.warehouse_path(env)))


def test_nothing_is_read_at_import(monkeypatch, tmp_path):
    monkeypatch.setenv("PFDW_WAREHOUSE_PATH", str(tmp_path / "later.duckdb"))
    assert settings.warehouse_path() == Path(tmp_path / "later.duckdb")
