"""Chaos cases of the writer area: the real pipeline (``pfdw run`` on the offline snapshot),
killed with kill -9 at each stage, run twice at once, and run under a file-size limit.

Every case starts from a copy of one baseline data dir (a ``daily_collection`` run on the small
2013-10-31 window, built once per bench) and judges:

- the published warehouse is byte-identical to before, or (a kill during publish that landed
  after the rename) the complete new one, which opens and answers;
- no child of the killed run (Scrapy, dbt) is alive a few seconds later;
- the next run marks the killed run failed, removes what it left, and succeeds;
- the bytes left behind (working copies, ``.partial`` files) after that next start.

A kill case runs a later window (2013-11-14) so the crawl finds new reports, the load has rows to
write and dbt has models to build; the next run goes back to the baseline window, which the
warehouse already holds (an incremental run with little to do).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from orchestration.bench.chaos import Case, CaseResult
from orchestration.warehouse import publish, writer_lock

BASE_AS_OF = "2013-10-31"
LATER_AS_OF = "2013-11-14"
JOB = "daily_collection"
STAGE_TIMEOUT_S = 400
CHILD_GRACE_S = 5
# stage -> (the Dagster step whose start marks it, a word in the child's command line to wait for)
STAGES = {
    "crawl": ('step "crawl__judiciary_pfd"', "scrapy"),
    "load": ('step "load__judiciary_pfd"', None),
    "dbt": ('step "pfd_dbt"', "dbt"),
    "publish": ('step "warehouse__published"', None),
}
_baseline: dict[str, Path] = {}


def pfdw_command(*args: str) -> list[str]:
    executable = Path(sys.executable).with_name("pfdw")
    if executable.exists():
        return [str(executable), *args]
    return [sys.executable, "-c", "import sys; from orchestration.cli import main;"
            " sys.exit(main(sys.argv[1:]))", *args]  # fmt: skip


class Pfdw:
    """One ``pfdw`` process in its own session, its output collected line by line."""

    def __init__(self, *args: str, preexec=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PFDW_", "DAGSTER_"))}
        self.lines: list[str] = []
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            pfdw_command(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,
            preexec_fn=preexec,  # noqa: PLW1509 - only sets a resource limit
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def saw(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def wait(self, timeout: float = STAGE_TIMEOUT_S) -> int:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._reader.join(timeout=5)
        return code

    def last_lines(self, count: int = 3) -> str:
        interesting = [line for line in self.lines if " - DEBUG - " not in line]
        return " | ".join(interesting[-count:])


def run_pfdw(*args: str, preexec=None) -> Pfdw:
    runner = Pfdw(*args, preexec=preexec)
    runner.wait()
    return runner


def descendants(pid: int) -> dict[int, str]:
    """Every live process below ``pid``: pid -> command line."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if stat[0] not in ("Z", "X"):
            parents[int(entry.name)] = int(stat[1])
            commands[int(entry.name)] = command
    found: dict[int, str] = {}
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                found[child] = commands[child]
                frontier.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def leftover_bytes(published: Path) -> int:
    return sum(p.stat().st_size for p in publish.leftover_files(published) if p.exists())


def warehouse_answers(published: Path) -> bool:
    import duckdb

    try:
        with duckdb.connect(str(published), read_only=True) as con:
            return (
                con.execute("SELECT count(*) FROM raw.judiciary_pfd__reports").fetchall()[0][0] > 0
            )
    except duckdb.Error:
        return False


def baseline() -> Path:
    """A data dir after one successful run on the baseline window (built once per bench)."""
    if "data" not in _baseline:
        root = Path(tempfile.mkdtemp(prefix="pfdw-chaos-writer-"))
        atexit.register(shutil.rmtree, root, True)
        data = root / "data"
        first = run_pfdw("run", "--job", JOB, "--as-of", BASE_AS_OF, "--data-dir", str(data))
        if first.process.returncode != 0:
            raise RuntimeError(f"the baseline run failed: {first.last_lines()}")
        _baseline["data"] = data
    return _baseline["data"]


def copy_baseline(folder: Path) -> tuple[Path, Path]:
    data = folder / "data"
    shutil.copytree(baseline(), data)
    return data, data / "warehouse" / "pfd.duckdb"


def next_run(data: Path, published: Path) -> tuple[bool, str, int]:
    """The run after a failure: (succeeded and left nothing, what it said, bytes left)."""
    following = run_pfdw("run", "--job", JOB, "--as-of", BASE_AS_OF, "--data-dir", str(data))
    left = leftover_bytes(published)
    ok = following.process.returncode == 0 and left == 0 and warehouse_answers(published)
    marked = following.saw("marked failed at the next start")
    return (
        ok,
        ("marked the killed run failed; " if marked else "")
        + ("next run succeeded" if ok else f"next run FAILED: {following.last_lines()}"),
        left,
    )


