"""Where the product keeps its files. Read from the environment only when called, never at import.

Paths are returned absolute (a relative setting is taken from the working directory at the time
of the call), because some consumers, such as dbt, run in another folder.

- ``PFDW_DATA_DIR``: root for crawl run folders, audit output and inboxes (default ``data``).
- ``PFDW_WAREHOUSE_PATH``: the DuckDB warehouse file (default ``<data dir>/warehouse/pfd.duckdb``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DATA_DIR_ENV = "PFDW_DATA_DIR"
WAREHOUSE_ENV = "PFDW_WAREHOUSE_PATH"
DEFAULT_DATA_DIR = Path("data")


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR).absolute()


def warehouse_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    explicit = env.get(WAREHOUSE_ENV)
    if explicit:
        return Path(explicit).absolute()
    return data_dir(env) / "warehouse" / "pfd.duckdb"


def runs_root(environ: Mapping[str, str] | None = None) -> Path:
    return data_dir(environ) / "runs"


def locations(
    warehouse: Path | str | None = None,
    data: Path | str | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[Path, Path]:
    """(warehouse file, data dir), absolute, from explicit values (``--warehouse``, ``--data-dir``),
    else the environment, else the defaults. A data dir given without a warehouse puts the
    warehouse inside it, unless ``PFDW_WAREHOUSE_PATH`` names one."""
    env = os.environ if environ is None else environ
    folder = Path(data).absolute() if data else data_dir(env)
    if warehouse:
        return Path(warehouse).absolute(), folder
    if data and not env.get(WAREHOUSE_ENV):
        return folder / "warehouse" / "pfd.duckdb", folder
    return warehouse_path(env), folder
