"""FOI campaign files load all or nothing (issue 15): an error, or a kill -9, in the middle of
loading a report list or a requests file leaves the warehouse as it was (no file row, no line,
no request), the checksum no-op does not mistake the half-done load for a loaded file, and the
same file loads afterwards. Same shape as the count returns' tests (``test_returns.py``) and the
writer's kill test (``test_writer.py``)."""

from __future__ import annotations

import signal

import duckdb
import pytest

from orchestration.sources.returns import foi_files
from orchestration.sources.returns import load as returns
from tests.orchestration.sources.returns.test_files import TODAY, state
from tests.orchestration.sources.returns.test_foi_files import line_rows, request_rows, write_csv
from tests.reliability.test_writer import python


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse" / "pfd.duckdb"
    path.parent.mkdir()
    duckdb.connect(str(path)).close()
    return path


def counts(warehouse) -> tuple:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return tuple(
            con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0]  # noqa: S608
            for table in ("returns__files", "returns__report_lines", "returns__requests")
        )


def test_an_error_in_the_middle_of_the_insert_leaves_nothing(warehouse, tmp_path, monkeypatch):
    returns.load_returns_file(
        write_csv(tmp_path / "earlier.csv", line_rows()), warehouse, tmp_path / "data", today=TODAY
    )
    before = state(warehouse)
    real = foi_files.raw_records

    def last_record_twice(kind, checksum, rows):  # the database refuses the second copy
        table, columns, records = real(kind, checksum, rows)
        return table, columns, [*records, records[-1]]

    monkeypatch.setattr(foi_files, "raw_records", last_record_twice)
    path = write_csv(tmp_path / "requests.csv", request_rows())
    with pytest.raises(duckdb.ConstraintException):
        returns.load_returns_file(path, warehouse, tmp_path / "data", today=TODAY)
    assert state(warehouse) == before  # the file row inserted before the error is gone too
    monkeypatch.undo()
    result = returns.load_returns_file(path, warehouse, tmp_path / "data", today=TODAY)
    assert (result.status, result.rows_loaded) == ("loaded", 3)


KILLED_IN_THE_MIDDLE = """
    import sys, time
    from datetime import date
    from orchestration.sources.returns import load
    from orchestration.warehouse import connection

    real_connect = connection.connect

    class Slow:
        # A connection that stops after inserting the lines, before the COMMIT.
        def __init__(self, con):
            self._con = con
        def __getattr__(self, name):
            return getattr(self._con, name)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return self._con.__exit__(*exc)
        def executemany(self, *args):
            result = self._con.executemany(*args)
            print("inserted, not committed", flush=True)
            time.sleep(60)
            return result

    connection.connect = lambda *a, **k: Slow(real_connect(*a, **k))
    load.load_returns_file(sys.argv[1], sys.argv[2], sys.argv[3], today=date(2026, 11, 22))
"""


def test_a_kill_9_in_the_middle_of_the_load_leaves_nothing(warehouse, tmp_path):
    returns.load_returns_file(
        write_csv(tmp_path / "earlier.csv", line_rows()), warehouse, tmp_path / "data", today=TODAY
    )
    assert counts(warehouse) == (1, 3, 0)
    path = write_csv(tmp_path / "requests.csv", request_rows())
    loader = python(KILLED_IN_THE_MIDDLE, str(path), str(warehouse), str(tmp_path / "data"))
    try:
        assert loader.stdout.readline().strip() == "inserted, not committed", loader.stderr.read()
    finally:
        loader.send_signal(signal.SIGKILL)
        loader.communicate()
    assert counts(warehouse) == (1, 3, 0)
    result = returns.load_returns_file(path, warehouse, tmp_path / "data", today=TODAY)
    assert (result.status, result.rows_loaded) == ("loaded", 3)  # not "already loaded"
    assert counts(warehouse) == (2, 3, 3)