def kill_at(stage: str):
    marker, child_word = STAGES[stage]

    def run(folder: Path) -> CaseResult:
        data, published = copy_baseline(folder)
        before = digest(published)
        killed = Pfdw("run", "--job", JOB, "--as-of", LATER_AS_OF, "--data-dir", str(data))
        deadline = time.monotonic() + STAGE_TIMEOUT_S
        children: dict[int, str] = {}
        while time.monotonic() < deadline and killed.process.poll() is None:
            children = descendants(killed.process.pid)
            if killed.saw(marker) and (
                child_word is None or any(child_word in c for c in children.values())
            ):
                break
            time.sleep(0.05)
        if killed.process.poll() is not None:
            return CaseResult(
                False, f"the run ended before reaching {stage}: {killed.last_lines()}"
            )
        children.update(descendants(killed.process.pid))
        os.kill(killed.process.pid, signal.SIGKILL)
        killed.wait()
        time.sleep(CHILD_GRACE_S)
        orphans = [pid for pid in children if alive(pid)]
        for pid in orphans:  # do not leave them to the next case
            os.kill(pid, signal.SIGKILL)
        left_by_kill = leftover_bytes(published)
        after = digest(published)
        intact = after == before or warehouse_answers(published)
        state = "byte-identical" if after == before else "the new one, complete"
        ok, said, left = next_run(data, published)
        held = ok and intact and not orphans and "marked" in said
        detail = (
            f"killed at {stage} with {len(children)} children; {len(orphans)} alive after"
            f" {CHILD_GRACE_S}s; published {state if intact else 'BROKEN'}; the kill left"
            f" {left_by_kill} bytes; {said}"
        )
        return CaseResult(held, detail, bytes_left_behind=left)

    return run


def crawl_run_ids(data: Path) -> set[str]:
    """Crawl run folders whose run.json says finished."""
    return {
        run.parent.name
        for run in (data / "runs").glob("*/*/run.json")
        if '"status": "finished"' in run.read_text(encoding="utf-8")
    }


def loaded_run_ids(published: Path) -> set[str]:
    import duckdb

    with duckdb.connect(str(published), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT run_id FROM raw.crawl_runs").fetchall()}


def two_runs_at_once(folder: Path) -> CaseResult:
    data, published = copy_baseline(folder)
    args = ("run", "--job", JOB, "--as-of", LATER_AS_OF, "--data-dir", str(data))
    first = Pfdw(*args)
    deadline = time.monotonic() + STAGE_TIMEOUT_S
    while writer_lock.read_holder(published) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    holder = writer_lock.read_holder(published) or {}
    second = run_pfdw(*args)
    first.wait()
    refusal = [line for line in second.lines if line.strip()]
    refused_cleanly = (
        second.process.returncode == writer_lock.EXIT_WRITER_BUSY
        and len(refusal) == 1
        and str(holder.get("run_id")) in refusal[0]
    )
    missing = crawl_run_ids(data) - loaded_run_ids(published)
    left = leftover_bytes(published)
    held = first.process.returncode == 0 and refused_cleanly and not missing and left == 0
    detail = (
        f"second run {'refused in one line naming' if refused_cleanly else 'NOT refused by'}"
        f" run {holder.get('run_id', '?')[:8]}; first run"
        f" {'succeeded' if first.process.returncode == 0 else 'FAILED'};"
        f" {len(missing)} finished crawl runs missing from the published warehouse"
    )
    return CaseResult(held, detail, bytes_left_behind=left)


def file_size_limit(folder: Path) -> CaseResult:
    data, published = copy_baseline(folder)
    before = digest(published)
    limit = published.stat().st_size // 2

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    failing = run_pfdw(
        "run", "--job", JOB, "--as-of", LATER_AS_OF, "--data-dir", str(data), preexec=limited
    )
    failed_cleanly = failing.process.returncode != 0 and failing.saw("File too large")
    left_by_failure = leftover_bytes(published)
    intact = digest(published) == before
    ok, said, left = next_run(data, published)
    held = failed_cleanly and intact and left_by_failure == 0 and ok
    detail = (
        f"with files limited to {limit} bytes the run"
        f" {'failed naming the full disk' if failed_cleanly else 'did NOT fail clearly'};"
        f" published {'byte-identical' if intact else 'CHANGED'}; the failure left"
        f" {left_by_failure} bytes; {said}"
    )
    return CaseResult(held, detail, bytes_left_behind=left + left_by_failure)


CASES = [
    *(Case(f"kill_9_at_{stage}", kill_at(stage)) for stage in STAGES),
    Case("two_runs_at_once", two_runs_at_once),
    Case("file_size_limit_during_copy", file_size_limit),
]
