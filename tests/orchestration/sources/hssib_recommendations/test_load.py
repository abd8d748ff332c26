"""The HSSIB raw loader on a real crawl of the offline snapshot: all or nothing, idempotent per
run, bad lines named by file:line, latest observation per recommendation with its history."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.sources.hssib_recommendations import load as hssib
from orchestration.sources.hssib_recommendations.collect import collect_hssib
from orchestration.sources.hssib_recommendations.load import (
    RAW_TABLE,
    ensure_hssib_schema,
    load_hssib_run,
)
from orchestration.sources.raw_runs import RawLoadError, RunNotLoadableError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawled_run(tmp_path_factory) -> Path:
    """One real crawl of the snapshot's HSSIB section (43 pages), reused read-only."""
    from scrapers.crawl import run_crawl

    run_dir = tmp_path_factory.mktemp("hssib_runs") / "20260101T000000000000Z"
    result = run_crawl(spider=hssib.SPIDER, source="snapshot", run_dir=run_dir, timeout_s=120)
    assert result.loadable, result.failure_reason
    return run_dir


def copy_run(source: Path, target: Path, *, started_at: str | None = None) -> Path:
    shutil.copytree(source, target)
    run = json.loads((target / "run.json").read_text())
    run["run_id"] = target.name
    if started_at:
        run["started_at"] = started_at
    (target / "run.json").write_text(json.dumps(run))
    return target


def read_items(run_dir: Path) -> list[dict]:
    lines = (run_dir / hssib.RECOMMENDATIONS_FILE).read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def write_items(run_dir: Path, items: list[dict]) -> None:
    text = "".join(json.dumps(item) + "\n" for item in items)
    (run_dir / hssib.RECOMMENDATIONS_FILE).write_text(text)


def table_rows(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute(f"select count(*) from {RAW_TABLE}").fetchone()[0]  # noqa: S608


def test_real_run_loads_one_row_per_recommendation(crawled_run, tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    result = load_hssib_run(con, crawled_run)

    assert result.recommendations_in_run == 43
    assert result.new_recommendations == 43
    keys = con.execute(
        f"select count(distinct recommendation_key), count(*) filter (where log_url is null) "  # noqa: S608
        f"from {RAW_TABLE}"
    ).fetchone()
    assert keys == (43, 38)
    # The example page: DHSC, four planned actions with parsed due dates, received 25 Aug 2025.
    row = con.execute(
        f"""select recipients, json_array_length(planned_actions), response_received_date,
                   planned_actions -> '$[0]' ->> 'due_date'
            from {RAW_TABLE} where recommendation_key like '%/example-page'"""  # noqa: S608
    ).fetchone()
    assert json.loads(row[0]) == ["Department of Health and Social Care"]
    assert row[1] == 4
    assert str(row[2]) == "2025-08-25"
    assert row[3] is not None
    run_row = con.execute(
        "select spider, reports_parsed, new_reports from raw.crawl_runs where run_id = ?",
        [crawled_run.name],
    ).fetchone()
    assert run_row == ("hssib_recommendations", 43, 43)


def test_second_load_of_the_same_run_is_a_no_op(crawled_run, tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_hssib_run(con, crawled_run)
    before = con.execute(f"select * from {RAW_TABLE} order by 1").fetchall()  # noqa: S608

    again = load_hssib_run(con, crawled_run)

    assert again.already_loaded
    assert con.execute(f"select * from {RAW_TABLE} order by 1").fetchall() == before  # noqa: S608
    assert con.execute("select count(*) from raw.crawl_runs").fetchone()[0] == 1


def test_bad_line_is_named_and_nothing_is_loaded(crawled_run, tmp_path):
    run_dir = copy_run(crawled_run, tmp_path / "runs" / "bad")
    items = read_items(run_dir)
    items[4]["response_received_date"] = "25 August 2025"  # display text, not an ISO date
    write_items(run_dir, items)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))

    with pytest.raises(RawLoadError) as error:
        load_hssib_run(con, run_dir)

    message = str(error.value)
    assert f"{run_dir / 'recommendations.jsonl'}:5" in message
    assert "response_received_date" in message
    ensure_hssib_schema(con)
    assert table_rows(con) == 0
    assert con.execute("select count(*) from raw.crawl_runs").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("planned_actions", "Phase 1", "planned_actions must be a list"),
        ("recipients", None, "missing recipients"),
        ("log_url", "http://127.0.0.1:8000/x", "not a canonical https://www.hssib.org.uk URL"),
    ],
)
def test_malformed_fields_are_named(crawled_run, tmp_path, field, value, expected):
    run_dir = copy_run(crawled_run, tmp_path / "runs" / "bad")
    items = read_items(run_dir)
    items[0][field] = value
    write_items(run_dir, items)

    with pytest.raises(RawLoadError, match=expected) as error:
        load_hssib_run(duckdb.connect(str(tmp_path / "w.duckdb")), run_dir)
    assert "recommendations.jsonl:1" in str(error.value)


