"""Returns names are resolved by dbt only (the raw load takes them as written). A file version
with a name that resolves to nothing is held out of the reconciliation as a whole, the previously
accepted version of the same file stays current, and the held-out names are listed by file, row,
column and name (``audit_returns_unresolved``), warned by a dbt test and failed by the returns
suite with the same line. One dbt build of the returns models on a copy of the sample build."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from expectations.config import AuditConfig
from expectations.registry import suite
from expectations.runner import run_suite
from orchestration.sources.returns import load as returns
from orchestration.sources.returns.read import ALL_COLUMNS
from orchestration.warehouse.dbt_cli import run_dbt

TODAY = date(2026, 2, 1)
KNOWN = ("King's College Hospital NHS Foundation Trust", "NHS trust")  # ods:RJZ in the sample
AREA = ("Inner North London", "coroner area")  # London Inner North
SELECT = [
    "path:models/staging/returns",
    "path:models/intermediate/returns",
    "path:models/marts/audit/returns",
    "path:tests/assert_every_returns_file_version_resolves.sql",
]


def write(path: Path, named: list[tuple[str, str]], key: str | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ALL_COLUMNS)
        writer.writeheader()
        for number, (name, kind) in enumerate(named):
            writer.writerow(
                {column: "" for column in ALL_COLUMNS}
                | {
                    "organisation_name": name,
                    "organisation_kind": kind,
                    "organisation_key": key if number == 0 and key else "",
                    "source_kind": "FOI answer",
                    "source_reference": f"ref-{number}",
                    "period_start": "2023-01-01",
                    "period_end": "2023-12-31",
                    "reports_received": "1",
                    "counting_basis": "as addressee",
                    "outcome": "provided",
                    "source_url": "https://example.org/answer",
                }
            )
    return path


@pytest.fixture(scope="module")
def held_out(sample_warehouse, tmp_path_factory):
    """a.csv: an accepted version, then a corrected one with an unknown organisation; b.csv:
    only an unknown coroner area and an unknown key. Loaded by the raw loader, then built."""
    work = tmp_path_factory.mktemp("returns_held_out")
    warehouse = work / "pfd.duckdb"
    shutil.copyfile(sample_warehouse, warehouse)
    (work / "v1").mkdir()
    (work / "v2").mkdir()
    first = returns.load_returns_file(
        write(work / "v1" / "a.csv", [KNOWN, AREA]), warehouse, work / "data", today=TODAY
    )
    second = returns.load_returns_file(
        write(work / "v2" / "a.csv", [KNOWN, AREA, ("Acme Widgets Trust", "NHS trust")]),
        warehouse,
        work / "data",
        today=TODAY,
    )
    other = returns.load_returns_file(
        write(work / "b.csv", [KNOWN, ("Atlantis", "coroner area")], key="nb:no-such-body"),
        warehouse,
        work / "data",
        today=TODAY,
    )
    completed = run_dbt(["build", "--select", *SELECT], warehouse, work)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    return warehouse, first, second, other, completed.stdout


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_version_with_an_unknown_name_is_held_out_whole_and_the_accepted_one_stays(held_out):
    warehouse, first, second, other, _ = held_out
    assert second.superseded == (first.file_sha256,)  # the raw history: v2 loaded last
    versions = query(
        warehouse,
        "select file_sha256, version_status, current_file_sha256"
        " from intermediate.int_returns_file_versions",
    )
    assert set(versions) == {
        (first.file_sha256, "current", first.file_sha256),
        (second.file_sha256, "held out", first.file_sha256),
        (other.file_sha256, "held out", None),
    }
    reconciled = query(
        warehouse,
        "select file_sha256, count(*), bool_and(is_resolved)"
        " from main.audit_returns_reconciliation group by all",
    )
    assert reconciled == [(first.file_sha256, 2, True)]  # never half of v2 or b.csv


def test_unresolved_names_are_listed_by_file_row_column_and_name(held_out):
    warehouse, _, second, other, stdout = held_out
    listed = query(
        warehouse,
        "select file_name, row_number, column_name, name_as_written, problem_text"
        " from main.audit_returns_unresolved order by file_name, row_number",
    )
    assert [r[:4] for r in listed] == [
        ("a.csv", 4, "organisation_name", "Acme Widgets Trust"),
        ("b.csv", 2, "organisation_key", KNOWN[0]),
        ("b.csv", 3, "organisation_name", "Atlantis"),
    ]
    assert listed[0][4].startswith(
        "a.csv, row 4, column organisation_name: unknown organisation 'Acme Widgets Trust'"
    )
    assert "'nb:no-such-body' is not in dim_organisations" in listed[1][4]
    assert "unknown coroner area 'Atlantis'" in listed[2][4]
    assert "WARN" in stdout and "assert_every_returns_file_version_resolves" in stdout
    lines = returns.held_out_problems(warehouse, [second.file_sha256])
    assert lines == [listed[0][4]]
    assert returns.held_out_problems(warehouse, [other.file_sha256]) == [r[4] for r in listed[1:]]


def test_the_returns_suite_fails_naming_the_held_out_rows(held_out):
    warehouse = held_out[0]
    spec = suite("returns_reconciliation")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame, facts = spec.load_frame(con, AuditConfig())
    assert facts["held_out_problems"] == 3
    outcome = run_suite(spec, frame, facts=facts)
    assert outcome.severity == "error"
    assert any(
        e.startswith("a.csv, row 4, column organisation_name: unknown organisation 'Acme")
        for e in outcome.failing_entities
    ), outcome.failing_entities
