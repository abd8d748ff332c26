"""Two `dbt build`s of the same input give the same model tables: same row count and the same
multiset of rows, each row compared as its whole JSON text (so a list in another order, or a tie
broken the other way, is a difference). The helpers also compare two builds of the real snapshot
(see compare_builds); the sample run here guards the project's models on every test run."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.dbt.sample_warehouse import SAMPLE_CSV, build_raw_warehouse, run_dbt_build

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Difference:
    relation: str
    rows: tuple[int, int]
    columns: tuple[str, ...]  # the columns whose multiset of values differs


def model_relations(manifest: Path) -> list[str]:
    """Every model dbt built, as "schema.table", from the build's manifest.json."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    return sorted(
        f"{node['schema']}.{node['alias']}"
        for node in nodes
        if node["resource_type"] == "model" and node["config"].get("enabled", True)
    )


def _quoted(relation: str) -> str:
    return ".".join(f'"{part}"' for part in relation.split("."))


def _rows_digest(connection: duckdb.DuckDBPyConnection, table: str) -> tuple[int, str]:
    # the table name comes from dbt's manifest, never from scraped text
    return connection.execute(
        f"select count(*), md5(coalesce(string_agg(row_hash, ',' order by row_hash), '')) "  # noqa: S608
        f"from (select md5(to_json(t)::varchar) as row_hash from {table} as t)"
    ).fetchone()


def _column_digests(connection: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    described = connection.execute(f"describe select * from {table}").fetchall()  # noqa: S608
    columns = [row[0] for row in described]
    digests = {}
    for column in columns:
        value = f"coalesce(to_json(\"{column}\")::varchar, 'null')"
        digests[column] = connection.execute(
            f"select md5(coalesce(string_agg({value}, ',' order by {value}), '')) from {table}"  # noqa: S608
        ).fetchone()[0]
    return digests


def compare_builds(warehouse_a: Path, warehouse_b: Path, relations: list[str]) -> list[Difference]:
    """The relations whose rows differ between two warehouses, with the columns that differ."""
    connection = duckdb.connect()
    try:
        connection.execute("attach ? as build_a (read_only)", [str(warehouse_a)])
        connection.execute("attach ? as build_b (read_only)", [str(warehouse_b)])
        differences = []
        for relation in relations:
            table_a, table_b = f"build_a.{_quoted(relation)}", f"build_b.{_quoted(relation)}"
            (rows_a, digest_a), (rows_b, digest_b) = (
                _rows_digest(connection, table_a),
                _rows_digest(connection, table_b),
            )
            if (rows_a, digest_a) == (rows_b, digest_b):
                continue
            columns_a, columns_b = (
                _column_digests(connection, table_a),
                _column_digests(connection, table_b),
            )
            changed = tuple(c for c in columns_a if columns_a[c] != columns_b.get(c))
            differences.append(Difference(relation, (rows_a, rows_b), changed))
        return differences
    finally:
        connection.close()


def _build_sample(work_dir: Path) -> Path:
    work_dir.mkdir(parents=True)
    warehouse = work_dir / "pfd.duckdb"
    build_raw_warehouse(warehouse, SAMPLE_CSV)
    result = run_dbt_build(warehouse, work_dir, as_of="2026-02-01")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return warehouse


@pytest.fixture(scope="module")
def two_sample_builds(tmp_path_factory) -> tuple[Path, Path, list[str]]:
    root = tmp_path_factory.mktemp("reproducible")
    first, second = _build_sample(root / "first"), _build_sample(root / "second")
    return first, second, model_relations(root / "first" / "target" / "manifest.json")


def test_two_builds_of_the_sample_give_identical_model_tables(two_sample_builds):
    first, second, relations = two_sample_builds
    assert {
        "main.dim_coroners",
        "main.fct_reports",
        "intermediate.int_report_coroner_areas",
    } <= set(relations)
    assert compare_builds(first, second, relations) == []


def _changed_copy(source: Path, target: Path, statement: str, params: list) -> Path:
    shutil.copy(source, target)
    connection = duckdb.connect(str(target))
    try:
        connection.execute(statement, params)
    finally:
        connection.close()
    return target


def _two_coroners_with_different_areas(warehouse: Path) -> list[tuple[str, str]]:
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        return (
            connection.execute(
                "select coroner_key, main_coroner_area from main.dim_coroners "
                "where main_coroner_area is not null order by main_coroner_area, coroner_key"
            ).fetchall()[:1]
            + connection.execute(
                "select coroner_key, main_coroner_area from main.dim_coroners "
                "where main_coroner_area is not null order by main_coroner_area desc, coroner_key"
            ).fetchall()[:1]
        )
    finally:
        connection.close()


SET_RAW_SPELLINGS = "update main.dim_coroners set raw_spellings = ? where coroner_key = ?"
SET_MAIN_AREA = (
    "update main.dim_coroners set main_coroner_area = "
    "case coroner_key when ? then ? when ? then ? end where coroner_key in (?, ?)"
)


def test_a_list_in_another_order_is_a_difference(two_sample_builds, tmp_path):
    first, _, relations = two_sample_builds
    (key, _), _ = _two_coroners_with_different_areas(first)
    one = _changed_copy(first, tmp_path / "one.duckdb", SET_RAW_SPELLINGS, [["x", "y"], key])
    other = _changed_copy(first, tmp_path / "other.duckdb", SET_RAW_SPELLINGS, [["y", "x"], key])
    differences = compare_builds(one, other, relations)
    assert [(d.relation, d.columns) for d in differences] == [
        ("main.dim_coroners", ("raw_spellings",))
    ]


def test_a_tie_broken_the_other_way_is_a_difference(two_sample_builds, tmp_path):
    # two coroners' main areas swapped: each column holds the same values, the rows do not
    first, _, relations = two_sample_builds
    (key_a, area_a), (key_b, area_b) = _two_coroners_with_different_areas(first)
    assert area_a != area_b
    swapped = _changed_copy(
        first,
        tmp_path / "swapped.duckdb",
        SET_MAIN_AREA,
        [key_a, area_b, key_b, area_a, key_a, key_b],
    )
    differences = compare_builds(first, swapped, relations)
    assert differences == [Difference("main.dim_coroners", differences[0].rows, ())]
    assert differences[0].rows[0] == differences[0].rows[1]
