"""One writer across processes: an exclusive lock on a file beside the published warehouse.

Every writer (a pipeline run, ``pfdw returns load``, the returns inbox run) takes the lock before
it copies the published warehouse into its working copy and keeps it until it has published or
given up, so two writers can never both publish and the second never starts from a copy that
misses the first one's records. The lock is ``flock`` on ``<warehouse>.writer.lock``: the
kernel drops it when the holder's process dies (even by ``kill -9``), so a dead run never holds
it. The file records the holder (run id, job, pid, start time) for the message a refused writer
prints.

A second writer waits up to ``wait_s`` seconds (``PFDW_WRITER_WAIT_S``, default
``DEFAULT_WAIT_S`` = 0: refused at once), polling every ``POLL_S``, then is refused with
:class:`WriterBusyError`, one line naming the run that holds the lock. Readers never take it:
publishing is a rename, so nobody waits behind a reader.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

WAIT_ENV = "PFDW_WRITER_WAIT_S"
DEFAULT_WAIT_S = 0.0
POLL_S = 0.25
LOCK_SUFFIX = ".writer.lock"
EXIT_WRITER_BUSY = 75  # EX_TEMPFAIL: the exit status of a command refused for another writer

_held: dict[Path, tuple[str, int]] = {}  # lock file -> (run id, open descriptor), this process
_guard = threading.Lock()


class WriterBusyError(RuntimeError):
    """Another writer holds the warehouse; the message names it in one line."""

    def __init__(self, published: Path, holder: dict | None, waited_s: float):
        self.holder = holder or {}
        who = (
            f"run {self.holder.get('run_id')} ({self.holder.get('job') or 'a writer'},"
            f" pid {self.holder.get('pid')}, since {self.holder.get('started_at')})"
            if self.holder.get("run_id")
            else "another writer"
        )
        waited = f" after waiting {waited_s:.0f} s" if waited_s else ""
        super().__init__(
            f"the warehouse {published} is being written by {who}; not started{waited}."
            f" Try again when it has finished, or wait for it with {WAIT_ENV}=SECONDS"
        )


def lock_file(published: Path | str) -> Path:
    published = Path(published)
    return published.with_name(published.name + LOCK_SUFFIX)


def wait_seconds(wait_s: float | None = None) -> float:
    """``wait_s``, else ``$PFDW_WRITER_WAIT_S``, else ``DEFAULT_WAIT_S``; never negative."""
    if wait_s is None:
        text = os.environ.get(WAIT_ENV, "").strip()
        try:
            wait_s = float(text) if text else DEFAULT_WAIT_S
        except ValueError as exc:
            raise ValueError(f"{WAIT_ENV} must be a number of seconds, got {text!r}") from exc
    return max(0.0, float(wait_s))


def process_start(pid: int) -> str | None:
    """The start time of ``pid`` in clock ticks since boot (Linux), to tell a reused pid."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()[19]


def process_alive(pid: int, started: str | None = None) -> bool:
    """Whether ``pid`` runs (and, given ``started``, is the same process that started then)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if started is None:
        return True
    now = process_start(pid)
    return now is None or now == str(started)


def read_holder(published: Path | str) -> dict | None:
    """The recorded holder, if the lock is held by a live process (else None)."""
    try:
        record = json.loads(lock_file(published).read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("pid"), int):
        return None
    return record if process_alive(record["pid"], record.get("pid_start")) else None


def holds(published: Path | str, run_id: str) -> bool:
    with _guard:
        entry = _held.get(lock_file(published))
    return entry is not None and entry[0] == run_id


def acquire(
    published: Path | str, run_id: str, *, wait_s: float | None = None, job: str = ""
) -> dict:
    """Take the writer lock for ``run_id`` (again: a no-op), or raise WriterBusyError."""
    path = lock_file(published)
    with _guard:
        entry = _held.get(path)
        if entry is not None and entry[0] == run_id:
            return {"run_id": run_id}
    wait = wait_seconds(wait_s)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    started = time.monotonic()
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            waited = time.monotonic() - started
            if waited >= wait:
                os.close(descriptor)
                raise WriterBusyError(Path(published), read_holder(published), waited) from None
            time.sleep(min(POLL_S, wait - waited))
    record = {
        "run_id": run_id,
        "job": job,
        "pid": os.getpid(),
        "pid_start": process_start(os.getpid()),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, json.dumps(record).encode(), 0)
    with _guard:
        _held[path] = (run_id, descriptor)
    return record


def release(published: Path | str, run_id: str) -> bool:
    """Give the lock up if ``run_id`` holds it in this process; True when it did."""
    path = lock_file(published)
    with _guard:
        entry = _held.get(path)
        if entry is None or entry[0] != run_id:
            return False
        del _held[path]
    descriptor = entry[1]
    try:
        os.ftruncate(descriptor, 0)
        fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
    return True
