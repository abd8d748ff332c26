"""`pfdw quality`'s HSSIB action states (issue 12): measured on a real build of the snapshot's
HSSIB section beside ten real coroners' reports, every figure equal to plain SQL on the marts;
and a clear message for a warehouse whose HSSIB marts predate capture-day statuses."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pytest

from orchestration.bench import quality
from orchestration.bench.quality_hssib import (
    ACTION_STATUSES,
    HssibMartsMissing,
    hssib_figures,
    print_hssib_figures,
)

DHSC = "nb:department-of-health-and-social-care"


@pytest.fixture(scope="module")
def hssib_build(hssib_sample) -> Path:
    return hssib_sample.warehouse


def query(warehouse: Path, sql: str, parameters=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


@pytest.mark.slow
def test_hssib_figures_equal_sql_on_the_marts(hssib_build):
    figures = hssib_figures(hssib_build)
    totals = dict(
        query(
            hssib_build,
            "select action_status, count(*) from main.fct_recommendation_actions group by 1",
        )
    )
    assert figures.action_totals == {status: totals.get(status, 0) for status in ACTION_STATUSES}
    # every action is decided by one rule or by none (no_update)
    assert sum(rule.actions for rule in figures.rules) == figures.actions_total
    (recommendations,) = query(
        hssib_build, "select count(distinct recommendation_id) from main.fct_safety_recommendations"
    )[0]
    assert figures.recommendations_total == recommendations
    dhsc = next(row for row in figures.actions if row.organisation_key == DHSC)
    # the example page (DHSC, received 25 Aug 2025): one done, one in progress, two due after
    # the capture; the rest of DHSC's actions come from its other responses
    assert dhsc.counts["reported_done"] >= 1 and dhsc.counts["in_progress"] >= 1
    assert dhsc.counts["due_after_capture"] >= 2
    decided = {rule.rule_id: rule.actions for rule in figures.rules}
    assert decided["done_taken_place"] >= 1 and decided["progress_agreed"] >= 1
    assert "delay_stated" in decided  # a rule that decided nothing is listed with 0
    basis = {capture.basis for capture in figures.captures}
    assert basis == {"on_or_after"}  # the offline replica states a lower bound only


@pytest.mark.slow
def test_pfdw_quality_prints_hssib_action_states(hssib_build, capsys):
    assert quality.main(["--skip-samples", "--warehouse", str(hssib_build)]) == 0
    out = capsys.readouterr().out
    section = out[out.index("HSSIB action states") :]
    assert "as_of 2026-02-01" in section
    assert "captured on or after 2024-01-01 .. 2025-08-25 (basis on_or_after)" in section
    assert "reported-state rule table version 2026-11-29" in section
    dhsc_row = next(line for line in section.splitlines() if "Department of Health" in line)
    assert dhsc_row.split()[-7:-4] == ["1", "0", "1"]  # done, delayed, in progress
    assert "(no rule matched)" in section and "past due" not in section


def test_marts_built_before_capture_statuses_are_named_not_measured(tmp_path):
    warehouse = tmp_path / "old.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "create table main.fct_recommendation_actions (action_id varchar, due_status varchar)"
        )
    with pytest.raises(
        HssibMartsMissing, match=r"no main\.fct_recommendation_actions\.action_status"
    ):
        hssib_figures(warehouse)


def test_a_missing_warehouse_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no warehouse at"):
        hssib_figures(tmp_path / "nowhere.duckdb")


def test_an_empty_hssib_log_prints_that_it_is_empty():
    from orchestration.bench.quality_hssib import HssibFigures

    out = io.StringIO()
    print_hssib_figures(
        HssibFigures(None, (), (), dict.fromkeys(ACTION_STATUSES, 0), (), (), ()), out
    )
    assert "no HSSIB recommendations in the warehouse" in out.getvalue()
