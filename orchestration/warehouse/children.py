"""Child processes (Scrapy, dbt) that die with the process that started them.

A run killed with ``kill -9`` cannot clean up, so the kernel has to: on Linux each child asks,
before it executes its program, to receive SIGKILL when its parent goes (``prctl`` with
``PR_SET_PDEATHSIG``). The setting survives ``exec``, so it holds for the program itself. The
signal is sent when the *thread* that started the child ends, so a child must be waited for by
the thread that started it (every runner here does). Elsewhere the hook does nothing.

dagster-dbt starts dbt itself and takes no hook, so ``dbt_executable`` points it at a tiny
launcher (:func:`dbt_launcher`) that sets the same signal and then ``exec``-s the real dbt.
"""

from __future__ import annotations

import ctypes
import os
import signal
import stat
import sys
from collections.abc import Callable
from pathlib import Path

PR_SET_PDEATHSIG = 1
LAUNCHER_NAME = "pfdw-dbt"


def _set_parent_death_signal() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent() -> Callable[[], None]:
    """A ``preexec_fn`` for ``subprocess``: the child gets SIGKILL when this process dies."""
    parent = os.getpid()

    def preexec() -> None:
        if _set_parent_death_signal() and os.getppid() != parent:
            os._exit(1)  # the parent died before the signal was armed

    return preexec


LAUNCHER = """#!{python}
# Written by orchestration.warehouse.children: run dbt so that it dies with its parent.
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl({option}, int(signal.SIGKILL), 0, 0, 0)
except (OSError, AttributeError):
    pass
os.execv({dbt!r}, [{dbt!r}, *sys.argv[1:]])
"""


def _usable_folder(folder: Path) -> bool:
    try:
        return os.access(folder, os.W_OK) and not os.statvfs(folder).f_flag & os.ST_NOEXEC
    except OSError:
        return False


def dbt_launcher(dbt: str, folder: Path | None = None) -> str:
    """A launcher beside this interpreter (or in ``folder``) that runs ``dbt`` dying with its
    parent; ``dbt`` itself when no such launcher can be written (not Linux, read-only venv)."""
    if not sys.platform.startswith("linux"):
        return dbt
    folder = folder or Path(sys.executable).parent
    if not _usable_folder(folder):
        return dbt
    launcher = folder / LAUNCHER_NAME
    text = LAUNCHER.format(python=sys.executable, option=PR_SET_PDEATHSIG, dbt=dbt)
    try:
        if not launcher.is_file() or launcher.read_text(encoding="utf-8") != text:
            partial = launcher.with_name(f"{LAUNCHER_NAME}.{os.getpid()}.partial")
            partial.write_text(text, encoding="utf-8")
            partial.chmod(partial.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            os.replace(partial, launcher)
    except OSError:
        return dbt
    return str(launcher)