def test_invalid_json_line_is_named(crawled_run, tmp_path):
    run_dir = copy_run(crawled_run, tmp_path / "runs" / "bad")
    path = run_dir / hssib.RECOMMENDATIONS_FILE
    lines = path.read_text().splitlines()
    lines[2] = lines[2][:-10]
    path.write_text("\n".join(lines) + "\n")

    with pytest.raises(RawLoadError, match=r"recommendations\.jsonl:3: not valid JSON"):
        load_hssib_run(duckdb.connect(str(tmp_path / "w.duckdb")), run_dir)


def test_failure_inside_the_transaction_leaves_the_previous_load_intact(
    crawled_run, tmp_path, monkeypatch
):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_hssib_run(con, crawled_run)
    before = con.execute(f"select * from {RAW_TABLE} order by 1").fetchall()  # noqa: S608
    run_dir = copy_run(crawled_run, tmp_path / "runs" / "later", started_at="2030-01-01T00:00:00")
    items = read_items(run_dir)
    items[0]["response_text"] = "changed"
    write_items(run_dir, items)
    real_upsert = hssib._upsert

    def upsert_then_fail(*args, **kwargs):
        real_upsert(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(hssib, "_upsert", upsert_then_fail)

    with pytest.raises(RawLoadError, match="nothing was loaded: disk full"):
        load_hssib_run(con, run_dir)

    assert con.execute(f"select * from {RAW_TABLE} order by 1").fetchall() == before  # noqa: S608
    assert con.execute("select count(*) from raw.crawl_runs").fetchone()[0] == 1


def test_later_run_keeps_history_and_moves_last_changed_only_on_change(crawled_run, tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_hssib_run(con, crawled_run)
    run_dir = copy_run(crawled_run, tmp_path / "runs" / "later", started_at="2030-01-01T00:00:00")
    items = read_items(run_dir)
    for item in items:
        item["crawled_at"] = "2030-01-01T00:00:05+00:00"
    changed_key = items[0]["log_url"] or items[0]["page_path"]
    items[0]["response_text"] = (items[0]["response_text"] or "") + " (updated)"
    write_items(run_dir, items)

    result = load_hssib_run(con, run_dir)

    assert (result.new_recommendations, result.changed_recommendations) == (0, 1)
    rows = con.execute(
        f"""select recommendation_key = ?, first_seen_run_id, last_seen_run_id,
                   last_changed_at = last_seen_at, first_seen_at < last_seen_at
            from {RAW_TABLE}""",  # noqa: S608
        [changed_key],
    ).fetchall()
    assert all(row[1:3] == (crawled_run.name, "later") and row[4] for row in rows)
    assert [row[3] for row in rows if row[0]] == [True]
    assert not any(row[3] for row in rows if not row[0])


def test_older_run_is_refused(crawled_run, tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_hssib_run(con, crawled_run)
    older = copy_run(crawled_run, tmp_path / "runs" / "older", started_at="2001-01-01T00:00:00")

    with pytest.raises(RunNotLoadableError, match="before a run already loaded"):
        load_hssib_run(con, older)


def test_unfinished_or_foreign_runs_are_not_loaded(crawled_run, tmp_path):
    no_run_json = tmp_path / "interrupted"
    no_run_json.mkdir()
    with pytest.raises(RunNotLoadableError, match="no run.json"):
        load_hssib_run(duckdb.connect(), no_run_json)

    failed = copy_run(crawled_run, tmp_path / "failed")
    run = json.loads((failed / "run.json").read_text())
    run.update(status="failed", failure_reason="layout drift")
    (failed / "run.json").write_text(json.dumps(run))
    with pytest.raises(RunNotLoadableError, match="layout drift"):
        load_hssib_run(duckdb.connect(), failed)

    foreign = copy_run(crawled_run, tmp_path / "foreign")
    run = json.loads((foreign / "run.json").read_text())
    run["spider"] = "judiciary_pfd"
    (foreign / "run.json").write_text(json.dumps(run))
    with pytest.raises(RawLoadError, match="not 'hssib_recommendations'"):
        load_hssib_run(duckdb.connect(), foreign)


def test_collect_hssib_crawls_and_loads(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    result = collect_hssib(warehouse=warehouse, runs_root=tmp_path / "runs")

    assert result.run_dir.parent == tmp_path / "runs" / "hssib_recommendations"
    assert result.load.recommendations_in_run == 43
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert table_rows(con) == 43


# --- the capture each page states ----------------------------------------------------------------


def test_stated_captures_are_stored(crawled_run, tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_hssib_run(con, crawled_run)

    groups = con.execute(
        f"""select captured_on::VARCHAR, capture_date_basis, count(*) from {RAW_TABLE}
            group by all order by 1"""  # noqa: S608
    ).fetchall()
    assert groups[0] == ("2024-01-01", "on_or_after", 37)
    assert sum(count for *_, count in groups) == 43
    assert {basis for _, basis, _ in groups} == {"on_or_after"}
    example = con.execute(
        f"select captured_on from {RAW_TABLE} where recommendation_key like '%/example-page'"  # noqa: S608
    ).fetchone()
    assert str(example[0]) == "2025-08-25"


def test_a_warehouse_built_before_the_capture_columns_gets_them(crawled_run, tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_hssib_run(con, crawled_run)
    con.execute(f"alter table {RAW_TABLE} drop column captured_on")  # the table as it was
    con.execute(f"alter table {RAW_TABLE} drop column capture_date_basis")
    later = copy_run(crawled_run, tmp_path / "runs" / "later", started_at="2030-01-01T00:00:00")

    result = load_hssib_run(con, later)

    assert result.new_recommendations == 0
    rows = con.execute(
        f"select count(*), count(captured_on), count(capture_date_basis) from {RAW_TABLE}"  # noqa: S608
    ).fetchone()
    assert rows == (43, 43, 43)
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'hssib_recommendations__recommendations'"
        ).fetchall()
    )
    assert (types["captured_on"], types["capture_date_basis"]) == ("DATE", "VARCHAR")


@pytest.mark.parametrize(
    ("captured_on", "basis", "expected"),
    [
        ("25 August 2025", "on_or_after", "captured_on '25 August 2025' is not an ISO date"),
        ("2025-08-25", "exactly", "capture_date_basis 'exactly' is not one of"),
        ("2025-08-25", None, "must both be set or both be null"),
        (None, "on_or_after", "must both be set or both be null"),
    ],
)
def test_malformed_captures_are_named(crawled_run, tmp_path, captured_on, basis, expected):
    run_dir = copy_run(crawled_run, tmp_path / "runs" / "bad")
    items = read_items(run_dir)
    items[1].update(captured_on=captured_on, capture_date_basis=basis)
    write_items(run_dir, items)

    with pytest.raises(RawLoadError, match=expected) as error:
        load_hssib_run(duckdb.connect(str(tmp_path / "w.duckdb")), run_dir)
    assert "recommendations.jsonl:2" in str(error.value)


def test_a_changed_stated_capture_is_a_change_and_an_unstated_one_keeps_old_hashes(crawled_run):
    item = read_items(crawled_run)[0]
    later = {**item, "captured_on": "2026-01-31"}
    assert hssib.content_hash(later) != hssib.content_hash(item)
    # A live item (no stated capture) hashes as items did before the capture fields existed.
    live = {**item, "captured_on": None, "capture_date_basis": None}
    before_the_fields = {
        key: value for key, value in item.items() if key not in hssib.HASHED_WHEN_SET
    }
    assert hssib.content_hash(live) == hssib.content_hash(before_the_fields)


def test_a_page_stating_a_later_capture_moves_last_changed(crawled_run, tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_hssib_run(con, crawled_run)
    run_dir = copy_run(crawled_run, tmp_path / "runs" / "later", started_at="2030-01-01T00:00:00")
    items = read_items(run_dir)
    items[0]["captured_on"] = "2026-01-31"
    write_items(run_dir, items)

    result = load_hssib_run(con, run_dir)

    assert result.changed_recommendations == 1
    key = items[0]["log_url"] or items[0]["page_path"]
    stored = con.execute(
        f"select captured_on::VARCHAR from {RAW_TABLE} where recommendation_key = ?",  # noqa: S608
        [key],
    ).fetchone()
    assert stored == ("2026-01-31",)
