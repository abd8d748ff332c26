"""The report opens in headless Chromium with its charts and map drawn (screenshot kept)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-output"


def chromium() -> str:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not found:
        pytest.skip("chromium not installed (apt-get install -y chromium, or `make browser`)")
    return found


def run_chromium(browser: str, tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_report_renders_charts_and_map_in_headless_chromium(pfdw, tmp_path):
    from PIL import Image

    browser = chromium()
    report = tmp_path / "report.html"
    assert pfdw("report", "--org-type", "nhs_acute_trust", "--out", str(report))[0] == 0

    dom = run_chromium(browser, tmp_path, "--dump-dom", report.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    for marker in ('id="chart-trend"', 'id="chart-responses"', 'class="area-map"'):
        assert marker in dom.stdout

    SCREENSHOTS.mkdir(exist_ok=True)
    screenshot = SCREENSHOTS / "analyst-report.png"
    screenshot.unlink(missing_ok=True)
    shot = run_chromium(
        browser, tmp_path, f"--screenshot={screenshot}", "--window-size=1280,3000", report.as_uri()
    )
    assert screenshot.exists(), shot.stderr[-2000:]
    image = Image.open(screenshot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    # Bars (#4a6f8a, #2171b5) and overdue bars (#d94801) are drawn only when the SVG rendered.
    drawn = {colour for _, colour in colours}
    assert (0x4A, 0x6F, 0x8A) in drawn
    assert (0xD9, 0x48, 0x01) in drawn or (0x21, 0x71, 0xB5) in drawn
