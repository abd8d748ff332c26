"""Issue 13, items 1 and 8: the analyst tools are no way in.

`pfdw sql` runs the user's statement in a sandbox (orchestration/analyst/warehouse.py): each escape
a hostile user tried is refused with one line, the published warehouse stays byte-identical, no
file is written, and the names of the deceased are not in the data the statement can see.
`pfdw export` builds no SQL from a path and neutralises formula-leading CSV cells.

Fast: the hand-made contract warehouse, the command line run in process (one subprocess test for
the real entry point). The heavier variants against a copy of a real warehouse are the chaos cases
in orchestration/bench/chaos/analyst.py.
"""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.analyst.warehouse import (
    NAME_BEARING_COLUMNS,
    WarehouseError,
    open_sandbox,
    run_query,
)
from tests.orchestration.analyst.contract_warehouse import DECEASED, build_contract_warehouse

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "=cmd|' /C calc'!A0", "+SUM(1,2)", "@x"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The contract warehouse with a raw table carrying names under another column, formula
    cells in a mart and a deceased name inside a text column the sandbox must not show."""
    path = build_contract_warehouse(tmp_path_factory.mktemp("published") / "pfd.duckdb")
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE SCHEMA raw")
        connection.execute("CREATE TABLE raw.judiciary_pfd__report_texts (url VARCHAR, s VARCHAR)")
        connection.execute(
            "INSERT INTO raw.judiciary_pfd__report_texts VALUES (?, ?)",
            ["r1", f"Inquest touching the death of {next(iter(DECEASED.values()))}"],
        )
        connection.execute("CREATE TABLE raw.crawl_runs (run_id VARCHAR, spider VARCHAR)")
        connection.execute("INSERT INTO raw.crawl_runs VALUES ('run-1', 'judiciary_pfd')")
        for number, formula in enumerate(FORMULAS):
            connection.execute(
                "INSERT INTO main.dim_organisations (organisation_key, canonical_name, "
                "report_count) VALUES (?, ?, ?)",
                [f"formula:{number}", formula, -number],
            )
    return path


@pytest.fixture
def pfdw(published, monkeypatch, tmp_path, capsys):
    """Run the command line in process from an empty folder; returns (code, stdout, stderr) and
    checks, after every call, that the published file is byte-identical and nothing was written
    to the folder."""
    from orchestration.cli import main

    before = _digest(published)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("PFDW_WAREHOUSE_PATH", str(published))
    monkeypatch.setenv("PFDW_DATA_DIR", str(tmp_path / "data"))

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        assert _digest(published) == before, f"{argv} changed the published warehouse"
        assert sorted(published.parent.iterdir()) == [published], "a file beside the warehouse"
        assert not any(work.iterdir()), f"{argv} wrote {sorted(work.iterdir())}"
        return code, captured.out, captured.err

    return run


def refused_in_one_line(code: int, stderr: str, *words: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code != 0, stderr
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_copy_over_the_published_warehouse_is_refused(pfdw, published):
    for statement in (
        f"COPY (SELECT 1) TO '{published}'",
        f"COPY (SELECT 1) TO '{published}' (USE_TMP_FILE false)",
    ):
        code, _, stderr = pfdw("sql", statement)
        refused_in_one_line(code, stderr, "refused", "COPY", "read-only")


def test_reading_a_system_file_is_refused(pfdw):
    code, stdout, stderr = pfdw("sql", "SELECT * FROM read_text('/etc/passwd')")
    refused_in_one_line(code, stderr, "/etc/passwd")
    assert "root" not in stdout
    code, _, stderr = pfdw("sql", "SELECT * FROM read_csv('/etc/passwd', sep = ':')")
    refused_in_one_line(code, stderr, "disabled")


def test_copy_to_any_file_is_refused(pfdw, tmp_path):
    target = tmp_path / "out.csv"
    statement = f"COPY (SELECT * FROM dim_organisations) TO '{target}'"  # noqa: S608
    code, _, stderr = pfdw("sql", statement)
    refused_in_one_line(code, stderr, "COPY")
    assert not target.exists()


def test_attaching_the_warehouse_writable_is_refused(pfdw, published):
    code, _, stderr = pfdw("sql", f"ATTACH '{published}' AS w (READ_ONLY false)")
    refused_in_one_line(code, stderr, "ATTACH")


def test_install_and_load_are_refused(pfdw):
    for statement in ("INSTALL httpfs", "LOAD httpfs"):
        code, _, stderr = pfdw("sql", statement)
        refused_in_one_line(code, stderr, "refused")


def test_settings_cannot_be_set_back(pfdw):
    for statement in ("SET enable_external_access = true", "RESET lock_configuration"):
        code, _, stderr = pfdw("sql", statement)
        refused_in_one_line(code, stderr, "SET")


def test_a_second_statement_is_refused_before_the_first_runs(pfdw, published):
    code, stdout, stderr = pfdw("sql", f"SELECT 42; COPY (SELECT 1) TO '{published}'")
    refused_in_one_line(code, stderr, "2 statements", "one statement at a time")
    assert "42" not in stdout


def test_the_sandbox_itself_refuses_every_escape(published, tmp_path):
    """Below the statement check: the connection's own settings refuse each escape."""
    before = _digest(published)
    sandbox = open_sandbox(published)
    try:
        for statement in (
            f"COPY (SELECT 1) TO '{published}' (USE_TMP_FILE false)",
            f"COPY (SELECT 1) TO '{tmp_path / 'x.csv'}'",
            "SELECT * FROM read_text('/etc/passwd')",
            f"SELECT * FROM read_blob('{published}')",  # noqa: S608
            f"ATTACH '{published}' AS w (READ_ONLY false)",
            "INSTALL httpfs",
            "SET enable_external_access = true",
            "SET lock_configuration = false",
            "SET allowed_paths = ['/']",
        ):
            with pytest.raises(duckdb.Error):
                sandbox.connection.execute(statement)
        files = sandbox.connection.execute(
            "SELECT count(*) FROM duckdb_databases() WHERE path IS NOT NULL"
        ).fetchall()
        assert files == [(0,)]
    finally:
        sandbox.close()
    assert _digest(published) == before
    assert sorted(tmp_path.iterdir()) == []


