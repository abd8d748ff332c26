"""The chaos bench runner: one line per case, a tally, a crashing case counted as failed, case
folders removed afterwards, and an unknown area refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from orchestration.bench import chaos
from orchestration.bench.chaos import Case, CaseResult, folder_bytes


def test_tally_counts_held_failed_missing_and_bytes(monkeypatch):
    seen: list[Path] = []

    def held(folder: Path) -> CaseResult:
        seen.append(folder)
        (folder / "left.bin").write_bytes(b"x" * 10)
        return CaseResult(True, "refused with one line", bytes_left_behind=folder_bytes(folder))

    def lost(folder: Path) -> CaseResult:
        return CaseResult(False, "2 reports missing", silently_missing=2)

    def crashes(folder: Path) -> CaseResult:
        raise RuntimeError("boom")

    cases = [
        ("demo", Case("held", held)),
        ("demo", Case("lost", lost)),
        ("demo", Case("x", crashes)),
    ]
    monkeypatch.setattr(chaos, "_cases", lambda areas: cases)
    out = io.StringIO()
    tally = chaos.run_cases(["demo"], out=out)
    assert tally == {
        "tried": 3,
        "held": 1,
        "failed": 2,
        "silently_missing": 2,
        "bytes_left_behind": 10,
    }
    text = out.getvalue()
    assert "the case itself crashed: RuntimeError: boom" in text
    assert "3 cases tried, 1 held, 2 failed, 2 reports silently missing, 10 bytes" in text
    assert not seen[0].exists()  # case folders are removed


def test_an_unknown_area_is_refused(capsys):
    with pytest.raises(SystemExit):
        chaos.main(["--only", "nope"])
    assert "unknown area(s) nope" in capsys.readouterr().err
