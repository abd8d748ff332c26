"""One writer, many readers: every run builds into its own working copy, then publishes it whole.

DuckDB lets one process write a file, and a reader holding the warehouse open would otherwise
block (or see half of) a run. So a run never writes the published file:

1. the first step that needs the warehouse copies the published file to a working file named
   after the run (``pfd.build-<run id>.duckdb`` beside it), or starts an empty one;
2. every step of the run reads and writes only that working file;
3. the last step checkpoints it and ``os.replace``-s it over the published path, an atomic
   rename on one file system. A reader that had the old file open keeps reading the old,
   complete version until it reconnects; nobody ever sees a half-built warehouse.

One writer at a time, across processes: the first step that makes a working copy takes the
writer lock (``orchestration.warehouse.writer_lock``) and the run keeps it until it has
published or given up, so a second writer (another run, ``pfdw returns load``, the inbox run)
is refused with a line naming the holder, or waits its bounded turn, and always starts from the
first one's published result. The Dagster instance also queues writer runs (``dagster.yaml``).
Holding the lock also proves that every other working copy or ``.partial`` file beside the
published one belongs to a dead run: they are removed at once (:func:`remove_stale_working_copies`),
and a run removes its own on failure (:func:`discard`).

Durability: the working copy is fsync-ed, then renamed, then the folder is fsync-ed, so after a
crash the published path names either the old file or the complete new one. A copy that fails
(a full disk, a file-size limit) removes its ``.partial`` before raising. Analysts should open
the published file read-only: ``duckdb.connect(path, read_only=True)``.

Paths are computed when called (from ``orchestration.warehouse.settings``), never at import.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from orchestration.warehouse import settings, writer_lock
from orchestration.warehouse.connection import connect
from orchestration.warehouse.writer_lock import WriterBusyError

__all__ = ["WriterBusyError"]

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


def _partial(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


def fsync_file(path: Path) -> None:
    """Flush a file's bytes to disk (before its name is published by a rename)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:  # some file systems cannot fsync a folder; the rename is still atomic
        pass
    finally:
        os.close(descriptor)


def _unlink_all(*paths: Path) -> int:
    """Remove the files that exist; the bytes removed."""
    removed = 0
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            size = path.stat().st_size
            path.unlink()
            removed += size
    return removed


def _copy_durably(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    fsync_file(target)


def ensure_working_copy(
    published: Path | str, run_id: str, *, wait_s: float | None = None, job: str = ""
) -> Path:
    """Return this run's working file, copying the published warehouse the first time.

    Takes the writer lock for ``run_id`` first (``WriterBusyError`` when another writer holds
    it past ``wait_s``), then removes what dead writers left behind. Copying reads the file
    without taking DuckDB's lock, so a reader (or even a read-write session an analyst left
    open) on the published file cannot make this fail. A copy that fails leaves no partial file.
    """
    published = Path(published)
    working = working_path(published, run_id)
    writer_lock.acquire(published, run_id, wait_s=wait_s, job=job)
    if working.exists():
        return working
    published.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_working_copies(published)
    partial = _partial(working)
    if published.exists():
        try:
            _copy_durably(published, partial)
            if _wal(published).exists():  # an uncheckpointed WAL belongs with its database
                _copy_durably(_wal(published), _wal(partial))
                _checkpoint(partial)
            os.replace(partial, working)
        except BaseException:
            _unlink_all(partial, _wal(partial))
            raise
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
    publish). The working file is checkpointed and fsync-ed first so the published file is
    self-contained and on disk before its name is. Only the writer-lock holder publishes (the
    lock is taken here if this run does not hold it yet); the lock is given up afterwards.
    """
    published = Path(published)
    working = working_path(published, run_id)
    if not working.exists():
        writer_lock.release(published, run_id)
        return None
    writer_lock.acquire(published, run_id, wait_s=0)
    _checkpoint(working)
    if _wal(working).exists():
        raise RuntimeError(
            f"{working} still has a write-ahead log after CHECKPOINT; not publishing"
        )
    fsync_file(working)
    os.replace(working, published)
    # A WAL left beside the old published file would be replayed onto the new one.
    _unlink_all(_wal(published))
    _fsync_folder(published.parent)
    writer_lock.release(published, run_id)
    log.info("published %s", published)
    return published


def discard(published: Path | str, run_id: str) -> int:
    """Give up a run that will not publish: remove its working files, release its lock.
    Returns the bytes removed. Safe to call after a publish (nothing left to remove)."""
    published = Path(published)
    working = working_path(published, run_id)
    removed = _unlink_all(working, _wal(working), _partial(working), _wal(_partial(working)))
    writer_lock.release(published, run_id)
    return removed


@dataclass
class WriteSession:
    """What :func:`writing` yields: the working file, and whether to publish it on success."""

    run_id: str
    working: Path
    publish: bool = True


@contextlib.contextmanager
def writing(
    published: Path | str, run_id: str, *, wait_s: float | None = None, job: str = ""
) -> Iterator[WriteSession]:
    """One write outside Dagster (``pfdw returns load``) on the same path as a run: take the
    lock, work on a working copy, publish it when the block ends normally (and
    ``session.publish`` is still true), discard it when the block raises."""
    published = Path(published)
    try:
        working = ensure_working_copy(published, run_id, wait_s=wait_s, job=job)
        session = WriteSession(run_id, working)
        yield session
        if session.publish:
            publish(published, run_id)
    finally:
        discard(published, run_id)


def _run_id_of(published: Path, path: Path) -> str:
    prefix = f"{published.stem}{WORKING_INFIX}"
    return path.name[len(prefix) :].split(".", 1)[0]


def leftover_files(published: Path | str) -> list[Path]:
    """Working copies, their WALs and ``.partial`` files beside the published warehouse."""
    published = Path(published)
    if not published.parent.exists():
        return []
    pattern = f"{published.stem}{WORKING_INFIX}*"
    return sorted(p for p in published.parent.glob(pattern) if p.is_file())


def remove_stale_working_copies(published: Path | str) -> list[Path]:
    """Delete the working files (and partial copies) of every run that is not the live writer.

    A working copy belongs to a live run only while that run holds the writer lock; everything
    else was left by a run that died or failed, and goes at once (it can be as large as the
    warehouse, and a full disk must not stay full)."""
    published = Path(published)
    live = writer_lock.read_holder(published)
    live_run = live.get("run_id") if live else None
    removed = []
    for path in leftover_files(published):
        if _run_id_of(published, path) == live_run:
            continue
        _unlink_all(path)
        removed.append(path)
    if removed:
        log.info("removed %d files left by runs that did not finish: %s", len(removed), removed)
    return removed
