"""The limits a returns file must keep, in one place, and the checks that enforce them before a
file is opened (name, type, size and, for an .xlsx, the unzipped size of every zip member).

The values are documented in ``templates/README.md`` ("Limits"); a change here changes that
table. Reading (``read``) applies the row, cell and time limits while it streams the file;
validation (``validate``) applies ``max_count`` to every count. A file over any limit is refused
with one line naming the file (and the row and column, where there is one); nothing is loaded.

Every limit is generous for a real return (the largest real file, ``data/official_counts.csv``,
is 16 rows and 4 KB) and small enough that a hostile or broken file is refused in seconds and
tens of megabytes of memory.
"""

from __future__ import annotations

import re
import stat
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What a returns file may hold. Tests lower them with ``dataclasses.replace(LIMITS, ...)``."""

    max_file_bytes: int = 10 * MIB  # the file as it is on disk (.csv or .xlsx)
    max_rows: int = 10_000  # spreadsheet rows read, header and blank rows included
    max_columns: int = 32  # cells in a row, up to the last one holding a value
    max_cell_chars: int = 4_000  # characters in one cell
    max_xlsx_unzipped_bytes: int = 50 * MIB  # all members of an .xlsx, declared and actual
    max_xlsx_members: int = 1_000  # files inside an .xlsx (zip) archive
    max_seconds: float = 60.0  # wall time to check and read one file
    max_count: int = 10_000  # a count of reports (received or issued) in one row
    max_problems: int = 100  # problems listed per file; the rest are summarised in one line

    @property
    def max_cells(self) -> int:
        return self.max_rows * self.max_columns

    @property
    def max_line_chars(self) -> int:
        """Characters in one line of a CSV file: every column at its largest, quoted."""
        return self.max_columns * (self.max_cell_chars + 3)


LIMITS = Limits()

# Characters refused in a cell or a file name: C0 and C1 control characters (NUL included) and
# the Unicode bidirectional overrides that make text display in another order than it is stored.
# In a cell, tab, newline and carriage return are allowed (a note may be several lines in Excel)
# and are read as one space, as every run of white space is.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A cell whose text starts with one of these is run as a formula by Excel, LibreOffice and
# Google Sheets when an export is opened (CSV injection), unless the text is a plain number.
FORMULA_LEADING = ("=", "+", "-", "@")
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]+)?")
SUFFIXES = (".csv", ".xlsx")


class Refused(Exception):
    """Reading stopped: a limit was passed or the file cannot be read. ``message`` is the one
    line to show; ``row``, ``column`` and (in a workbook read sheet by sheet) ``sheet`` say
    where, when known."""

    def __init__(
        self,
        message: str,
        row: int | None = None,
        column: str | None = None,
        sheet: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column
        self.sheet = sheet


class Deadline:
    """The time limit of one file, checked while it is read (``clock`` is replaced in tests)."""

    clock = staticmethod(time.monotonic)

    def __init__(self, limits: Limits):
        self.seconds = limits.max_seconds
        self.ends = self.clock() + limits.max_seconds

    def check(self, row: int | None = None) -> None:
        if self.clock() > self.ends:
            where = f" (stopped at row {row})" if row else ""
            raise Refused(
                f"reading took longer than the {self.seconds:g} s limit{where}; split the file",
                row,
            )


def display_name(name: str) -> str:
    """The file name as one printable line: control characters (and bytes that are not UTF-8)
    shown escaped."""
    return name if _printable(name) else ascii(name)[1:-1]


def _printable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not _NAME_CONTROL.search(name)


def control_character(text: str, allow_line_breaks: bool = True) -> str | None:
    """The first refused control character in ``text`` (escaped, e.g. ``\\x00``), or None."""
    pattern = _CONTROL if allow_line_breaks else _NAME_CONTROL
    found = pattern.search(text)
    return ascii(found.group(0))[1:-1] if found else None


def formula_leading(text: str) -> bool:
    """True when a spreadsheet would run ``text`` as a formula: it starts with = + - @ and is
    not a plain number (``-5`` and ``+1,200`` are numbers, ``-2+3`` and ``=1`` are formulas)."""
    return text.startswith(FORMULA_LEADING) and not _PLAIN_NUMBER.fullmatch(text)


def name_problem(name: str) -> str | None:
    """Why a returns file's name is refused, or None. The name is stored in the warehouse and
    printed in every message about the file, so it must be one line of printable text."""
    if not name:
        return "the file has no name"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not UTF-8 text; rename the file"
    character = control_character(name, allow_line_breaks=False)
    if character:
        return (
            f"the file name holds the control character {character} (NUL, newline or another"
            " control character); rename the file"
        )
    if name.startswith(FORMULA_LEADING):
        return "the file name starts with = + - or @, which a spreadsheet runs as a formula"
    if len(name.encode("utf-8", "surrogateescape")) > 255:
        return "the file name is longer than 255 bytes"
    return None


def file_problems(path: Path, limits: Limits, deadline: Deadline | None = None) -> list[str]:
    """Why the file is refused before it is opened as a table: its name, kind, size and, for an
    .xlsx, its zip members' declared and actual unzipped sizes. Empty when it may be read."""
    problem = name_problem(path.name)
    if problem:
        return [problem]
    if "\x00" in str(path):
        return ["the path holds a NUL byte"]
    if path.suffix.lower() not in SUFFIXES:
        return ["a returns file must be .csv or .xlsx"]
    try:
        status = path.stat()
    except OSError as error:
        return [f"cannot read the file: {error.strerror or error}"]
    if not stat.S_ISREG(status.st_mode):
        return ["not a regular file (a returns file must be an ordinary .csv or .xlsx file)"]
    if status.st_size > limits.max_file_bytes:
        return [
            f"the file is {status.st_size:,} bytes; the limit is {limits.max_file_bytes:,} bytes"
            " (split it into several files)"
        ]
    if path.suffix.lower() == ".xlsx":
        return xlsx_zip_problems(path, limits, deadline or Deadline(limits))
    return []


