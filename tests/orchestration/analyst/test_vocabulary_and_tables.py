"""The analyst commands agree (issue 14): one vocabulary of organisation types and coroner areas
for `pfdw sql --var`, `pfdw report` and `pfdw export`; a filter naming nothing is exit 2 with one
line naming what is accepted, an empty but valid scope is "0 reports match"; tables fit the
terminal or are written whole to a pipe; a count agrees with its noun. On the hand-made contract
warehouse (no crawl, no dbt)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import duckdb
import pytest

from orchestration.analyst import output
from orchestration.analyst.coroner_map import render_map
from orchestration.analyst.output import noun, plural, print_table, table_lines
from orchestration.analyst.scope import (
    ScopeError,
    resolve_area,
    resolve_organisation_types,
    resolve_recipient_sources,
    variable_value,
)
from orchestration.cli import main
from tests.orchestration.analyst.contract_warehouse import AMB, build_contract_warehouse


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return build_contract_warehouse(tmp_path_factory.mktemp("vocabulary") / "pfd.duckdb")


@pytest.fixture
def connection(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        yield connection


@pytest.fixture
def pfdw(warehouse, capsys, tmp_path):
    def run(*argv: str) -> tuple[int, str, str]:
        code = main([argv[0], "--warehouse", str(warehouse), *argv[1:]])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mental health trusts, councils", ("nhs_mental_health_trust", "local_authority")),
        ("NHS-Mental-Health-Trusts", ("nhs_mental_health_trust",)),
        ("police forces", ("police",)),  # the report's own label
        ("local authorities,LOCAL_AUTHORITY", ("local_authority",)),
        ("ICBs & health boards", ("icb_health_board",)),
    ],
)
def test_organisation_types_take_values_aliases_labels_and_plurals(text, expected):
    assert resolve_organisation_types(text) == expected


def test_recipient_sources_compare_words_the_same_way():
    assert resolve_recipient_sources("Response-Documents, PAGE HEADER") == (
        "header",
        "response_document",
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Essex", "essex"),
        ("  ESSEX ", "essex"),
        ("essex & thurrock", "essex"),  # a known spelling
        ("Esex", "essex"),
        ("manchester north", "manchester-north"),  # the key form, any case or spacing
        ("MANCHESTER-NORTH", "manchester-north"),
        ("Stockport", "manchester-south"),  # a former area, by its spelling
    ],
)
def test_areas_take_a_name_a_known_spelling_or_a_key(connection, text, key):
    assert resolve_area(connection, text).key == key


def test_an_ambiguous_area_lists_the_candidates(connection):
    with pytest.raises(ScopeError, match=r"'Manchester' matches 2 coroner areas: .*manchester-n"):
        resolve_area(connection, "Manchester")


def test_an_unknown_area_says_what_is_accepted(connection):
    with pytest.raises(ScopeError, match=r"No coroner area matches 'Esssexx'.*Closest keys: essex"):
        resolve_area(connection, "Esssexx")


def test_sql_variables_resolve_like_the_report(connection):
    assert variable_value(connection, "area_key", "essex & thurrock") == "essex"
    assert variable_value(connection, "org_types", "mental_health_trust") == [
        "nhs_mental_health_trust"
    ]
    assert variable_value(connection, "org_keys", f"{AMB.upper()}, Department of Health") == [
        AMB,
        "nb:dhsc",
    ]
    assert variable_value(connection, "since", "2020-01-01") is None  # not a scope word


def _headline(pfdw, *variables: str) -> dict:
    argv = ["sql", "--file", "q1_headline", "--format", "json"]
    for variable in variables:
        argv += ["--var", variable]
    code, stdout, stderr = pfdw(*argv)
    assert code == 0, stderr
    return json.loads(stdout)[0]


def test_sql_and_report_agree_on_an_alias_and_an_area_spelling(pfdw, tmp_path):
    by_sql = _headline(pfdw, "org_types=Mental health trusts", "area_key=Essex & Thurrock")
    assert by_sql["reports_sent"] > 0
    out = tmp_path / "report.html"
    code, _, stderr = pfdw(
        "report", "--org-type", "mental_health_trust", "--area", "ESSEX", "--out", str(out)
    )
    assert code == 0, stderr
    assert f"{by_sql['reports_sent']} reports, 1 organisation (" in stderr
    html = out.read_text()
    assert f'data-figure="reports_sent">{by_sql["reports_sent"]}<' in html
    assert '"organisations">1</span>organisation</div>' in html  # never "1 organisations"


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["sql", "SELECT 1", "--var", "org_types=spaceships"], "nhs_mental_health_trust"),
        (["sql", "SELECT 1", "--var", "area_key=Atlantis"], "coroner_area_key"),
        (["sql", "SELECT 1", "--var", "recipient_sources=letters"], "report_text"),
        (["sql", "SELECT 1", "--var", "org_keys=ods:NOPE"], "dim_organisations"),
        (["report", "--org-type", "spaceships"], "nhs_mental_health_trust"),
        (["report", "--area", "Atlantis"], "coroner_area_key"),
        (["report", "--area", "manchester"], "manchester-south"),
    ],
)
def test_a_filter_naming_nothing_is_one_line_and_exit_2(pfdw, argv, named):
    code, stdout, stderr = pfdw(*argv)
    assert code == 2 and not stdout
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert named in stderr and stderr.startswith(f"pfdw {argv[0]}: ")


def test_a_valid_filter_with_no_reports_is_not_an_error(pfdw, tmp_path):
    assert _headline(pfdw, "org_types=charity")["reports_sent"] == 0
    assert _headline(pfdw, "area_key=Manchester South")["reports_sent"] == 0
    out = tmp_path / "empty.html"
    code, _, stderr = pfdw("report", "--org-type", "charities", "--out", str(out))
    assert code == 0, stderr
    assert "0 reports match charities" in stderr and out.exists()


def test_a_table_on_a_terminal_fits_its_width_and_never_wraps():
    rows = [("essex", "x" * 200, 12), ("manchester-north", "short", None)]
    lines = table_lines(["key", "text", "n"], rows, width=40)
    assert len(lines) == 4
    assert all(output.cell_len(line) <= 40 for line in lines)
    assert lines[2].startswith("essex") and "…" in lines[2] and lines[2].endswith("12")


def test_a_table_to_a_pipe_keeps_every_row_whole(capsys):
    cell = "y" * 300
    out, err = io.StringIO(), io.StringIO()
    print_table(["key", "text"], [("a", cell), ("b", "line\nbreak\x1b[31m")], out=out, err=err)
    lines = out.getvalue().splitlines()
    assert len(lines) == 4 and lines[2].endswith(cell)
    assert lines[3] == "b    line break [31m"  # control characters never reach the terminal
    assert err.getvalue() == "2 rows\n"


def test_a_table_to_a_terminal_is_sized_to_it(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(
        output.shutil, "get_terminal_size", lambda *a, **k: os.terminal_size((30, 10))
    )
    out, err = Terminal(), io.StringIO()
    print_table(["key", "text"], [("a", "z" * 100)], out=out, err=err, max_rows=5)
    assert max(len(line) for line in out.getvalue().splitlines()) <= 30
    assert err.getvalue() == "1 row\n"


def test_sql_writes_one_row_per_line_to_a_pipe(pfdw):
    code, stdout, stderr = pfdw("sql", "SELECT repeat('w', 150) AS wide, 1 AS n")
    assert code == 0 and stdout.splitlines()[2] == "w" * 150 + "  1"
    assert stderr.strip() == "1 row"


def test_counts_agree_with_their_nouns():
    assert plural(1, "organisation") == "1 organisation"
    assert plural(0, "report") == "0 reports" and plural(1204, "report") == "1,204 reports"
    assert plural(2, "category") == "2 categories" and noun(1, "is", "are") == "is"
    assert "<title>Essex: 1 report</title>" in render_map({"Essex": 1})
    assert "<title>Essex: 3 reports</title>" in render_map({"Essex": 3})


def test_export_takes_the_same_filters_and_keeps_the_reports_in_scope(pfdw, tmp_path):
    sent = _headline(pfdw, "org_types=mental_health_trust", "area_key=essex")["reports_sent"]
    out = tmp_path / "export"
    tables = ["--table", "fct_reports", "--table", "fct_report_recipients"]
    code, _, stderr = pfdw(
        "export", "--out", str(out), "--org-type", "Mental health trusts", "--area", "ESSEX",
        "--table", "dim_coroner_areas", *tables,
    )  # fmt: skip
    assert code == 0, stderr
    assert f"{plural(sent, 'report')} match NHS mental health trusts" in stderr

    def rows(table: str) -> list[tuple]:
        path = str(out / "parquet" / f"{table}.parquet")
        return duckdb.execute("SELECT * FROM read_parquet(?)", [path]).fetchall()

    assert len(rows("fct_reports")) == sent > 0
    assert {row[5] for row in rows("fct_report_recipients")} == {"ods:NEW"}  # current org in scope
    assert len(rows("dim_coroner_areas")) == 3  # a dimension stays whole
    assert "Scope: NHS mental health trusts · reports from Essex." in (
        out / "DATA_DICTIONARY.md"
    ).read_text(encoding="utf-8")
    code, _, stderr = pfdw("export", "--out", str(out), "--org-type", "charity", *tables)
    assert code == 0 and "0 reports match charities" in stderr
    assert rows("fct_reports") == []
    code, _, stderr = pfdw("export", "--out", str(out), "--area", "Atlantis")
    assert code == 2 and len(stderr.strip().splitlines()) == 1


def test_the_audit_summary_reaches_a_pipe_as_written(pfdw, tmp_path):
    wide = "| " + " | ".join(f"column {n} with a long heading" for n in range(8)) + " |"
    summary = tmp_path / "data" / "audit" / "2026-01-05" / "summary.md"
    summary.parent.mkdir(parents=True)
    summary.write_text(f"# Audit 2026-01-05\n\n{wide}\n", encoding="utf-8")
    code, stdout, _ = pfdw("audit", "--data-dir", str(tmp_path / "data"))
    assert code == 0 and wide in stdout.splitlines()
