"""One writer, many readers: every run builds into its own working copy, then publishes it whole.

DuckDB lets one process write a file, and a reader holding the warehouse open would otherwise
block (or see half of) a run. So a run never writes the published file:

1. the first step that needs the warehouse copies the published file to a working file named
   after the run (``pfd.build-<run id>.duckdb`` beside it), or starts an empty one;
2. every step of the run reads and writes only that working file;
3. the last step checkpoints it and ``os.replace``-s it over the published path, an atomic
   rename on one file system. A reader that had the old file open keeps reading the old,
   complete version until it reconnects; nobody ever sees a half-built warehouse.

Two runs at once never share a working file, so neither can fail on the other's lock; the
Dagster instance also queues writer runs one at a time (``dagster.yaml``), so in practice the
second run starts from the first one's published result. Analysts should open the published
file read-only: ``duckdb.connect(path, read_only=True)``.

Paths are computed when called (from ``orchestration.warehouse.settings``), never at import.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
from pathlib import Path

from orchestration.warehouse import settings
from orchestration.warehouse.connection import connect

log = logging.getLogger(__name__)

WORKING_INFIX = ".build-"
DAGSTER_HOME_ENV = "DAGSTER_HOME"
_RUN_ID = re.compile(r"^[A-Za-z0-9_-]+$")


def published_path(warehouse: Path | str | None = None) -> Path:
    """The analysts' warehouse file (``PFDW_WAREHOUSE_PATH``, default under the data dir)."""
    return Path(warehouse) if warehouse else settings.warehouse_path()


def working_path(published: Path | str, run_id: str) -> Path:
    """The file one run builds into: beside the published file so ``os.replace`` is atomic."""
    if not run_id or not _RUN_ID.match(run_id):
        raise ValueError(f"run id must be letters, digits, '-' or '_', got {run_id!r}")
    published = Path(published)
    return published.with_name(f"{published.stem}{WORKING_INFIX}{run_id}{published.suffix}")


def dagster_home(data_dir: Path | str | None = None) -> Path:
    """Where Dagster keeps runs, event logs and schedules: ``$DAGSTER_HOME`` or <data>/dagster."""
    explicit = os.environ.get(DAGSTER_HOME_ENV)
    if explicit:
        return Path(explicit)
    return Path(data_dir or settings.data_dir()) / "dagster"


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def ensure_working_copy(published: Path | str, run_id: str) -> Path:
    """Return this run's working file, copying the published warehouse the first time.

    Copying reads the file without taking DuckDB's lock, so a reader (or even a read-write
    session an analyst left open) on the published file cannot make this fail.
    """
    published = Path(published)
    working = working_path(published, run_id)
    if working.exists():
        return working
    published.parent.mkdir(parents=True, exist_ok=True)
    partial = working.with_name(working.name + ".partial")
    if published.exists():
        shutil.copyfile(published, partial)
        if _wal(published).exists():  # an uncheckpointed WAL belongs with its database
            shutil.copyfile(_wal(published), _wal(partial))
            _checkpoint(partial)
        os.replace(partial, working)
        log.info("working copy %s from %s", working, published)
    else:
        log.info("no published warehouse at %s yet; %s starts empty", published, working)
    return working


def _checkpoint(path: Path) -> None:
    with connect(path) as con:
        con.execute("CHECKPOINT").fetchall()


def publish(published: Path | str, run_id: str) -> Path | None:
    """Atomically replace the published warehouse with this run's working file.

    Returns the published path, or None when this run never wrote a working file (nothing to
    publish). The working file is checkpointed first so the published file is self-contained.
    """
    published = Path(published)
    working = working_path(published, run_id)
    if not working.exists():
        return None
    _checkpoint(working)
    if _wal(working).exists():
        raise RuntimeError(
            f"{working} still has a write-ahead log after CHECKPOINT; not publishing"
        )
    os.replace(working, published)
    # A WAL left beside the old published file would be replayed onto the new one.
    if _wal(published).exists():
        _wal(published).unlink()
    log.info("published %s", published)
    return published


def remove_stale_working_copies(published: Path | str, older_than_s: float = 86_400) -> list[Path]:
    """Delete working files left by failed runs (kept a day so a person can inspect them)."""
    published = Path(published)
    if not published.parent.exists():
        return []
    cutoff = time.time() - older_than_s
    removed = []
    pattern = f"{published.stem}{WORKING_INFIX}*"
    for path in sorted(published.parent.glob(pattern)):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
