"""One rule for the organisation and coroner-area name keys, written once in dbt.

The Jinja macros ``org_name_key`` and ``coroner_area_key`` (dbt_project/macros/text_cleaning.sql)
are the rule. Every dbt run stores them in the warehouse as DuckDB macros
(``main.org_name_key``, ``main.org_name_key_with_brackets``, ``main.coroner_area_key``;
dbt_project/macros/name_key_functions.sql), and the returns names are resolved by dbt alone
(``int_returns_resolved``); no Python code keys names. These tests show that:

- no Python code keys names itself;
- the stored macros give the key the Jinja macros give, on awkward names (apostrophes, "&",
  "St"/"Saint", "Dept", hyphens, "NHS FT", brackets) and on every name the models keyed;
- dbt's ``int_returns_resolved`` (the only place returns names are resolved) resolves the awkward
  names by the warehouse's keys.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.sources.returns.load import ensure_schema
from orchestration.sources.returns.read import ALL_COLUMNS, ReturnsRow
from orchestration.warehouse.dbt_cli import run_dbt

REPO_ROOT = Path(__file__).resolve().parents[2]
PYTHON_CODE = ("orchestration", "expectations", "scrapers")
NAME_KEY_RULES = ("org_name_key", "org_name_key_with_brackets", "org_loose_key", "area_name_key",
                  "coroner_area_key")  # fmt: skip

# name as written -> the organisation dbt resolves it to (None: unresolved), on the sample build
AWKWARD_ORGANISATIONS = {
    "King's College Hospital NHS Foundation Trust": "ods:RJZ",
    "King’s College Hospital NHS Foundation Trust": "ods:RJZ",
    "Kings College Hospital NHS Foundation Trust": "ods:RJZ",
    # a split apostrophe is another word: the old Python key accepted it, dbt never matched it
    "KING S COLLEGE HOSPITAL NHS FOUNDATION TRUST": None,
    "King's College Hospital NHS FT": None,
    "St George's University Hospitals NHS Foundation Trust": "ods:RJ7",
    "Saint George's University Hospitals NHS Foundation Trust": None,
    "Lancashire & South Cumbria NHS Foundation Trust": "ods:RW5",
    "Lancashire and South Cumbria NHS Foundation Trust": "ods:RW5",
    "Dept of Health and Social Care": "nb:department-of-health-and-social-care",
    "Department of Health & Social Care": "nb:department-of-health-and-social-care",
    "SoS for Health and Social Care": "nb:department-of-health-and-social-care",
    "The Dept for Education": "nb:department-for-education",
    "Tees, Esk and Wear Valleys NHS Foundation Trust": "ods:RX3",
    "Tees Esk & Wear Valleys NHS Foundation Trust": "ods:RX3",
    "North-East Ambulance Service NHS Foundation Trust": "ods:RX6",
    "Department of Health (Northern Ireland)": "nb:department-of-health-northern-ireland",
    "Acme Widgets Trust": None,
}
# name as written -> the coroner area dbt resolves it to (None: unresolved)
AWKWARD_AREAS = {
    "London Inner North": "London Inner North",
    "Inner North London": "London Inner North",
    "London North (Inner) Coroner's Court": "London Inner North",
    "Sefton, Knowsley and St Helens": "Sefton, Knowsley and St Helens",
    "Sefton Knowsley & St. Helens": "Sefton, Knowsley and St Helens",
    "E Sussex": "East Sussex",
    "Sussex (East)": "East Sussex",
    "Atlantis": None,
}
TODAY = date(2026, 2, 1)


def query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def awkward_rows() -> list[ReturnsRow]:
    named = [(n, "NHS trust") for n in AWKWARD_ORGANISATIONS]
    named += [(n, "coroner area") for n in AWKWARD_AREAS]
    return [
        ReturnsRow(
            number,
            {column: None for column in ALL_COLUMNS}
            | {
                "organisation_name": name,
                "organisation_kind": kind,
                "source_kind": "FOI answer",
                "source_reference": f"test-{number}",
                "period_start": "2023-01-01",
                "period_end": "2023-12-31",
                "reports_received": "1",
                "counting_basis": "as addressee",
                "outcome": "provided",
                "source_url": "https://example.org/answer",
            },
        )
        for number, (name, kind) in enumerate(named, start=2)
    ]


@pytest.fixture(scope="module")
def returns_warehouse(sample_warehouse, tmp_path_factory) -> Path:
    """A copy of the sample build whose raw returns hold the awkward names (written straight
    into the raw tables: the loader would refuse the unknown ones), with the returns models
    rebuilt on them."""
    work_dir = tmp_path_factory.mktemp("name_keys")
    warehouse = work_dir / "pfd.duckdb"
    shutil.copyfile(sample_warehouse, warehouse)
    rows = awkward_rows()
    with duckdb.connect(str(warehouse)) as con:
        ensure_schema(con)
        con.execute(
            "INSERT INTO raw.returns__files VALUES"
            " ('awkward', 'awkward.csv', 'csv', '/awkward.csv', ?, now(), true, NULL, NULL,"
            " 'counts')",
            [len(rows)],
        )
        placeholders = ", ".join("?" for _ in range(2 + len(ALL_COLUMNS)))
        con.executemany(
            f"INSERT INTO raw.returns__rows VALUES ({placeholders})",  # noqa: S608
            [["awkward", r.row_number, *(r.values[c] for c in ALL_COLUMNS)] for r in rows],
        )
        con.execute("CREATE TABLE main.awkward_names (name VARCHAR)")
        con.executemany(
            "INSERT INTO main.awkward_names VALUES (?)",
            [[n] for n in [*AWKWARD_ORGANISATIONS, *AWKWARD_AREAS]],
        )
    select = ["path:models/staging/returns", "path:models/intermediate/returns"]
    completed = run_dbt(["run", "--select", *select], warehouse, work_dir)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    return warehouse


def test_no_python_code_keys_names_itself():
    rules = "|".join(NAME_KEY_RULES)
    definition = re.compile(rf"^\s*def\s+_?({rules})\s*\(", re.MULTILINE)
    found = [
        f"{path.relative_to(REPO_ROOT)}: def {match[1]}"
        for folder in PYTHON_CODE
        for path in sorted((REPO_ROOT / folder).rglob("*.py"))
        for match in definition.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
    sql = (
        REPO_ROOT / "dbt_project/models/intermediate/returns/int_returns_resolved.sql"
    ).read_text("utf-8")
    assert "org_name_key('returns.organisation_name', strip_brackets=false)" in sql
    assert "coroner_area_key('returns.organisation_name')" in sql


def test_warehouse_macros_are_the_jinja_macros_on_awkward_names(returns_warehouse):
    """dbt renders the Jinja macros and calls the stored ones in one query: same keys."""
    sql = (
        "select name,"
        " {{ org_name_key('name') }} as jinja_org, main.org_name_key(name) as stored_org,"
        " {{ org_name_key('name', strip_brackets=false) }} as jinja_listed,"
        " main.org_name_key_with_brackets(name) as stored_listed,"
        " {{ coroner_area_key('name') }} as jinja_area, main.coroner_area_key(name) as stored_area"
        " from main.awkward_names"
    )
    work_dir = returns_warehouse.parent
    command = ["show", "--inline", sql, "--output", "json", "--limit", "-1", "--quiet"]
    completed = run_dbt(command, returns_warehouse, work_dir)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    shown = json.loads(completed.stdout[completed.stdout.index("{") :])["show"]
    assert {r["name"] for r in shown} == {*AWKWARD_ORGANISATIONS, *AWKWARD_AREAS}
    for row in shown:
        assert row["stored_org"] == row["jinja_org"], row
        assert row["stored_listed"] == row["jinja_listed"], row
        assert row["stored_area"] == row["jinja_area"], row
    by_name = {r["name"]: r for r in shown}
    king = by_name["King's College Hospital NHS Foundation Trust"]
    assert king["stored_listed"] == "kings college hospital nhs foundation trust"


def test_warehouse_macros_give_every_key_the_models_computed(sample_warehouse):
    """Every name the models keyed (listed names and aliases, recipients, area spellings)."""
    differing = query(
        sample_warehouse,
        """
        select 'listed', name, name_key from intermediate.int_organisation_names_unioned
        where main.org_name_key_with_brackets(name) is distinct from name_key
        union all
        select 'recipient', recipient_name, recipient_name_key
        from intermediate.int_recipients_resolved
        where main.org_name_key(recipient_name) is distinct from recipient_name_key
        union all
        select 'area', coroner_area_raw, area_key from intermediate.int_coroner_areas_resolved
        where main.coroner_area_key(coroner_area_raw) is distinct from area_key
        """,
    )
    assert differing == []
    counts = query(
        sample_warehouse,
        "select (select count(*) from intermediate.int_organisation_names_unioned),"
        " (select count(*) from intermediate.int_recipients_resolved),"
        " (select count(*) from intermediate.int_coroner_areas_resolved)",
    )[0]
    assert min(counts) > 0


def test_dbt_resolves_exactly_the_awkward_names(returns_warehouse):
    resolved = {
        name: key
        for name, key in query(
            returns_warehouse,
            "select organisation_name, coalesce(organisation_key, coroner_area)"
            " from intermediate.int_returns_resolved",
        )
    }
    assert resolved == {**AWKWARD_ORGANISATIONS, **AWKWARD_AREAS}
