"""Whether schedules and sensors run by default: one setting, ``PFDW_AUTOMATION_DEFAULT``.

``stopped`` (the default): a fresh ``make ui`` starts no crawl by itself; a person turns a schedule
or sensor on in the UI (Automation page), and the instance remembers that choice. ``running``: every
schedule and sensor starts on with the daemon (what a deployment that should collect every day
sets). Read when the definitions are built, never at import; a wrong value is an error naming the
variable and the accepted values.
"""

from __future__ import annotations

import os

from dagster import DefaultScheduleStatus, DefaultSensorStatus

AUTOMATION_ENV = "PFDW_AUTOMATION_DEFAULT"
ACCEPTED = ("stopped", "running")
DEFAULT = "stopped"


def default_status_name() -> str:
    """``RUNNING`` or ``STOPPED``, from ``PFDW_AUTOMATION_DEFAULT`` (default stopped)."""
    value = os.environ.get(AUTOMATION_ENV, "").strip().lower() or DEFAULT
    if value not in ACCEPTED:
        raise ValueError(
            f"{AUTOMATION_ENV}={os.environ.get(AUTOMATION_ENV)!r}: expected one of"
            f" {', '.join(ACCEPTED)}"
        )
    return value.upper()


def default_sensor_status() -> DefaultSensorStatus:
    return DefaultSensorStatus[default_status_name()]


def default_schedule_status() -> DefaultScheduleStatus:
    return DefaultScheduleStatus[default_status_name()]
