"""Where index files live, which one a warehouse names, and which ones may go.

An index is a file beside the warehouse, ``<warehouse dir>/search/pfd-search-<run id>.sqlite``,
written once by the run that built it and never changed after. The warehouse names its index in
``orchestration.search_index`` (the latest row), so publishing the warehouse (an atomic rename)
switches the index too: a reader that opened the old warehouse keeps finding the old index. After
a publication the files that neither the new warehouse nor the previous publication names are
removed (the previous one is kept for readers that still hold the old warehouse); a run that fails
removes its own file (:func:`discard_run_index`), and the next publication removes any file a
dead run left.
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

INDEX_FOLDER = "search"
INDEX_PREFIX = "pfd-search-"
INDEX_SUFFIX = ".sqlite"
PARTIAL_SUFFIX = ".partial"
_RUN_ID = re.compile(r"^[A-Za-z0-9_-]+$")
INDEX_TABLE = "orchestration.search_index"
INDEX_TABLE_DDL = f"""
    CREATE SCHEMA IF NOT EXISTS orchestration;
    CREATE TABLE IF NOT EXISTS {INDEX_TABLE} (
        index_file VARCHAR NOT NULL, built_at TIMESTAMPTZ NOT NULL, run_id VARCHAR NOT NULL,
        documents INTEGER NOT NULL, reports_with_text INTEGER NOT NULL,
        reports_total INTEGER NOT NULL, build_mode VARCHAR NOT NULL,
        changed_reports INTEGER NOT NULL, removed_reports INTEGER NOT NULL,
        schema_version INTEGER NOT NULL, seconds DOUBLE, size_bytes BIGINT)"""
NAMED_INDEX_SQL = f"""
    SELECT index_file, built_at, run_id, documents, reports_with_text, reports_total,
        build_mode, changed_reports, removed_reports, schema_version, seconds, size_bytes
    FROM {INDEX_TABLE} ORDER BY built_at DESC LIMIT 1"""  # noqa: S608 (a constant)


@dataclass(frozen=True)
class IndexRecord:
    """One row of ``orchestration.search_index``: an index file and how it was built."""

    index_file: str
    built_at: datetime
    run_id: str
    documents: int
    reports_with_text: int
    reports_total: int
    build_mode: str
    changed_reports: int
    removed_reports: int
    schema_version: int
    seconds: float | None = None
    size_bytes: int | None = None


def index_folder(warehouse: Path | str) -> Path:
    """The folder of a warehouse's index files: ``search/`` beside the (published) warehouse.
    A working copy sits beside the published file, so both name the same folder."""
    return Path(warehouse).parent / INDEX_FOLDER


def index_file_name(run_id: str) -> str:
    if not run_id or not _RUN_ID.match(run_id):
        raise ValueError(f"run id must be letters, digits, '-' or '_', got {run_id!r}")
    return f"{INDEX_PREFIX}{run_id}{INDEX_SUFFIX}"


def index_path(warehouse: Path | str, run_id: str) -> Path:
    return index_folder(warehouse) / index_file_name(run_id)


def partial_path(path: Path) -> Path:
    return path.with_name(path.name + PARTIAL_SUFFIX)


def named_index(con) -> IndexRecord | None:
    """The index an open DuckDB warehouse names (its latest row), or None when it names none."""
    from orchestration.warehouse.connection import table_exists

    if not table_exists(con, "orchestration", "search_index"):
        return None
    row = con.execute(NAMED_INDEX_SQL).fetchone()
    return IndexRecord(*row) if row else None


def named_index_of(warehouse: Path | str) -> IndexRecord | None:
    """The index a warehouse file names (None when the file or the row does not exist)."""
    from orchestration.warehouse.connection import connect

    if not Path(warehouse).is_file():
        return None
    with connect(warehouse, read_only=True) as con:
        return named_index(con)


def record_index(con, record: IndexRecord) -> None:
    """Name ``record``'s file as the warehouse's index (a row in ``orchestration.search_index``)."""
    con.execute(INDEX_TABLE_DDL)
    con.execute(
        f"INSERT INTO {INDEX_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
        [
            record.index_file,
            record.built_at,
            record.run_id,
            record.documents,
            record.reports_with_text,
            record.reports_total,
            record.build_mode,
            record.changed_reports,
            record.removed_reports,
            record.schema_version,
            record.seconds,
            record.size_bytes,
        ],
    )


def index_files(warehouse: Path | str) -> list[Path]:
    """Every index file (and partial file) in the warehouse's index folder."""
    folder = index_folder(warehouse)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{INDEX_PREFIX}*") if p.is_file())


def _run_id_of(path: Path) -> str:
    return path.name[len(INDEX_PREFIX) :].split(".", 1)[0]


def index_files_to_keep(working: Path | str, publications: int = 2) -> tuple[str, ...]:
    """The index files of the last ``publications`` warehouse versions, newest first, read from
    the working copy about to be published: its latest row names this run's index (or, for a
    run that built none, the published one), the row before it the previous publication's.
    Read from the working copy, not the published path: a process that holds the published file
    open would be handed DuckDB's cached, older instance of it."""
    from orchestration.warehouse.connection import connect, table_exists

    if not Path(working).is_file():
        return ()
    with connect(working, read_only=True) as con:
        if not table_exists(con, "orchestration", "search_index"):
            return ()
        rows = con.execute(
            f"SELECT index_file FROM {INDEX_TABLE} ORDER BY built_at DESC"  # noqa: S608
        ).fetchall()
    return tuple(dict.fromkeys(row[0] for row in rows))[:publications]


def remove_unnamed_index_files(published: Path | str, keep: tuple[str, ...]) -> list[Path]:
    """After a publication: remove the index files that ``keep`` does not name (the published
    warehouse's and the previous publication's: :func:`index_files_to_keep`), sparing the live
    writer's own files (a run that took the lock right after this publication may be building
    one)."""
    from orchestration.warehouse import writer_lock

    holder = writer_lock.read_holder(Path(published))
    live_run = holder.get("run_id") if holder else None
    removed = []
    for path in index_files(published):
        if path.name in keep or (live_run and _run_id_of(path) == live_run):
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    if removed:
        log.info("removed %d search index files no warehouse names", len(removed))
    return removed


def discard_run_index(published: Path | str, run_id: str) -> list[Path]:
    """A run that will not publish: remove the index file (and partial file) it built, unless
    the published warehouse names it (the run failed after publishing)."""
    try:
        path = index_path(published, run_id)
    except ValueError:
        return []
    try:
        named = named_index_of(published)
    except Exception as error:  # cannot tell whether it was published: the next publication will
        log.warning("kept %s: could not read the published warehouse (%s)", path.name, error)
        return []
    removed = []
    for candidate in (partial_path(path), path):
        if named is not None and candidate.name == named.index_file:
            continue
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()
            removed.append(candidate)
    return removed
