"""The report opens in headless Chromium with its charts and map drawn (screenshot kept)."""

from __future__ import annotations

import pytest

from tests.browser import run_chromium, screenshot_path

pytestmark = pytest.mark.slow


def test_report_renders_charts_and_map_in_headless_chromium(pfdw, tmp_path):
    from PIL import Image

    report = tmp_path / "report.html"
    assert pfdw("report", "--org-type", "nhs_acute_trust", "--out", str(report))[0] == 0

    dom = run_chromium(report.as_uri(), "--dump-dom")
    for marker in ('id="chart-trend"', 'id="chart-responses"', 'class="area-map"'):
        assert marker in dom

    screenshot = screenshot_path("analyst-report.png")
    run_chromium(report.as_uri(), f"--screenshot={screenshot}", "--window-size=1280,3000")
    assert screenshot.exists()
    image = Image.open(screenshot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    # Bars (#4a6f8a, #2171b5) and overdue bars (#d94801) are drawn only when the SVG rendered.
    drawn = {colour for _, colour in colours}
    assert (0x4A, 0x6F, 0x8A) in drawn
    assert (0xD9, 0x48, 0x01) in drawn or (0x21, 0x71, 0xB5) in drawn
