"""Headless Chromium for the tests that look at a page as a person would (Dagster UI, Data Docs,
the analyst report). Debian's `chromium` package; `make test` installs it when missing."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
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


def render_until(
    url: str,
    screenshot: Path,
    expected: tuple[str, ...],
    *,
    timeout_s: float = 120,
    window: tuple[int, int] = (1600, 1000),
) -> str:
    """The page's HTML once it shows every ``expected`` text (or when ``timeout_s`` of real time
    ran out), and a screenshot of it at that moment.

    For single-page apps that keep polling (Dagster's UI): Chromium's ``--virtual-time-budget``
    only advances while no request is pending, so such a page can hold a headless run for
    minutes. Here Chromium is driven over the DevTools protocol instead: navigate, then read the
    DOM every half second until what the test looks for is there."""
    from websockets.sync.client import connect

    browser = chromium_or_skip()
    with tempfile.TemporaryDirectory(prefix="pfdw-chromium-") as profile:
        process = subprocess.Popen(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "--hide-scrollbars",
                f"--window-size={window[0]},{window[1]}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            port = _devtools_port(Path(profile), process)
            with connect(_page_socket(port), max_size=None, open_timeout=30) as page:
                devtools = _DevTools(page)
                devtools.call("Page.enable")
                devtools.call("Page.navigate", url=url)
                deadline = time.monotonic() + timeout_s
                while True:
                    html = devtools.evaluate("document.documentElement.outerHTML") or ""
                    if all(text in html for text in expected) or time.monotonic() > deadline:
                        break
                    time.sleep(0.5)
                time.sleep(0.5)  # let the last paint land in the screenshot
                png = devtools.call("Page.captureScreenshot", format="png")["data"]
                screenshot.write_bytes(base64.b64decode(png))
                return html
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _devtools_port(profile: Path, process: subprocess.Popen, timeout_s: float = 30) -> int:
    """Chromium writes the port it chose into the profile's DevToolsActivePort file."""
    deadline = time.monotonic() + timeout_s
    active = profile / "DevToolsActivePort"
    while time.monotonic() < deadline:
        assert process.poll() is None, f"chromium exited with {process.returncode}"
        if active.exists() and active.read_text().strip():
            return int(active.read_text().splitlines()[0])
        time.sleep(0.1)
    raise AssertionError("chromium did not open its DevTools port")


def _page_socket(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
        targets = json.loads(response.read())
    return next(t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page")


class _DevTools:
    """Commands over one page's DevTools socket; events arriving between answers are skipped."""

    def __init__(self, socket) -> None:
        self.socket = socket
        self.next_id = 0

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=60))
            if message.get("id") == self.next_id:
                assert "error" not in message, message["error"]
                return message.get("result", {})

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")