class _TagCounter:
    """Counts one XML element (any namespace prefix) in a member read in pieces, and refuses
    past ``max_cells``: openpyxl keeps every shared string, and every cell of a row, in memory."""

    def __init__(self, tag: bytes, what: str):
        self._pattern = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?" + tag + rb"[\s/>]")
        self._what = what
        self._tail = b""
        self.count = 0

    def feed(self, piece: bytes, limits: Limits) -> None:
        text = self._tail + piece
        # An element the piece's end may cut (a "<" near the end) is counted with the next
        # piece, never twice; a match holds no "<" after its first, so it ends before it.
        last = text.rfind(b"<")
        keep = last if last >= 0 and len(text) - last < 64 else len(text)
        self.count += len(self._pattern.findall(text, 0, keep))
        self._tail = text[keep:]
        if self.count > limits.max_cells:
            raise Refused(
                f"the .xlsx holds more than {limits.max_cells:,} {self._what} (the limit: "
                f"{limits.max_rows:,} rows of {limits.max_columns} columns)"
            )


def _tag_counter(member: str) -> _TagCounter | None:
    if re.fullmatch(r"xl/worksheets/[^/]+\.xml", member):
        return _TagCounter(b"c", "cells")
    if member == "xl/sharedStrings.xml":
        return _TagCounter(b"si", "shared strings")
    return None


def xlsx_zip_problems(path: Path, limits: Limits, deadline: Deadline) -> list[str]:
    """Refuse an .xlsx whose members unzip to more than the limit, by their declared sizes and
    then by the bytes they actually unzip to (read in 64 KB pieces, stopping at the limit), so a
    zip bomb is refused after at most ``max_xlsx_unzipped_bytes`` of work, before openpyxl."""
    limit = limits.max_xlsx_unzipped_bytes
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > limits.max_xlsx_members:
                return [
                    f"the .xlsx holds {len(members):,} files; the limit is"
                    f" {limits.max_xlsx_members:,}"
                ]
            declared = sum(member.file_size for member in members)
            if declared > limit:
                return [
                    f"the .xlsx unzips to {declared:,} bytes (declared); the limit is {limit:,}"
                    " bytes (a zip bomb, or a workbook too large to be a return)"
                ]
            if any(member.flag_bits & 0x1 for member in members):
                return ["the .xlsx is encrypted (password-protected); save it without a password"]
            actual = 0
            for member in members:
                counter = _tag_counter(member.filename)
                with archive.open(member) as stream:
                    while piece := stream.read(1 << 16):
                        actual += len(piece)
                        if actual > limit:
                            return [
                                f"the .xlsx unzips to more than {limit:,} bytes (its members"
                                " declare less: a zip bomb); refused"
                            ]
                        if counter:
                            counter.feed(piece, limits)
                        deadline.check()
    except Refused as error:
        return [error.message]
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        return [f"not a readable .xlsx workbook (a broken zip archive: {error})"]
    return []
