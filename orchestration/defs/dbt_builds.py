"""When a dbt build can be skipped: fingerprints of everything a build reads, the record of the
last build (with its test results, carried forward by a skipped build), and the standard table
metadata (row count, column schema) read from the warehouse.

Kept apart from ``orchestration.defs.dbt`` (whose ``@dbt_assets`` reads the dbt manifest) so that
it can be imported and tested without a prepared dbt project.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from dagster import TableColumn, TableSchema

from orchestration.themes.rules import RULES_PATH, rules_digest
from orchestration.warehouse.connection import table_exists

# A no-change daily run would otherwise rebuild every table (about 25 s of its 30 s budget). A
# build is skipped when its fingerprint equals the one recorded by the last successful build in
# the same warehouse file: the content of the raw tables it reads (fetch bookkeeping left out),
# the logical date (models compute statuses as of it), the dbt project's nodes and macros, the
# theme rules file (read by Python models), the selection. Views read the raw tables live, so
# only tables could go stale, and none of them reads the bookkeeping left out. One record per
# build (the last one): a build of another selection replaces it, so a skip always follows the
# build that made the tables it leaves in place.

BUILDS_SCHEMA = "orchestration"
BUILDS_TABLE = f"{BUILDS_SCHEMA}.dbt_builds"
# Columns that change on every fetch of an unchanged page; the content hash covers the rest.
VOLATILE_COLUMNS = frozenset(
    {"crawled_at", "http_etag", "http_last_modified", "listing_page", "last_fetched_on"}
)


def _content_columns(con, table: str) -> list[str]:
    columns = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]
    has_content_hash = "content_hash" in columns
    return [
        c
        for c in columns
        if c not in VOLATILE_COLUMNS
        and not c.startswith("last_seen")
        and not (c == "item" and has_content_hash)  # the item carries its fetch time
    ]


def raw_table_digest(con, table: str) -> list:
    """(rows, order-independent hash of the content columns), or None when the table is absent."""
    columns = _content_columns(con, table)
    if not columns:
        return None
    # Table and column names come from the catalogue, never from scraped text.
    selected = ", ".join(f'"{c}"' for c in columns)
    row = con.execute(
        f'SELECT count(*), bit_xor(hash(struct_pack({selected}))) FROM raw."{table}"'  # noqa: S608
    ).fetchall()[0]
    return [int(row[0]), str(row[1])]


def manifest_digest(manifest: dict) -> str:
    parts = {
        uid: node.get("checksum", {}).get("checksum")
        for uid, node in manifest.get("nodes", {}).items()
    }
    parts.update({uid: macro.get("macro_sql") for uid, macro in manifest.get("macros", {}).items()})
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def ensure_builds_table(con) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {BUILDS_SCHEMA}").fetchall()
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {BUILDS_TABLE} (
            build_name VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL,
            run_id VARCHAR NOT NULL, built_at TIMESTAMP NOT NULL, inputs JSON NOT NULL)"""
    ).fetchall()
    # Added with the carried-forward test results; a record without them is never skipped.
    con.execute(
        f"ALTER TABLE {BUILDS_TABLE} ADD COLUMN IF NOT EXISTS check_results JSON"
    ).fetchall()


def last_builds(con) -> dict[str, tuple]:
    """build name -> (fingerprint, run id, built at, check results or None)."""
    if not table_exists(con, BUILDS_SCHEMA, "dbt_builds"):
        return {}
    has_results = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = ?"
        " AND table_name = 'dbt_builds' AND column_name = 'check_results'",
        [BUILDS_SCHEMA],
    ).fetchall()[0][0]
    results = "check_results" if has_results else "NULL"
    rows = con.execute(
        f"SELECT build_name, fingerprint, run_id, built_at, {results} FROM {BUILDS_TABLE}"  # noqa: S608
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3], json.loads(r[4]) if r[4] else None) for r in rows}


def record_build(
    con, build_name: str, fingerprint_: str, run_id: str, inputs: dict, check_results: dict
) -> None:
    """Record a successful build: its fingerprint, inputs and every test result it emitted
    (check key -> {"passed", "severity"})."""
    ensure_builds_table(con)
    con.execute(
        f"INSERT OR REPLACE INTO {BUILDS_TABLE}"  # noqa: S608
        " (build_name, fingerprint, run_id, built_at, inputs, check_results)"
        " VALUES (?, ?, ?, now(), ?, ?)",
        [build_name, fingerprint_, run_id, json.dumps(inputs), json.dumps(check_results)],
    ).fetchall()


def build_inputs(
    con,
    raw_tables: list[str],
    logical_date: date,
    manifest: dict,
    selection: list[str],
    theme_rules: Path = RULES_PATH,
) -> dict:
    present = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
        ).fetchall()
    }
    return {
        "raw": {t: raw_table_digest(con, t) if t in present else None for t in sorted(raw_tables)},
        "logical_date": logical_date.isoformat(),
        "dbt_project": manifest_digest(manifest),
        "selection": hashlib.sha256("\n".join(sorted(selection)).encode()).hexdigest(),
        # bridge_report_themes and dim_themes read themes.yml, a file the manifest does not see.
        "theme_rules": rules_digest(theme_rules),
    }


def fingerprint(inputs: dict) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def table_metadata(con, relations: Mapping[str, tuple[str, str, bool]]) -> dict[str, dict]:
    """The standard Dagster table metadata (``dagster/row_count``, ``dagster/column_schema``) of
    each relation, read from the open warehouse: name -> (schema, table, is_view). Views get no
    row count (counting runs their query), like dagster-dbt's own ``fetch_row_counts``; a relation
    that is not there gets no metadata."""
    wanted = {(schema, table) for schema, table, _ in relations.values()}
    columns: dict[tuple[str, str], list[TableColumn]] = {}
    rows = con.execute(
        "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns()"
        " WHERE database_name = current_database() ORDER BY schema_name, table_name, column_index"
    ).fetchall()
    for schema, table, column, data_type in rows:
        if (schema, table) in wanted:
            columns.setdefault((schema, table), []).append(
                TableColumn(name=column, type=data_type.lower())
            )
    metadata: dict[str, dict] = {}
    for name, (schema, table, is_view) in relations.items():
        if (schema, table) not in columns:
            continue
        entry: dict = {"dagster/column_schema": TableSchema(columns=columns[(schema, table)])}
        if not is_view:
            # Schema and table names come from the dbt manifest, never from scraped text.
            count = con.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchall()  # noqa: S608
            entry["dagster/row_count"] = int(count[0][0])
        metadata[name] = entry
    return metadata
