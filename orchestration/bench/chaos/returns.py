"""Chaos cases for returns files: real oversized and hostile files, checked (read and validated)
in a child process whose wall time and peak memory are measured.

A case holds when the file is refused with ONE line naming it (or, for a large file within the
limits, accepted) within the time limit (``limits.LIMITS.max_seconds``) and ``MEMORY_BUDGET_MIB``
of peak memory. Peak memory is ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` taken by a
small launcher process whose only child is the check: taken in the bench itself it would be the
largest child the bench ever waited for (crawls, dbt), and a child started straight from the
bench starts with the bench's own peak (Linux carries it over fork and exec).

The files are made in the case folder, cheaply: the 50 MB CSV by repeating real rows, the .xlsx
that unzips to gigabytes by repeating one deflated megabyte of one letter (a few MB on disk, no
gigabytes ever written or compressed).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from orchestration.bench.chaos import Case, CaseResult
from orchestration.sources.returns.limits import LIMITS, MIB
from orchestration.sources.returns.read import ALL_COLUMNS
from orchestration.sources.returns.templates import bundled_data_folder

MEMORY_BUDGET_MIB = 256
REPOSITORY = Path(__file__).resolve().parents[3]

# The child: read and validate one file within the given limits (everything the raw load checks;
# names are resolved later by dbt), then print the problems or "accepted N rows".
CHECK = """
import dataclasses, json, sys
from datetime import date
from pathlib import Path
from orchestration.sources.returns import limits
from orchestration.sources.returns.read import read_returns_file
from orchestration.sources.returns.validate import validate_rows
chosen = dataclasses.replace(limits.LIMITS, **json.loads(sys.argv[2]))
path = Path(sys.argv[1])
rows, problems = read_returns_file(path, chosen)
if not problems:
    problems = validate_rows(path.name, rows, date.today(), chosen)
for problem in problems:
    print(problem)
if not problems:
    print(f"accepted {len(rows)} rows")
"""

# The launcher: run the check as its only child; write that child's peak memory (KiB) to argv[1].
LAUNCH = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


@dataclass(frozen=True)
class Checked:
    lines: list[str]
    seconds: float
    peak_mib: float
    timed_out: bool

    def summary(self) -> str:
        said = self.lines[0] if self.lines else "(nothing printed)"
        more = f" (+{len(self.lines) - 1} more lines)" if len(self.lines) > 1 else ""
        return f"{self.seconds:.1f} s, peak {self.peak_mib:.0f} MiB: {said[:150]}{more}"


def check_in_child(path: Path, limits: dict | None = None, timeout: float = 180) -> Checked:
    """Run the check in a child process; its wall time, peak memory and printed lines."""
    check = [sys.executable, "-c", CHECK, str(path), json.dumps(limits or {})]
    with tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak"
        output = Path(scratch) / "output"
        started = time.monotonic()
        with output.open("wb") as out:
            launcher = subprocess.Popen(
                [sys.executable, "-c", LAUNCH, str(peak_file), *check],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=REPOSITORY,
                start_new_session=True,
            )
            try:
                launcher.wait(timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                timed_out = True
                os.killpg(launcher.pid, signal.SIGKILL)  # the launcher's own session only
                launcher.wait()
        seconds = time.monotonic() - started
        lines = output.read_text(encoding="utf-8", errors="replace").splitlines()
        peak_kib = int(peak_file.read_text()) if peak_file.exists() else 0
    return Checked(lines, seconds, peak_kib / 1024, timed_out)


def judge(checked: Checked, file_name: str, words: str) -> CaseResult:
    """Held: one line naming the file and saying ``words``, within the time and memory limits."""
    one_clear_line = (
        len(checked.lines) == 1
        and checked.lines[0].startswith(file_name)
        and words in checked.lines[0]
        and "Traceback" not in checked.lines[0]
    )
    held = (
        one_clear_line
        and not checked.timed_out
        and checked.seconds <= LIMITS.max_seconds
        and checked.peak_mib <= MEMORY_BUDGET_MIB
    )
    return CaseResult(held, checked.summary())


def official_rows() -> list[dict]:
    with (bundled_data_folder() / "official_counts.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, target_bytes: int) -> Path:
    """Real rows repeated (each with its own reference) until the file is ``target_bytes``."""
    rows = official_rows()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ALL_COLUMNS)
        number = 0
        while handle.tell() < target_bytes:
            row = dict(rows[number % len(rows)])
            row["source_reference"] = f"{row['source_reference']} copy {number}"
            writer.writerow([row.get(c, "") for c in ALL_COLUMNS])
            number += 1
    return path


def template_members(folder: Path, rows: list[dict]) -> dict[str, bytes]:
    """The members of a real .xlsx in the template's layout holding ``rows``."""
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "returns"
    sheet.append(list(ALL_COLUMNS))
    for row in rows:
        sheet.append([row.get(c) or None for c in ALL_COLUMNS])
    staged = folder / "staged.xlsx"
    workbook.save(staged)
    with zipfile.ZipFile(staged) as archive:
        members = {m.filename: archive.read(m) for m in archive.infolist()}
    staged.unlink()
    return members


