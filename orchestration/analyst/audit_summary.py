"""Find the latest audit summary under <data dir>/audit/ (written by the audit job)."""

from __future__ import annotations

from pathlib import Path

SUMMARY_SUFFIXES = (".md", ".txt", ".json", ".html")


class NoAuditYet(Exception):
    """No audit summary has been written yet."""


def latest_summary(audit_dir: Path) -> Path:
    """The most recently written file with 'summary' in its name (any folder depth)."""
    audit_dir = Path(audit_dir)
    if not audit_dir.is_dir():
        raise NoAuditYet(
            f"No audit yet: {audit_dir.resolve()} does not exist. Run the audit (the weekly "
            "Dagster audit job, or `make run` followed by the audit step) to write one."
        )
    candidates = [
        path
        for path in audit_dir.rglob("*")
        if path.is_file()
        and path.suffix.lower() in SUMMARY_SUFFIXES
        and "summary" in path.name.lower()
    ]
    if not candidates:
        raise NoAuditYet(
            f"No audit yet: no summary file (summary*.md/.txt/.json/.html) under "
            f"{audit_dir.resolve()}. Run the audit job to write one."
        )
    return max(candidates, key=lambda path: (path.stat().st_mtime, str(path)))
