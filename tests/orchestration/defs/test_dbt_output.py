"""dbt's own output: the per-node lines dagster-dbt echoes go to DEBUG, INFO gets one summary
line, warned tests are named at WARNING and failed nodes at ERROR."""

import contextlib
from types import SimpleNamespace

from orchestration.defs.dbt import _DebugLines, _log_summary


class _Log:
    def __init__(self):
        self.lines = []

    def __getattr__(self, level):
        return lambda message, *args: self.lines.append((level, message % args))


def test_echoed_dbt_lines_become_debug_lines():
    log = _Log()
    with contextlib.redirect_stdout(_DebugLines(log)):
        print("1 of 2 START sql table model main.fct_reports ... [RUN]")
        print("1 of 2 OK created sql table model", end="")
        print(" main.fct_reports ... [OK in 0.5s]")
        print()
    assert log.lines == [
        ("debug", "1 of 2 START sql table model main.fct_reports ... [RUN]"),
        ("debug", "1 of 2 OK created sql table model main.fct_reports ... [OK in 0.5s]"),
    ]


def test_one_summary_line_with_warnings_and_failures_named():
    results = {
        "elapsed_time": 19.64,
        "results": [
            {"unique_id": "model.p.fct_reports", "status": "success"},
            {"unique_id": "model.p.dim_date", "status": "error"},
            {"unique_id": "seed.p.nhs_trusts", "status": "success"},
            {"unique_id": "test.p.unique_fct_reports_url", "status": "pass"},
            {"unique_id": "test.p.recent_reports", "status": "warn"},
            {"unique_id": "test.p.not_null_dim_date", "status": "skipped"},
        ],
    }
    log = _Log()
    _log_summary(SimpleNamespace(log=log), results)
    assert log.lines == [
        (
            "info",
            "dbt build: 2 models, 1 seeds, 3 tests (1 passed, 1 warned, 0 failed),"
            " 1 skipped, in 19.6 s",
        ),
        ("warning", "dbt tests with warnings: test.p.recent_reports"),
        ("error", "dbt nodes failed: model.p.dim_date"),
    ]


def test_no_run_results_no_summary():
    log = _Log()
    _log_summary(SimpleNamespace(log=log), {})
    assert log.lines == []


def test_built_models_get_their_table_metadata():
    from dagster import AssetCheckResult, Output

    from orchestration.defs.dbt import _with_table_metadata

    events = [
        Output(None, output_name="staging__stg_pages", metadata={"unique_id": "model.p.stg"}),
        AssetCheckResult(asset_key="fct_reports", check_name="unique_url", passed=True),
        Output(None, output_name="fct_reports"),
    ]
    tables = {"staging/stg_pages": {"dagster/row_count": 7}}
    out = list(_with_table_metadata(events, tables))
    assert out[0].metadata["dagster/row_count"].value == 7
    assert out[0].metadata["unique_id"].value == "model.p.stg"
    assert out[1] is events[1] and out[2] is events[2]
