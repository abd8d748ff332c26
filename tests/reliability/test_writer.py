"""One writer across processes, and clean failure (issue 13, items 3 and 4).

- Two writers at once: the second is refused (one line naming the holder) or waits its turn;
  never both publish, the published warehouse is one writer's complete result, and with a queue
  no writer's records are lost.
- ``pfdw returns load`` goes through the working copy and the publish, under the lock, and does
  not wait behind a session holding the published file.
- kill -9 of a Dagster run while a child (a crawl, a dbt) runs: the children die with it, the
  published file is untouched, the next start marks the run failed and removes its working
  copy, and the next run succeeds.
- A file-size limit (a full disk) during the copy or the publish leaves no partial file and the
  next run succeeds.

The kill test runs a small Dagster job of the same shape as the pipeline (working copy, a stage
with child processes started by the crawl runner and the dbt launcher, publish) so it takes
seconds; ``pfdw bench chaos --only writer`` does the same with the real pipeline.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import duckdb
import pytest

from orchestration.warehouse import publish, writer_lock

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def make_warehouse(path: Path, writer: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE IF NOT EXISTS records (writer VARCHAR)").fetchall()
        con.execute("INSERT INTO records VALUES (?)", [writer]).fetchall()


def records(path: Path) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [r[0] for r in con.execute("SELECT writer FROM records ORDER BY 1").fetchall()]


def python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


WRITER = """
    import sys, time
    import duckdb
    from orchestration.warehouse import publish
    published, run_id, wait_s = sys.argv[1], sys.argv[2], float(sys.argv[3])
    try:
        with publish.writing(published, run_id, wait_s=wait_s, job="test") as session:
            with duckdb.connect(str(session.working)) as con:
                con.execute("INSERT INTO records VALUES (?)", [run_id]).fetchall()
            time.sleep(1.5)  # a crawl and a build take a while
    except publish.WriterBusyError as busy:
        print(busy, file=sys.stderr)
        sys.exit(75)
