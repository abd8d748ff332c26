"""Chaos cases for the analyst tools (issue 13, items 1 and 8): each escape a hostile user tried,
run through the real ``pfdw`` command line in a subprocess against a copy of a published
warehouse (the CI build at /tmp/ci/main/data/warehouse/pfd.duckdb when there is one, else a small
one made here).

A case held when the command refused in one line (non-zero exit, no traceback), the warehouse copy
is byte-identical, and nothing was written in the case folder beyond the copy (the command runs
with the folder as its working and home directory, so a stray file lands where it is counted).
``bytes_left_behind`` is the size of every file the case did not expect.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestration.bench.chaos import Case, CaseResult

PUBLISHED = Path("/tmp/ci/main/data/warehouse/pfd.duckdb")
FORMULA = '=HYPERLINK("http://evil.example","click")'
SMALL_NAMES = ("Alexandra Testperson", "Bartholomew Exampleson")


@dataclass
class Setting:
    folder: Path
    warehouse: Path
    digest: str
    names: tuple[str, ...]  # names of the deceased in the copy, to look for in the output


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _small_warehouse(path: Path) -> None:
    import duckdb

    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "CREATE TABLE main.fct_reports (report_url VARCHAR, report_status VARCHAR)"
        )
        connection.execute(
            "CREATE TABLE main.dim_deceased (deceased_key VARCHAR, report_url VARCHAR, "
            "deceased_name VARCHAR, deceased_name_raw VARCHAR)"
        )
        connection.execute(
            "CREATE TABLE main.dim_organisations (organisation_key VARCHAR, "
            "canonical_name VARCHAR, report_count BIGINT)"
        )
        for number, name in enumerate(SMALL_NAMES):
            connection.execute(
                "INSERT INTO main.fct_reports VALUES (?, 'overdue')", [f"https://r/{number}"]
            )
            connection.execute(
                "INSERT INTO main.dim_deceased VALUES (?, ?, ?, ?)",
                [f"d{number}", f"https://r/{number}", name, name.upper()],
            )


def _names(path: Path) -> tuple[str, ...]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as connection:
        rows = connection.execute(
            "SELECT DISTINCT deceased_name FROM main.dim_deceased "
            "WHERE length(deceased_name) >= 8 AND deceased_name LIKE '% %' LIMIT 500"
        ).fetchall()
    return tuple(name for (name,) in rows)


def _setting(folder: Path, formula: bool = False) -> Setting:
    warehouse = folder / "warehouse" / "pfd.duckdb"
    warehouse.parent.mkdir(parents=True)
    if PUBLISHED.is_file():
        shutil.copyfile(PUBLISHED, warehouse)
    else:
        _small_warehouse(warehouse)
    if formula:
        import duckdb

        with duckdb.connect(str(warehouse)) as connection:
            connection.execute(
                "INSERT INTO main.dim_organisations (organisation_key, canonical_name, "
                "report_count) VALUES ('chaos:formula', ?, -3)",
                [FORMULA],
            )
    for name in ("cwd", "home", "data"):
        (folder / name).mkdir()
    return Setting(folder, warehouse, _digest(warehouse), _names(warehouse))


def _pfdw(setting: Setting, *argv: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "PFDW_WAREHOUSE_PATH": str(setting.warehouse),
        "PFDW_DATA_DIR": str(setting.folder / "data"),
        "HOME": str(setting.folder / "home"),
    }
    return subprocess.run(
        [str(Path(sys.executable).parent / "pfdw"), *argv],
        cwd=setting.folder / "cwd",
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _left_behind(setting: Setting, expected: set[Path]) -> tuple[list[str], int]:
    extra = [
        path
        for path in setting.folder.rglob("*")
        if path.is_file() and path != setting.warehouse and path not in expected
        and not any(parent in expected for parent in path.parents)
    ]  # fmt: skip
    return [str(p.relative_to(setting.folder)) for p in extra], sum(p.stat().st_size for p in extra)


def _judge(
    setting: Setting,
    result: subprocess.CompletedProcess,
    *,
    refused: bool = True,
    expected: set[Path] | None = None,
    extra: Callable[[subprocess.CompletedProcess], str | None] | None = None,
) -> CaseResult:
    problems = []
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    if "Traceback" in result.stderr:
        problems.append("a traceback")
    if refused and result.returncode == 0:
        problems.append("not refused (exit 0)")
    if refused and len(lines) != 1:
        problems.append(f"{len(lines)} lines on stderr")
    if not refused and result.returncode != 0:
        problems.append(f"exit {result.returncode}: {lines[-1] if lines else ''}")
    if not setting.warehouse.exists() or _digest(setting.warehouse) != setting.digest:
        problems.append("the warehouse copy changed")
    leaked = [name for name in setting.names if name in result.stdout]
    if leaked:
        problems.append(f"{len(leaked)} name(s) of the deceased in the output")
    if extra is not None and (problem := extra(result)):
        problems.append(problem)
    files, size = _left_behind(setting, expected or set())
    if files:
        problems.append(f"wrote {', '.join(files[:3])}")
    said = lines[0][:110] if lines else f"exit {result.returncode}"
    if problems:
        return CaseResult(False, "; ".join(problems) + f" | {said}", bytes_left_behind=size)
    return CaseResult(True, said, bytes_left_behind=size)


def _sql_case(
    name: str,
    statement: Callable[[Setting], str],
    *options: str,
    extra: Callable[[subprocess.CompletedProcess], str | None] | None = None,
) -> Case:
    def run(folder: Path) -> CaseResult:
        setting = _setting(folder)
        result = _pfdw(setting, "sql", statement(setting), *options)
        return _judge(setting, result, extra=extra)

    return Case(name, run)


def _no_passwd(result: subprocess.CompletedProcess) -> str | None:
    return "/etc/passwd content in the output" if "root:" in result.stdout else None


def _names_case(folder: Path) -> CaseResult:
    """An alias does not get round the withholding: the column is not in the data at all; the
    whole table, every table's column list and the attached databases show no name either."""
    setting = _setting(folder)
    aliased = _pfdw(setting, "sql", "SELECT deceased_name AS n FROM dim_deceased")
    verdict = _judge(setting, aliased)
    if not verdict.held:
        return verdict
    for statement in (
        "SELECT * FROM dim_deceased",
        "SELECT database_name, path FROM duckdb_databases()",
        "SELECT table_name, column_name FROM duckdb_columns() WHERE column_name ILIKE '%name%'",
    ):
        shown = _pfdw(setting, "sql", statement, "--format", "csv", "--max-rows", "100000")
        verdict = _judge(
            setting,
            shown,
            refused=False,
            extra=lambda r: (
                "a name column or a file path is visible"
                if "deceased_name" in r.stdout or str(setting.warehouse) in r.stdout
                else None
            ),
        )
        if not verdict.held:
            return verdict
    return CaseResult(True, f"alias refused: {aliased.stderr.strip()[:90]}")


