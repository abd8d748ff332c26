"""Opening the DuckDB warehouse: wait out another process's lock, and ask whether a table exists."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

LOCK_WAIT_S = 300


def connect(path: Path | str, read_only: bool = False, wait_s: float = LOCK_WAIT_S):
    """Open a DuckDB file, waiting (not failing) while another process holds its lock."""
    deadline = time.monotonic() + wait_s
    delay = 0.2
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            log.info("%s is locked by another process; waiting", path)
            time.sleep(delay)
            delay = min(delay * 2, 5)


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether ``schema.table`` exists in the open warehouse."""
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchall()[0][0]
    )
