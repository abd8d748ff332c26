"""The terminal log of a run: one short line per message, errors in one line below DEBUG,
dagster-dbt's chatter only at DEBUG."""

import re

import pytest
from dagster import job, op

from orchestration.defs.console import console_logger


@op
def crawl__example(context):
    context.log.info("example: 10 pages, 5.0 pages/s, 0 errors, ~2 s left (est.)")
    context.log.info("Running dbt command: `dbt build --vars {...}`.")
    context.log.warning("1 returns file rejected")
    raise RuntimeError("listing page 1 parsed to no report cards: layout changed?")


@job(logger_defs={"console": console_logger})
def example_job():
    crawl__example()


def run(level: str) -> list[str]:
    result = example_job.execute_in_process(
        run_config={"loggers": {"console": {"config": {"log_level": level}}}},
        raise_on_error=False,
    )
    assert not result.success
    return result


def test_info_lines_are_short_and_say_the_step(capsys):
    run("INFO")
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d crawl__example: example: 10 pages, 5.0 pages/s, 0 errors, ~2 s left"
        r" \(est\.\)",
        lines[0],
    )
    assert any(line.endswith("crawl__example: WARNING: 1 returns file rejected") for line in lines)
    # the failure is one line ending in the innermost error, with no stack trace ...
    failure = [line for line in lines if "ERROR:" in line and "crawl__example" in line]
    assert failure and failure[0].endswith("layout changed?")
    assert not any(line.startswith(("Traceback", "  File ")) for line in lines)
    # ... and dagster-dbt's command lines are left to the UI's run log
    assert not any("Running dbt command" in line for line in lines)
    assert len(max(lines, key=len)) < 200


def test_debug_shows_every_event_and_the_stack_trace(capsys):
    run("DEBUG")
    out = capsys.readouterr().out
    assert "Running dbt command" in out
    assert "STEP_START" in out or "Started execution of step" in out
    assert "Traceback" in out or 'File "' in out


def test_a_wrong_level_is_named():
    with pytest.raises(Exception, match="console log level 'LOUD'"):
        example_job.execute_in_process(
            run_config={"loggers": {"console": {"config": {"log_level": "LOUD"}}}}
        )
