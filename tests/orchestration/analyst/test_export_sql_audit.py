"""`pfdw export`, `pfdw sql` and `pfdw audit` on the snapshot window, and the README's Python
example for opening the warehouse read-only."""

from __future__ import annotations

import csv
import io
import json
import os

import duckdb
import pytest

pytestmark = pytest.mark.slow


def test_export_round_trips_every_mart_with_a_data_dictionary(pfdw, window_warehouse, tmp_path):
    out = tmp_path / "export"
    code, _, stderr = pfdw("export", "--out", str(out))
    assert code == 0, stderr
    with duckdb.connect(str(window_warehouse), read_only=True) as connection:
        marts = [
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        assert "fct_reports" in marts
        for table in marts:
            (expected,) = connection.execute(f"SELECT count(*) FROM main.{table}").fetchone()  # noqa: S608
            parquet = out / "parquet" / f"{table}.parquet"
            (from_parquet,) = connection.execute(
                "SELECT count(*) FROM read_parquet(?)", [str(parquet)]
            ).fetchone()
            (from_csv,) = connection.execute(
                "SELECT count(*) FROM read_csv(?, header = true)",
                [str(out / "csv" / f"{table}.csv")],
            ).fetchone()
            assert from_parquet == expected == from_csv, table
    with (out / "data_dictionary.csv").open(encoding="utf-8") as handle:
        dictionary = {(r["table"], r["column"]): r["description"] for r in csv.DictReader(handle)}
    assert dictionary[("fct_reports", "report_status")].startswith("completed (every recipient")
    assert ("dim_deceased", "deceased_name") not in dictionary
    assert "## fct_reports" in (out / "DATA_DICTIONARY.md").read_text()
    assert "OWASP CSV-injection rule" in (out / "DATA_DICTIONARY.md").read_text()


def test_export_leaves_names_out_unless_asked(pfdw, tmp_path):
    plain, named = tmp_path / "plain", tmp_path / "named"
    assert pfdw("export", "--out", str(plain), "--table", "dim_deceased")[0] == 0
    assert pfdw("export", "--out", str(named), "--table", "dim_deceased", "--with-names")[0] == 0

    def columns(folder):
        path = str(folder / "parquet" / "dim_deceased.parquet")
        return {
            row[0] for row in duckdb.execute("DESCRIBE FROM read_parquet(?)", [path]).fetchall()
        }

    assert "deceased_name" not in columns(plain)
    assert "deceased_name" in columns(named)


def test_sql_prints_csv_and_json(pfdw):
    query = "SELECT report_status, count(*) AS n FROM fct_reports GROUP BY 1 ORDER BY 1"
    code, stdout, _ = pfdw("sql", query, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert rows and set(rows[0]) == {"report_status", "n"}
    code, stdout, _ = pfdw("sql", query, "--format", "json")
    assert code == 0
    assert sum(r["n"] for r in json.loads(stdout)) == sum(int(r["n"]) for r in rows)


def test_sql_runs_a_question_file_with_variables(pfdw):
    code, stdout, stderr = pfdw(
        "sql",
        "--file",
        "q1_headline",
        "--var",
        "org_types=police,prison_probation",
        "--format",
        "json",
    )
    assert code == 0, stderr
    (headline,) = json.loads(stdout)
    code, stdout, _ = pfdw(
        "sql",
        "SELECT count(DISTINCT report_url) AS n FROM fct_report_recipients "
        "WHERE current_organisation_type IN ('police', 'prison_probation')",
        "--format",
        "json",
    )
    assert headline["reports_sent"] == json.loads(stdout)[0]["n"]


def test_sql_withholds_name_columns_unless_asked(pfdw):
    code, stdout, stderr = pfdw("sql", "SELECT * FROM dim_deceased LIMIT 3", "--format", "json")
    assert code == 0 and "deceased_name" not in stdout and "--with-names" in stderr
    code, stdout, _ = pfdw(
        "sql", "SELECT * FROM dim_deceased LIMIT 3", "--format", "json", "--with-names"
    )
    assert '"deceased_name"' in stdout


def test_sql_errors_say_what_was_wrong(pfdw, monkeypatch, tmp_path):
    code, _, stderr = pfdw("sql", "SELEC 1")
    assert code == 1 and "syntax error" in stderr
    assert len(stderr.strip().splitlines()) == 1  # every error and refusal is one line
    code, _, stderr = pfdw("sql", "SELECT * FROM no_such_table")
    assert code == 1 and "no_such_table" in stderr and "SHOW ALL TABLES" in stderr
    assert len(stderr.strip().splitlines()) == 1
    code, _, stderr = pfdw("sql", "CREATE TABLE x AS SELECT 1")
    assert code == 1 and "read-only" in stderr
    code, _, stderr = pfdw("sql", "SELECT 1; SELECT 2")
    assert code == 1 and "one statement at a time" in stderr
    missing = tmp_path / "nowhere" / "pfd.duckdb"
    monkeypatch.setenv("PFDW_WAREHOUSE_PATH", str(missing))
    code, _, stderr = pfdw("sql", "SELECT 1")
    assert code == 1 and str(missing) in stderr and "make run" in stderr


def test_audit_without_a_summary_says_so(pfdw):
    code, _, stderr = pfdw("audit")
    assert code == 2 and "No audit yet" in stderr


def test_audit_prints_the_latest_summary(pfdw):
    audit_dir = os.environ["PFDW_DATA_DIR"] + "/audit"
    os.makedirs(audit_dir + "/2026-01-05")
    os.makedirs(audit_dir + "/2026-01-12")
    older = audit_dir + "/2026-01-05/summary.md"
    newer = audit_dir + "/2026-01-12/summary.md"
    with open(older, "w") as handle:
        handle.write("# Audit 2026-01-05\n")
    with open(newer, "w") as handle:
        handle.write("# Audit 2026-01-12\n")
    os.utime(older, (1_000_000, 1_000_000))
    code, stdout, stderr = pfdw("audit")
    assert code == 0 and "Audit 2026-01-12" in stdout and newer in stderr
    code, stdout, _ = pfdw("audit", "--path")
    assert stdout.strip() == newer


def test_readme_python_example_reads_the_warehouse_read_only(window_warehouse):
    # The README's example, verbatim apart from the path.
    import duckdb

    con = duckdb.connect(str(window_warehouse), read_only=True)
    reports = con.sql("SELECT * FROM fct_reports").df()
    by_type = con.execute(
        "SELECT organisation_type, count(DISTINCT report_url) AS reports "
        "FROM fct_report_recipients GROUP BY 1 ORDER BY 2 DESC"
    ).df()
    con.close()
    assert len(reports) > 0 and by_type["reports"].sum() >= 1
    with pytest.raises(duckdb.Error, match="read-only"):
        duckdb.connect(str(window_warehouse), read_only=True).execute("CREATE TABLE t (x INT)")
