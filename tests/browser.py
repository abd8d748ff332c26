"""Headless Chromium for the tests that look at a page as a person would (Dagster UI, Data Docs,
the analyst report). Debian's `chromium` package; `make test` installs it when missing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output"
# Without the background-networking flags Chromium keeps trying hosts this closed network refuses.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_or_skip() -> str:
    found = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    if not found:
        pytest.skip("chromium is not installed (apt-get install -y chromium, or `make browser`)")
    return found


def run_chromium(url: str, *arguments: str, timeout_s: float = 120) -> str:
    """Run headless Chromium on ``url`` with a fresh profile; its stdout (e.g. ``--dump-dom``).
    On timeout the whole Chromium process group is killed (renderers included) and
    ``subprocess.TimeoutExpired`` raised."""
    browser = chromium_or_skip()
    with tempfile.TemporaryDirectory(prefix="pfdw-chromium-") as profile:
        process = subprocess.Popen(
            [browser, *FLAGS, f"--user-data-dir={profile}", *arguments, url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    assert process.returncode == 0, stderr[-2000:]
    return stdout


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / name
    path.unlink(missing_ok=True)
    return path