def _deflated(data: bytes, final: bool) -> bytes:
    """Raw deflate of ``data`` as a self-contained piece (no reference to what comes before),
    so identical pieces can be repeated and joined into one valid stream."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(
        zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH
    )


def write_zip(path: Path, members: list[tuple[str, list[tuple[bytes, int]], int, int]]) -> None:
    """A zip archive of (name, [(deflated piece, times)], crc32, declared unzipped size)."""
    central = b""
    with path.open("wb") as out:
        for name, pieces, crc, declared in members:
            offset = out.tell()
            size = sum(len(piece) * times for piece, times in pieces)
            encoded = name.encode()
            out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, size,
                                  declared, len(encoded), 0) + encoded)  # fmt: skip
            for piece, times in pieces:
                for _ in range(times):
                    out.write(piece)
            central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21,
                                   crc, size, declared, len(encoded), 0, 0, 0, 0, 0,
                                   offset) + encoded  # fmt: skip
        start = out.tell()
        out.write(central)
        out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members),
                              len(central), start, 0))  # fmt: skip


def write_xlsx_bomb(path: Path, unzipped_mib: int, declared: int | None = None) -> int:
    """A real template .xlsx whose cell K2 (note) holds ``unzipped_mib`` MiB of one letter;
    ``declared`` makes every member claim that many bytes unzipped (a bomb that lies). Returns
    the bytes the sheet really unzips to."""
    members = template_members(path.parent, official_rows())
    sheet_name = "xl/worksheets/sheet1.xml"
    sheet = members.pop(sheet_name)
    cell = sheet.index(b"<t>", sheet.index(b'<c r="K2"')) + len(b"<t>")
    prefix, suffix, unit = sheet[:cell], sheet[cell:], b"A" * MIB
    repeats = unzipped_mib
    crc = zlib.crc32(prefix)
    for _ in range(repeats):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(suffix, crc)
    real_size = len(prefix) + repeats * len(unit) + len(suffix)
    pieces = [(_deflated(prefix, False), 1), (_deflated(unit, False), repeats)]
    pieces.append((_deflated(suffix, True), 1))
    entries = [(sheet_name, pieces, crc, declared or real_size)]
    for name, data in members.items():
        entries.append(
            (name, [(_deflated(data, True), 1)], zlib.crc32(data), declared or len(data))
        )
    write_zip(path, entries)
    return real_size


def csv_50_mb(folder: Path) -> CaseResult:
    path = write_csv(folder / "answer.csv", 50 * MIB)
    return judge(check_in_child(path), "answer.csv", "the limit is 10,485,760 bytes")


def csv_50_mb_streamed(folder: Path) -> CaseResult:
    """The same 50 MB file with the size limit raised past it: the reader must stream it and
    stop at the row limit, in bounded memory."""
    path = write_csv(folder / "answer.csv", 50 * MIB)
    checked = check_in_child(path, {"max_file_bytes": 64 * MIB})
    return judge(checked, "answer.csv, row 10001", "more than 10,000 rows")


def csv_50_mb_one_line(folder: Path) -> CaseResult:
    """50 MB in one line (a quoted cell with no end), size limit raised: refused after one
    line's limit of characters, never holding the whole line."""
    path = folder / "answer.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(ALL_COLUMNS) + '\n"')
        for _ in range(50):
            handle.write("x" * MIB)
    checked = check_in_child(path, {"max_file_bytes": 64 * MIB})
    return judge(checked, "answer.csv", "line 2 of the file is longer than")


def xlsx_3_gib_bomb(folder: Path) -> CaseResult:
    path = folder / "answer.xlsx"
    real = write_xlsx_bomb(path, 3 * 1024)
    result = judge(check_in_child(path), "answer.xlsx", "unzips to")
    size = f"{path.stat().st_size / MIB:.1f} MiB file, {real / (1 << 30):.1f} GiB unzipped"
    return CaseResult(result.held, f"{size}; {result.detail}")