def _export_case(folder: Path) -> CaseResult:
    """`pfdw export --out "x'y"` works (no SQL is built from the path) and a formula cell in a
    mart reaches the CSV with a leading apostrophe, the Parquet file unchanged."""
    import csv

    import duckdb

    setting = _setting(folder, formula=True)
    out = folder / "x'y" / "export"
    result = _pfdw(setting, "export", "--out", str(out), "--table", "dim_organisations")

    def formula_neutralised(_: subprocess.CompletedProcess) -> str | None:
        path = out / "csv" / "dim_organisations.csv"
        if not path.exists():
            return "no CSV written"
        with path.open(encoding="utf-8", newline="") as handle:
            row = next(
                r for r in csv.DictReader(handle) if r["organisation_key"] == "chaos:formula"
            )
        if row["canonical_name"] != "'" + FORMULA or row["report_count"] != "-3":
            return f"CSV cell {row['canonical_name']!r}, count {row['report_count']!r}"
        (kept,) = duckdb.execute(
            "SELECT canonical_name FROM read_parquet(?) WHERE organisation_key = 'chaos:formula'",
            [str(out / "parquet" / "dim_organisations.parquet")],
        ).fetchall()[0]
        return None if kept == FORMULA else "the Parquet value changed"

    verdict = _judge(
        setting,
        result,
        refused=False,
        expected={folder / "x'y"},
        extra=formula_neutralised,
    )
    if verdict.held:
        return CaseResult(True, "exported to x'y; formula cell neutralised in the CSV")
    return verdict


CASES = [
    _sql_case("sql_copy_over_the_warehouse", lambda s: f"COPY (SELECT 1) TO '{s.warehouse}'"),
    _sql_case(
        "sql_copy_over_the_warehouse_no_tmp",
        lambda s: f"COPY (SELECT 1) TO '{s.warehouse}' (USE_TMP_FILE false)",
    ),
    _sql_case(
        "sql_copy_over_the_warehouse_with_names",
        lambda s: f"COPY (SELECT 1) TO '{s.warehouse}' (USE_TMP_FILE false)",
        "--with-names",
    ),
    _sql_case(
        "sql_read_text_etc_passwd",
        lambda s: "SELECT * FROM read_text('/etc/passwd')",
        extra=_no_passwd,
    ),
    _sql_case(
        "sql_read_blob_of_the_warehouse",
        lambda s: f"SELECT * FROM read_blob('{s.warehouse}')",  # noqa: S608 (hostile on purpose)
    ),
    _sql_case(
        "sql_copy_to_a_file",
        lambda s: f"COPY (SELECT * FROM fct_reports) TO '{s.folder / 'stolen.csv'}'",  # noqa: S608
    ),
    _sql_case(
        "sql_attach_read_write",
        lambda s: f"ATTACH '{s.warehouse}' AS w (READ_ONLY false)",
    ),
    _sql_case("sql_install_extension", lambda s: "INSTALL httpfs"),
    _sql_case("sql_set_external_access_back", lambda s: "SET enable_external_access = true"),
    _sql_case(
        "sql_second_statement",
        lambda s: f"SELECT 1; COPY (SELECT 1) TO '{s.warehouse}'",
    ),
    Case("sql_names_by_alias", _names_case),
    _sql_case("sql_bad_var", lambda s: "SELECT getvariable('since')", "--var", "since=notadate"),
    Case("export_quote_in_path_and_formula_cells", _export_case),
]
