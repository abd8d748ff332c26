"""Chaos bench: the heavier fault cases of the reliability suite, run for a tally (`make chaos`,
`pfdw bench chaos [--only AREA[,AREA]] [--seeds N] [--keep]`).

Each area module (``orchestration.bench.chaos.<area>``) lists ``CASES``: functions that take a
fresh working folder and return a ``CaseResult`` saying whether the pipeline held (nothing
silently missing, nothing half-published, the published warehouse intact, a clear error naming
what was wrong, the next run succeeding). The runner prints one line per case and a tally: cases
tried, held, failed, reports silently missing, bytes left behind. Figures are printed, never
asserted; the assertions are in tests/reliability/.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

AREAS = ("analyst", "crawl", "writer", "returns")


@dataclass(frozen=True)
class CaseResult:
    held: bool
    detail: str  # one line: what happened, in the user's words
    silently_missing: int = 0  # reports neither loaded nor recorded as an error
    bytes_left_behind: int = 0  # working copies, partial files and the like after the case


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[Path], CaseResult]


def folder_bytes(folder: Path, pattern: str = "**/*") -> int:
    """Bytes in the files under ``folder`` matching ``pattern`` (0 when it does not exist)."""
    if not folder.exists():
        return 0
    return sum(path.stat().st_size for path in folder.glob(pattern) if path.is_file())


def _cases(areas: Sequence[str]) -> list[tuple[str, Case]]:
    found = []
    for area in areas:
        module = importlib.import_module(f"orchestration.bench.chaos.{area}")
        found.extend((area, case) for case in module.CASES)
    return found


def run_cases(areas: Sequence[str], keep: bool = False, out=None) -> dict[str, int]:
    out = out or sys.stdout
    tally = {"tried": 0, "held": 0, "failed": 0, "silently_missing": 0, "bytes_left_behind": 0}
    root = Path(tempfile.mkdtemp(prefix="pfdw-chaos-"))
    try:
        for index, (area, case) in enumerate(_cases(areas), start=1):
            folder = root / f"{index:02d}-{area}-{case.name}"
            folder.mkdir()
            started = time.monotonic()
            try:
                result = case.run(folder)
            except Exception as error:  # a case that crashes did not hold
                last = traceback.format_exception_only(type(error), error)[-1].strip()
                result = CaseResult(False, f"the case itself crashed: {last}")
            seconds = time.monotonic() - started
            tally["tried"] += 1
            tally["held" if result.held else "failed"] += 1
            tally["silently_missing"] += result.silently_missing
            tally["bytes_left_behind"] += result.bytes_left_behind
            verdict = "held  " if result.held else "FAILED"
            print(
                f"{verdict} {area:8} {case.name:45} {seconds:6.1f}s  {result.detail}",
                file=out,
                flush=True,
            )
    finally:
        if keep:
            print(f"case folders kept in {root}", file=out)
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(
        "\nchaos tally: {tried} cases tried, {held} held, {failed} failed, {silently_missing}"
        " reports silently missing, {bytes_left_behind} bytes left behind".format(**tally),
        file=out,
    )
    return tally


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pfdw bench chaos", description=__doc__.split("\n")[0])
    parser.add_argument("--only", help=f"comma-separated areas of {', '.join(AREAS)}")
    parser.add_argument("--keep", action="store_true", help="keep the case folders")
    args = parser.parse_args(argv)
    areas = AREAS
    if args.only:
        areas = tuple(a.strip() for a in args.only.split(",") if a.strip())
        unknown = sorted(set(areas) - set(AREAS))
        if unknown:
            parser.error(f"unknown area(s) {', '.join(unknown)}; known: {', '.join(AREAS)}")
    tally = run_cases(areas, keep=args.keep)
    return 0 if tally["failed"] == 0 else 1