def test_names_are_not_in_the_data_the_statement_can_see(pfdw, published):
    code, _, stderr = pfdw("sql", "SELECT deceased_name AS n FROM dim_deceased")
    refused_in_one_line(code, stderr, "deceased_name", "--with-names")
    for statement in (
        "SELECT * FROM pfdw_source.main.dim_deceased",
        "SELECT * FROM raw.judiciary_pfd__report_texts",
        f"SELECT * FROM '{published}'",  # noqa: S608
    ):
        code, _, stderr = pfdw("sql", statement)
        refused_in_one_line(code, stderr)
    code, stdout, stderr = pfdw("sql", "SELECT * FROM dim_deceased", "--format", "json")
    assert code == 0 and "--with-names" in stderr
    # Every text value of every table the sandbox holds: no name anywhere.
    sandbox = open_sandbox(published)
    try:
        columns = sandbox.connection.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = 'memory'"
        ).fetchall()
        assert not {c.lower() for _, _, c in columns} & NAME_BEARING_COLUMNS
        _, rows = run_query(sandbox, "SELECT * FROM raw.crawl_runs")
        assert rows == [("run-1", "judiciary_pfd")]
        _, everything = run_query(sandbox, "SELECT list(t)::VARCHAR FROM dim_deceased AS t")
    finally:
        sandbox.close()
    for name in DECEASED.values():
        assert name not in stdout and name not in str(everything)


def test_with_names_keeps_working_and_stays_sandboxed(pfdw, published):
    code, stdout, _ = pfdw(
        "sql", "SELECT deceased_name FROM dim_deceased", "--with-names", "--format", "json"
    )
    assert code == 0 and set(DECEASED.values()) <= set(stdout.replace('"', "\n").splitlines())
    code, _, stderr = pfdw("sql", f"COPY (SELECT 1) TO '{published}'", "--with-names")
    refused_in_one_line(code, stderr, "COPY")
    code, _, stderr = pfdw("sql", "SELECT * FROM read_text('/etc/passwd')", "--with-names")
    refused_in_one_line(code, stderr, "/etc/passwd")


def test_question_files_run_in_the_sandbox(pfdw):
    code, stdout, stderr = pfdw(
        "sql",
        "--file",
        "q1_headline",
        "--var",
        "org_types=nhs_mental_health_trust",
        "--format",
        "json",
    )
    assert code == 0, stderr
    assert '"reports_sent"' in stdout


