"""Running the dbt project from Python: one place that knows where it is, which dbt to call and
how to point it at a warehouse file. Imports nothing heavy (no Dagster), so the audit, the
benchmarks and the tests can use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from orchestration.warehouse.children import dbt_launcher, die_with_parent
from orchestration.warehouse.settings import WAREHOUSE_ENV

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


def dbt_executable(dies_with_parent: bool = True) -> str:
    """The dbt beside this interpreter (the venv), so no PATH setup is needed; by default
    through a launcher that makes it die with the process that starts it (dagster-dbt starts
    dbt itself; see ``orchestration.warehouse.children``)."""
    candidate = Path(sys.executable).with_name("dbt")
    dbt = str(candidate) if candidate.exists() else "dbt"
    return dbt_launcher(dbt) if dies_with_parent and candidate.exists() else dbt


def dbt_args(
    command: Sequence[str],
    *,
    work_dir: Path | None = None,
    dbt_vars: str | None = None,
    project_dir: Path = DBT_PROJECT_DIR,
) -> list[str]:
    """The dbt command line; with ``work_dir``, target/ and logs/ go there, not into the project."""
    args = [dbt_executable(dies_with_parent=False), *command, "--project-dir", str(project_dir)]
    args += ["--profiles-dir", str(project_dir)]
    if work_dir is not None:
        args += ["--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs")]
    if dbt_vars:
        args += ["--vars", dbt_vars]
    return args


WAREHOUSE_VAR = "pfdw_warehouse_path"  # read by dbt_project/profiles.yml


def dbt_vars(warehouse: Path | str, extra: Mapping[str, Any] | None = None) -> str:
    """The ``--vars`` of a dbt process working on ``warehouse`` (made absolute: dbt runs in
    another folder), with any other vars. The path goes to that one process only: nothing in
    this process's environment changes."""
    return json.dumps({**(extra or {}), WAREHOUSE_VAR: str(Path(warehouse).absolute())})


def warehouse_env(warehouse: Path | str) -> dict[str, str]:
    """A child environment naming ``warehouse`` too, for tools that read the profile without
    vars (sqlfluff's dbt templater, a person's own ``dbt`` command)."""
    return {**os.environ, WAREHOUSE_ENV: str(Path(warehouse).absolute())}


def run_dbt(
    command: Sequence[str],
    warehouse: Path | str,
    work_dir: Path | None = None,
    *,
    dbt_vars: str | None = None,
    project_dir: Path = DBT_PROJECT_DIR,
    timeout: float | None = None,
) -> subprocess.CompletedProcess:
    """Run one dbt command on ``warehouse`` and return its completed process (output captured).
    dbt dies with this process (a killed run leaves no dbt behind)."""
    return subprocess.run(  # noqa: PLW1509 - preexec_fn only arms the parent-death signal
        dbt_args(command, work_dir=work_dir, dbt_vars=dbt_vars, project_dir=project_dir),
        cwd=work_dir,
        env=warehouse_env(warehouse),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=die_with_parent(),
    )
