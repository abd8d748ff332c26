"""When a dbt build can be skipped: fingerprints of everything a build reads.

Kept apart from ``orchestration.defs.dbt`` (whose ``@dbt_assets`` reads the dbt manifest when
imported) so that it can be imported and tested without a prepared dbt project.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from orchestration.warehouse.connection import table_exists

# A no-change daily run would otherwise rebuild every table (about 25 s of its 30 s budget). A
# build is skipped when its fingerprint equals the one recorded by the last successful build in
# the same warehouse file: the content of the raw tables it reads (fetch bookkeeping left out),
# the logical date (models compute statuses as of it), the dbt project's nodes and macros, the
# selection, and the records of the dbt builds it reads from. Views read the raw tables live, so
# only tables could go stale, and none of them reads the bookkeeping left out.

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


def last_builds(con) -> dict[str, tuple]:
    if not table_exists(con, BUILDS_SCHEMA, "dbt_builds"):
        return {}
    rows = con.execute(f"SELECT build_name, fingerprint, run_id, built_at FROM {BUILDS_TABLE}")  # noqa: S608
    return {r[0]: r[1:] for r in rows.fetchall()}


def build_inputs(
    con, raw_tables: list[str], logical_date: date, manifest: dict, selection: list[str],
    upstream: dict[str, tuple],
) -> dict:  # fmt: skip
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
        "upstream_builds": {name: [str(v) for v in record] for name, record in upstream.items()},
    }


def fingerprint(inputs: dict) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