"""


HOLDER = """
    import sys, time
    from orchestration.warehouse import writer_lock
    writer_lock.acquire(sys.argv[1], sys.argv[2], job="collect_and_audit")
    print("held", flush=True)
    time.sleep(120)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def wait_until(predicate, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.mark.parametrize("wait_s", [0, 30], ids=["refused", "queued"])
def test_two_writers_at_once_never_both_publish(tmp_path, wait_s):
    published = tmp_path / "pfd.duckdb"
    make_warehouse(published, "first-run")
    first = python(WRITER, str(published), "writer-a", str(wait_s))
    assert wait_until(lambda: writer_lock.read_holder(published) is not None)
    second = python(WRITER, str(published), "writer-b", str(wait_s))
    first_out, second_out = first.communicate(timeout=60), second.communicate(timeout=60)
    assert first.returncode == 0, first_out
    if wait_s == 0:
        assert second.returncode == writer_lock.EXIT_WRITER_BUSY
        message = second_out[1].strip()
        assert "\n" not in message and "being written by run writer-a" in message
        assert records(published) == ["first-run", "writer-a"]
    else:  # the second waited its turn and started from the first one's published result
        assert second.returncode == 0, second_out
        assert records(published) == ["first-run", "writer-a", "writer-b"]
    assert publish.leftover_files(published) == []


def test_a_writer_that_holds_the_lock_blocks_the_publish_of_another(tmp_path):
    published = tmp_path / "pfd.duckdb"
    make_warehouse(published, "old")
    holder = python(WRITER, str(published), "holder", "0")
    assert wait_until(lambda: publish.working_path(published, "holder").exists())
    make_warehouse(publish.working_path(published, "sneaky"), "sneaky")  # made without the lock
    with pytest.raises(publish.WriterBusyError, match="being written by run holder"):
        publish.publish(published, "sneaky")
    holder.communicate(timeout=60)
    assert records(published) == ["holder", "old"]


def fake_load_returns_file(calls):
    from orchestration.sources.returns.load import LoadResult

    def load(path, warehouse, data_dir, *, move_bad_file=False):
        calls.append((Path(warehouse), writer_lock.read_holder(published_of(warehouse))))
        make_warehouse(Path(warehouse), f"returns:{Path(path).name}")
        return LoadResult(Path(path).name, "0" * 64, "loaded", 1, (), "loaded 1 rows")

    return load


def published_of(working: Path) -> Path:
    stem = working.name.split(publish.WORKING_INFIX)[0]
    return working.with_name(stem + working.suffix)


def test_returns_cli_loads_into_a_working_copy_and_publishes_it(tmp_path, monkeypatch, capsys):
    from orchestration import cli
    from orchestration.sources.returns import load

    published = tmp_path / "warehouse" / "pfd.duckdb"
    make_warehouse(published, "pipeline")
    returns_file = tmp_path / "answer.csv"
    returns_file.write_text("x\n")
    calls: list = []
    monkeypatch.setattr(load, "load_returns_file", fake_load_returns_file(calls))
    # A session holding the published file read-write: the old CLI waited 300 s behind it.
    holder = python(
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('open', flush=True);"
        " time.sleep(60)",
        str(published),
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        started = time.monotonic()
        status = cli.main(["returns", "load", str(returns_file), "--warehouse", str(published)])
        seconds = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert status == 0, capsys.readouterr()
    assert seconds < 10
    ((working, holder_record),) = calls
    assert working.name.startswith("pfd.build-returns-load-")
    assert holder_record["run_id"] == working.name.split(publish.WORKING_INFIX)[1].split(".")[0]
    assert records(published) == ["pipeline", "returns:answer.csv"]
    assert publish.leftover_files(published) == []


def test_returns_cli_is_refused_in_one_line_while_a_run_writes(tmp_path, monkeypatch, capsys):
    from orchestration import cli
    from orchestration.sources.returns import load

    published = tmp_path / "pfd.duckdb"
    make_warehouse(published, "pipeline")
    calls: list = []
    monkeypatch.setattr(load, "load_returns_file", fake_load_returns_file(calls))
    running = python(WRITER, str(published), "pipeline-run", "0")
    assert wait_until(lambda: writer_lock.read_holder(published) is not None)
    status = cli.main(["returns", "load", str(tmp_path / "a.csv"), "--warehouse", str(published)])
    running.communicate(timeout=60)
    assert status == writer_lock.EXIT_WRITER_BUSY
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "being written by run pipeline-run" in error
    assert calls == []


def test_a_second_pipeline_run_is_refused_in_one_line_naming_the_first(tmp_path, capsys):
    from orchestration import cli

    published = tmp_path / "warehouse" / "pfd.duckdb"
    make_warehouse(published, "first")
    running = python(HOLDER, str(published), "first-run")
    try:
        assert running.stdout.readline().strip() == "held"
        status = cli.main(["run", "--data-dir", str(tmp_path)])
    finally:
        running.kill()
        running.wait()
    assert status == writer_lock.EXIT_WRITER_BUSY
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "being written by run first-run" in error
    assert records(published) == ["first"]
    assert publish.leftover_files(published) == []


# --- kill -9 of a Dagster run -----------------------------------------------------------------

RUN = """
    import sys, uuid
    from tests.reliability.test_writer import run_fake_job
    sys.exit(run_fake_job(sys.argv[1], sys.argv[2] == "hang"))
"""

SLEEPER = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(300)"


def run_fake_job(data_dir: str, hang: bool) -> int:
    """A writer run the way ``run_job`` starts one, of a job shaped like the pipeline; with
    ``hang``, its build stage starts a dbt (through the dbt launcher, as dagster-dbt does) and a
    crawl (through the crawl runner) that never finish."""
    from dagster import DagsterInstance, Definitions, asset, define_asset_job

    from orchestration.defs import runs
    from orchestration.defs.resources import WarehouseResource
    from orchestration.warehouse.children import dbt_launcher
    from scrapers.crawl import _run_subprocess

    folder = Path(data_dir)

    # (no annotations: this module's are strings, which Dagster cannot read)
    @asset(required_resource_keys={"warehouse"})
    def build(context):
        warehouse = context.resources.warehouse
        make_warehouse(warehouse.working_copy(context.run.run_id), context.run.run_id)
        if hang:
            fake_dbt = folder / "fake-dbt"
            fake_dbt.write_text(f"#!{sys.executable}\n{SLEEPER.replace('; ', chr(10))}\n")
            fake_dbt.chmod(0o755)
            launcher = dbt_launcher(str(fake_dbt), folder)
            subprocess.Popen([launcher, str(folder / "dbt.pid")])  # noqa: S603
            command = [sys.executable, "-c", SLEEPER, str(folder / "crawl.pid")]
            _run_subprocess(command, dict(os.environ), folder / "crawl.log", None)

    @asset(deps=[build], required_resource_keys={"warehouse"})
    def published(context):
        publish.publish(context.resources.warehouse.published_path(), context.run.run_id)

    warehouse = folder / "warehouse" / "pfd.duckdb"
    job = Definitions(
        assets=[build, published],
        jobs=[define_asset_job("fake_pipeline")],
        resources={"warehouse": WarehouseResource(path=str(warehouse), data_dir=data_dir)},
    ).resolve_job_def("fake_pipeline")
    run_id = str(uuid.uuid4())
    writer_lock.acquire(warehouse, run_id, job="fake_pipeline")
    (folder / "dagster").mkdir(exist_ok=True)
    with DagsterInstance.from_config(str(runs.prepare_instance(folder))) as instance:
        for line in runs.begin_writer_run(instance, warehouse, run_id):
            print(line)
        result = job.execute_in_process(
            instance=instance, run_id=run_id, tags=runs.process_tags(), raise_on_error=False
        )
    publish.discard(warehouse, run_id)
    return 0 if result.success else 1


@pytest.mark.slow
def test_kill_9_during_a_stage_leaves_nothing_running_and_the_next_run_succeeds(tmp_path):
    from dagster import DagsterInstance

    env = {**os.environ, "DAGSTER_HOME": ""}
    first = python(RUN, str(tmp_path), "finish", env=env)
    assert first.wait(timeout=120) == 0, first.communicate()
    published = tmp_path / "warehouse" / "pfd.duckdb"
    before = published.read_bytes()

    killed = python(RUN, str(tmp_path), "hang", env=env)
    pid_files = [tmp_path / "dbt.pid", tmp_path / "crawl.pid"]
    assert wait_until(lambda: all(p.exists() and p.read_text() for p in pid_files), 120)
    children = [int(p.read_text()) for p in pid_files]
    assert all(alive(pid) for pid in children)
    killed.send_signal(signal.SIGKILL)
    killed.communicate()
    assert wait_until(lambda: not any(alive(pid) for pid in children), 5), "orphans left"
    assert published.read_bytes() == before
    assert len(publish.leftover_files(published)) == 1  # the dead run's working copy

    following = python(RUN, str(tmp_path), "finish", env=env)
    out, err = following.communicate(timeout=120)
    assert following.returncode == 0, err
    assert "died before the run finished; marked failed" in out
    assert publish.leftover_files(published) == []
    with DagsterInstance.from_config(str(tmp_path / "dagster")) as instance:
        statuses = [run.status for run in instance.get_runs()]
    assert sorted(s.value for s in statuses) == ["FAILURE", "SUCCESS", "SUCCESS"]
    assert len(records(published)) == 2  # the first and the last run; the killed one: nothing


# --- a full disk --------------------------------------------------------------------------------

LIMITED = """
    import resource, signal, sys
    import duckdb
    from orchestration.warehouse import publish
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    published, stage, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        with publish.writing(published, "limited", job="test") as session:
            if stage == "publish":
                with duckdb.connect(str(session.working)) as con:
                    con.execute(
                        "CREATE TABLE big AS SELECT range AS n, md5(range::VARCHAR) AS h"
                        " FROM range(2000000)"
                    ).fetchall()
    except Exception as error:
        print(type(error).__name__, error, file=sys.stderr)
        sys.exit(1)
"""


@pytest.mark.parametrize("stage", ["copy", "publish"])
def test_a_file_size_limit_leaves_no_partial_and_the_next_run_succeeds(tmp_path, stage):
    published = tmp_path / "pfd.duckdb"
    make_warehouse(published, "old")
    with duckdb.connect(str(published)) as con:  # big enough that half of it is a real copy
        con.execute("CREATE TABLE pad AS SELECT range AS n FROM range(300000)").fetchall()
    before = published.read_bytes()
    limit = len(before) // 2 if stage == "copy" else len(before) + 64 * 1024
    limited = python(LIMITED, str(published), stage, str(limit))
    _, err = limited.communicate(timeout=120)
    assert limited.returncode == 1, err
    assert "File too large" in err or "file too large" in err.lower(), err
    assert published.read_bytes() == before
    assert publish.leftover_files(published) == []
    run_id = f"next-{uuid.uuid4().hex[:8]}"
    with publish.writing(published, run_id) as session:
        make_warehouse(session.working, "next")
    assert records(published) == ["next", "old"]
    assert publish.leftover_files(published) == []


def test_a_dead_writers_lock_is_free_and_its_record_names_no_holder(tmp_path):
    published = tmp_path / "pfd.duckdb"
    holder = python(
        "import sys, time; from orchestration.warehouse import writer_lock;"
        " writer_lock.acquire(sys.argv[1], 'doomed'); print('held', flush=True); time.sleep(60)",
        str(published),
    )
    assert holder.stdout.readline().strip() == "held"
    assert writer_lock.read_holder(published)["run_id"] == "doomed"
    holder.kill()
    holder.wait()
    assert writer_lock.read_holder(published) is None
    record = writer_lock.acquire(published, "next", wait_s=0)
    assert json.loads(writer_lock.lock_file(published).read_text())["run_id"] == "next"
    assert record["pid"] == os.getpid()
    writer_lock.release(published, "next")