@pytest.mark.parametrize(
    ("variable", "words"),
    [
        ("since=notadate", ("--var since=notadate", "YYYY-MM-DD")),
        ("until=2024-02-30", ("--var until=2024-02-30",)),
        ("as_named=maybe", ("--var as_named=maybe", "true or false")),
    ],
)
def test_a_bad_var_is_one_line(pfdw, variable, words):
    code, _, stderr = pfdw("sql", "--file", "q1_headline", "--var", variable)
    refused_in_one_line(code, stderr, *words)


def test_a_var_named_like_a_keyword_is_bound_not_parsed(pfdw):
    code, stdout, stderr = pfdw(
        "sql", "SELECT getvariable('select') AS v", "--var", "select=1'; DROP", "--format", "csv"
    )
    assert code == 0, stderr
    assert stdout.splitlines() == ["v", "1'; DROP"]


def test_a_bad_var_through_the_real_entry_point_has_no_traceback(published, tmp_path):
    pfdw = Path(sys.executable).parent / "pfdw"
    environment = {**os.environ, "PFDW_WAREHOUSE_PATH": str(published)}
    environment["PFDW_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [str(pfdw), "sql", "SELECT 1", "--var", "since=nope"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    refused_in_one_line(result.returncode, result.stderr, "--var since=nope")


def test_export_to_a_path_with_a_quote_neutralises_formula_cells(pfdw, tmp_path):
    out = tmp_path / "x'y" / "export"
    code, _, stderr = pfdw("export", "--out", str(out), "--table", "dim_organisations")
    assert code == 0, stderr
    with (out / "csv" / "dim_organisations.csv").open(encoding="utf-8", newline="") as handle:
        rows = {row["organisation_key"]: row for row in csv.DictReader(handle)}
    for number, formula in enumerate(FORMULAS):
        assert rows[f"formula:{number}"]["canonical_name"] == "'" + formula
        assert rows[f"formula:{number}"]["report_count"] == str(-number)  # numbers stay numbers
    parquet = str(out / "parquet" / "dim_organisations.parquet")
    names = duckdb.execute(
        "SELECT canonical_name FROM read_parquet(?) WHERE organisation_key LIKE 'formula:%' "
        "ORDER BY organisation_key",
        [parquet],
    ).fetchall()
    assert [name for (name,) in names] == FORMULAS
    assert "apostrophe" in (out / "DATA_DICTIONARY.md").read_text(encoding="utf-8")


def test_sql_csv_output_neutralises_formula_cells(pfdw):
    code, stdout, _ = pfdw(
        "sql",
        "SELECT canonical_name, report_count FROM dim_organisations "
        "WHERE organisation_key LIKE 'formula:%' ORDER BY organisation_key",
        "--format",
        "csv",
    )
    assert code == 0
    rows = list(csv.reader(stdout.splitlines()))[1:]
    assert [row[0] for row in rows] == ["'" + formula for formula in FORMULAS]
    assert [row[1] for row in rows] == ["0", "-1", "-2", "-3"]


def test_export_with_a_missing_warehouse_is_one_line(monkeypatch, tmp_path, capsys):
    from orchestration.cli import main

    monkeypatch.setenv("PFDW_WAREHOUSE_PATH", str(tmp_path / "none" / "pfd.duckdb"))
    code = main(["sql", "SELECT 1"])
    refused_in_one_line(code, capsys.readouterr().err, "No warehouse")
    with pytest.raises(WarehouseError, match="No warehouse"):
        open_sandbox(tmp_path / "none" / "pfd.duckdb")


def test_sql_vars_take_the_same_aliases_as_the_report():
    from orchestration.analyst.commands import _typed_variable

    assert _typed_variable("org_types", "mental_health_trust, nhs_ambulance_trust") == [
        "nhs_mental_health_trust",
        "nhs_ambulance_trust",
    ]
    assert _typed_variable("recipient_sources", "header,report_text") == ["header", "report_text"]
    assert _typed_variable("org_keys", "ods:RXT, nb:x") == ["ods:RXT", "nb:x"]
    with pytest.raises(ValueError, match="--var org_types=trusts: Unknown organisation type"):
        _typed_variable("org_types", "trusts")
    with pytest.raises(ValueError, match="--var recipient_sources=letters: Unknown recipient"):
        _typed_variable("recipient_sources", "letters")