def xlsx_3_gib_bomb_lying(folder: Path) -> CaseResult:
    path = folder / "answer.xlsx"
    real = write_xlsx_bomb(path, 3 * 1024, declared=1000)
    result = judge(check_in_child(path), "answer.xlsx", "not a readable .xlsx workbook")
    size = f"{path.stat().st_size / MIB:.1f} MiB file, {real / (1 << 30):.1f} GiB unzipped"
    return CaseResult(result.held, f"{size}, declared 1,000 bytes; {result.detail}")


def xlsx_huge_cell_within_the_zip_limit(folder: Path) -> CaseResult:
    """One cell of 48 MiB, under the unzipped limit (so openpyxl opens it): refused at the
    cell-size limit, in bounded memory (before: 3.2 GB for a huge cell)."""
    path = folder / "answer.xlsx"
    write_xlsx_bomb(path, 48)
    return judge(check_in_child(path), "answer.xlsx, row 2, column note", "the limit is 4,000")


def xlsx_two_million_shared_strings(folder: Path) -> CaseResult:
    """47 MiB of distinct shared strings (under the unzipped limit; the sheet uses none of
    them): openpyxl would keep all 2.15 million in memory. Before the cell limit was counted in
    the zip check this took 390 MiB and 53 s and was accepted."""
    members = template_members(folder, official_rows())
    count = 2_150_000
    strings = b"".join(b"<si><t>%07d</t></si>" % i for i in range(count))
    members["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas'
        b'.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>'
        % (count, count, strings)
    )
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxml'
        b'formats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument'
        b'/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    path = folder / "answer.xlsx"
    write_zip(
        path,
        [(n, [(_deflated(d, True), 1)], zlib.crc32(d), len(d)) for n, d in members.items()],
    )
    return judge(check_in_child(path), "answer.xlsx", "more than 320,000 shared strings")


def write_xlsx_at_the_row_limit(folder: Path) -> Path:
    """The largest .xlsx the row limit accepts: 9,999 real rows under the header."""
    rows = []
    for number in range(LIMITS.max_rows - 1):
        row = dict(official_rows()[number % 16])
        row["source_reference"] = f"{row['source_reference']} copy {number}"
        rows.append(row)
    members = template_members(folder, rows)
    path = folder / "answer.xlsx"
    write_zip(
        path,
        [(n, [(_deflated(d, True), 1)], zlib.crc32(d), len(d)) for n, d in members.items()],
    )
    return path


def xlsx_at_the_row_limit(folder: Path) -> CaseResult:
    """The largest file the limits accept: read in time and memory."""
    path = write_xlsx_at_the_row_limit(folder)
    checked = check_in_child(path)
    held = (
        checked.lines == [f"accepted {LIMITS.max_rows - 1} rows"]
        and checked.seconds <= LIMITS.max_seconds
        and checked.peak_mib <= MEMORY_BUDGET_MIB
    )
    return CaseResult(held, f"{path.stat().st_size / MIB:.1f} MiB; {checked.summary()}")


def xlsx_slow_read_hits_the_time_limit(folder: Path) -> CaseResult:
    """The same file read under a 2 s time limit: stopped at a row, soon after 2 s."""
    path = write_xlsx_at_the_row_limit(folder)
    checked = check_in_child(path, {"max_seconds": 2})
    result = judge(checked, "answer.xlsx, row ", "longer than the 2 s limit (stopped at row")
    return CaseResult(result.held and checked.seconds < 2 + 10, result.detail)


CASES = [
    Case("csv-50mb-refused-by-size", csv_50_mb),
    Case("csv-50mb-streamed-to-row-limit", csv_50_mb_streamed),
    Case("csv-50mb-one-line", csv_50_mb_one_line),
    Case("xlsx-3gib-zip-bomb", xlsx_3_gib_bomb),
    Case("xlsx-3gib-zip-bomb-lying-sizes", xlsx_3_gib_bomb_lying),
    Case("xlsx-48mib-cell-under-zip-limit", xlsx_huge_cell_within_the_zip_limit),
    Case("xlsx-2m-shared-strings", xlsx_two_million_shared_strings),
    Case("xlsx-10000-rows-accepted", xlsx_at_the_row_limit),
    Case("xlsx-slow-read-hits-2s-time-limit", xlsx_slow_read_hits_the_time_limit),
]
