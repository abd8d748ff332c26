"""The terminal log of a run: one short line per message, readable by a person.

Dagster's default console logger prefixes every line with the job, the run id, the pid and the
event type (about 130 characters before the message) and prints whole stack traces. This logger
replaces it (it is the ``console`` logger of every job, ``orchestration.definitions``): each line
is ``HH:MM:SS step: message``, warnings and errors say so, and a failed step shows its innermost
error in one line (the stack trace stays in the Dagster UI and at DEBUG). The level is run config
(``loggers.console.config.log_level``): INFO by default, DEBUG with ``pfdw run -v``.
"""

import logging
import sys
import time

from dagster import Field, logger

LOGGER_NAME = "pfdw.run"
# dagster-dbt's own INFO lines around each dbt command (the command line, partial parsing, the
# default selection): the step's one-line dbt summary says what a person needs, so below DEBUG
# these are left to the UI's run log.
DBT_CHATTER = (
    "Running dbt command: ",
    "Finished dbt command: ",
    "Copying `",
    "A dbt subsetted execution is not being performed.",
)


class DbtChatterFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, "dagster_meta", None) or {}
        message = meta.get("orig_message", "")
        return not (record.levelno == logging.INFO and message.startswith(DBT_CHATTER))


class RunLineFormatter(logging.Formatter):
    def __init__(self, *, full_errors: bool) -> None:
        super().__init__()
        self.full_errors = full_errors

    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", None) or {}
        source = meta.get("step_key") or meta.get("job_name") or "run"
        message = meta.get("orig_message", record.getMessage())
        error = _innermost_error(meta.get("dagster_event"))
        if error is not None:
            message = (
                f"{message} {error.message.strip()}"
                if not self.full_errors
                else (f"{message}\n{error.to_string()}")
            )
        level = "" if record.levelno == logging.INFO else f"{record.levelname}: "
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        return f"{stamp} {source}: {level}{message}"


def _innermost_error(event):
    data = getattr(event, "event_specific_data", None)
    error = getattr(data, "error", None)
    while error is not None and error.cause is not None:
        error = error.cause
    return error


@logger(
    {"log_level": Field(str, is_required=False, default_value="INFO")},
    description="One short line per message (HH:MM:SS step: message); the run's errors in one"
    " line each below DEBUG.",
)
def console_logger(init_context) -> logging.Logger:
    level = logging.getLevelName(init_context.logger_config["log_level"].upper())
    if not isinstance(level, int):
        raise ValueError(
            f"console log level {init_context.logger_config['log_level']!r}: expected DEBUG,"
            " INFO, WARNING or ERROR"
        )
    run_logger = logging.getLogger(LOGGER_NAME)
    run_logger.setLevel(level)
    run_logger.propagate = False
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(RunLineFormatter(full_errors=level <= logging.DEBUG))
    if level > logging.DEBUG:
        handler.addFilter(DbtChatterFilter())
    run_logger.handlers = [handler]
    return run_logger
