"""The audit report: run every Great Expectations suite on a warehouse file, add the results to
the one Data Docs site and write a dated summary under ``<data dir>/audit/``, and keep the history
so each area can be followed over time. (The Dagster asset ``audit/report`` calls it on a run's
working copy; ``pfdw audit run`` on the published warehouse; ``pfdw audit`` prints the latest
summary.)

Layout written by one run (``<stamp>`` is UTC, e.g. ``2026-11-22T001554Z``)::

    <data dir>/audit/<stamp>/summary.json      every suite's result, failing bodies and areas
    <data dir>/audit/<stamp>/summary.md        the same for a person
    <data dir>/audit/data_docs/index.html      GX Data Docs, one site for every run kept (the
                                               newest ``data_docs_runs_kept``, default 52),
                                               styled offline
    <data dir>/audit/gx_validations/           the GX validation results the site is built from
    <data dir>/audit/history/completeness.csv  one row per area per run (appended)
    <data dir>/audit/history/reconciliation.csv one row per return row per run (appended)
    <data dir>/audit/history/runs.csv          one row per suite per run (appended)
    <data dir>/audit/LATEST                    the folder name of the newest run

Each run is named in Data Docs ``<label>-as_of-<date>``: the label is the Dagster job and run
id when the audit asset runs it, ``pfdw-audit`` from the command line.

A suite that fails with severity error (broken data) makes ``AuditRun.has_errors`` true;
findings about the world (warnings) do not.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.warehouse import connection

AUDIT_SUBDIR = "audit"
HISTORY_SUBDIR = "history"
LATEST_FILE = "LATEST"
DOCS_SUBDIR = "data_docs"
RESULTS_SUBDIR = "gx_validations"
DEFAULT_RUN_LABEL = "pfdw-audit"
OUTCOME_COUNTS_SQL = """
    SELECT coalesce(organisation_type, 'unresolved') AS organisation_type, outcome_category,
           coalesce(exemption, '') AS exemption, count(*) AS return_rows
    FROM main.audit_returns_reconciliation
    GROUP BY ALL ORDER BY organisation_type, outcome_category, exemption"""
RECONCILIATION_SQL = """
    SELECT file_name, row_number, return_kind, name_as_written, resolved_key, resolved_name,
           organisation_type, period_start, period_end, outcome_category, exemption,
           reported_count, published_count, difference, direction, published_refs_text,
           published_count_basis, source_reference, source_url
    FROM main.audit_returns_reconciliation
    ORDER BY resolved_name, period_start, row_number"""


@dataclass
class AuditRun:
    folder: Path
    summary: dict
    outcomes: list = field(default_factory=list)
    docs_index: Path | None = None
    docs_run_name: str | None = None
    docs_pages: dict[str, Path] = field(default_factory=dict)  # suite -> this run's page

    @property
    def has_errors(self) -> bool:
        return any(o.severity == "error" for o in self.outcomes)


def audit_root(data_dir: Path | str) -> Path:
    return Path(data_dir) / AUDIT_SUBDIR


def data_docs_index(data_dir: Path | str) -> Path:
    """The one Data Docs site's index page (it exists once an audit has run)."""
    return audit_root(data_dir) / DOCS_SUBDIR / "index.html"


def _table_exists(con, qualified: str) -> bool:
    return connection.table_exists(con, *qualified.split(".", 1))


def _rows(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def outcome_counts(con) -> list[dict]:
    """Return outcomes (provided, partial, refused by exemption, not held) per organisation type."""
    if not _table_exists(con, "main.audit_returns_reconciliation"):
        return []
    return [{k: _jsonable(v) for k, v in r.items()} for r in _rows(con, OUTCOME_COUNTS_SQL)]


def run_audit(
    warehouse: Path | str,
    data_dir: Path | str,
    config=None,
    suites: Sequence[str] | None = None,
    now: datetime | None = None,
    run_label: str | None = None,
) -> AuditRun:
    """Run the registered suites (all by default) on the warehouse and write the audit folder.
    ``run_label`` names the run in Data Docs (default ``pfdw-audit``; the as-of date is added)."""
    from expectations.config import AuditConfig
    from expectations.data_docs import run_name
    from expectations.registry import SUITES
    from expectations.runner import AuditRunner

    config = config or AuditConfig()
    warehouse = Path(warehouse)
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: build it first")
    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H%M%SZ")
    root = audit_root(data_dir)
    folder = root / stamp
    folder.mkdir(parents=True, exist_ok=True)
    outcomes, skipped = [], []
    with connection.connect(warehouse, read_only=True) as con:
        as_of = None
        if _table_exists(con, "main.fct_reports"):
            as_of = con.execute("SELECT max(as_of_date) FROM main.fct_reports").fetchall()[0][0]
        runner = AuditRunner(
            root / DOCS_SUBDIR,
            results_dir=root / RESULTS_SUBDIR,
            run_name=run_name(run_label or DEFAULT_RUN_LABEL, as_of),
            run_time=now,
            runs_kept=config.data_docs_runs_kept,
        )
        for spec in SUITES:
            if suites and spec.name not in suites:
                continue
            if not _table_exists(con, spec.table):
                skipped.append({"suite": spec.name, "reason": f"{spec.table} does not exist"})
                continue
            try:
                frame, facts = spec.load_frame(con, config)
            except duckdb.CatalogException as exc:  # a table the frame needs is not built
                skipped.append({"suite": spec.name, "reason": str(exc).splitlines()[0]})
                continue
            outcomes.append(runner.validate(spec, frame, config, facts))
        counts = outcome_counts(con)
        reconciliation = (
            [{k: _jsonable(v) for k, v in r.items()} for r in _rows(con, RECONCILIATION_SQL)]
            if _table_exists(con, "main.audit_returns_reconciliation")
            else []
        )
    docs_index = runner.build_docs() if outcomes else None
    pages = runner.page_paths() if docs_index else {}
    summary = {
        "audited_at": now.isoformat(timespec="seconds"),
        "warehouse": str(warehouse.resolve()),
        "as_of_date": _jsonable(as_of),
        "thresholds": config.to_dict(),
        "suites": [o.to_dict() for o in outcomes],
        "skipped_suites": skipped,
        "return_outcomes_by_organisation_type": counts,
        "reconciliation": reconciliation,
        "data_docs": os.path.relpath(docs_index, folder) if docs_index else None,
        "data_docs_run": runner.run_id.run_name if docs_index else None,
        "data_docs_pages": {suite: os.path.relpath(page, folder) for suite, page in pages.items()},
    }
    (folder / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    (folder / "summary.md").write_text(summary_markdown(summary), encoding="utf-8")
    _append_history(root, stamp, outcomes, reconciliation)
    (root / LATEST_FILE).write_text(stamp + "\n", encoding="utf-8")
    return AuditRun(
        folder,
        summary,
        outcomes,
        docs_index,
        runner.run_id.run_name if docs_index else None,
        pages,
    )


def _append_csv(path: Path, columns: Sequence[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        if new:
            writer.writeheader()
        writer.writerows(rows)


def _append_history(root: Path, stamp: str, outcomes, reconciliation: list[dict]) -> None:
    history = root / HISTORY_SUBDIR
    _append_csv(
        history / "runs.csv",
        ["audit_run", "suite", "success", "severity", "rows", "failing_entities"],
        [
            {
                "audit_run": stamp,
                "suite": o.suite,
                "success": o.success,
                "severity": o.severity or "",
                "rows": o.row_count,
                "failing_entities": " | ".join(o.failing_entities),
            }
            for o in outcomes
        ],
    )
    completeness = next((o for o in outcomes if o.suite == "coroner_area_completeness"), None)
    if completeness is not None:
        failing = {}
        for expectation in completeness.failed_expectations:
            for area in expectation.failing_entities:
                failing.setdefault(area, []).append(expectation.column)
        area_rows = completeness.facts.get("area_rows", [])
        _append_csv(
            history / "completeness.csv",
            [
                "audit_run",
                "coroner_area",
                "reports_in_window",
                "p95_publication_lag_days",
                "share_missing_header_fields",
                "share_all_responses_published",
                "days_since_last_publication",
                "window_first_year",
                "failed_measures",
            ],
            [
                {
                    **row,
                    "audit_run": stamp,
                    "failed_measures": " | ".join(failing.get(row["coroner_area"], [])),
                }
                for row in area_rows
            ],
        )
    if reconciliation:
        _append_csv(
            history / "reconciliation.csv",
            [
                "audit_run",
                "file_name",
                "row_number",
                "resolved_name",
                "period_start",
                "period_end",
                "outcome_category",
                "reported_count",
                "published_count",
                "difference",
                "direction",
            ],
            [{**row, "audit_run": stamp} for row in reconciliation],
        )


def _md(value) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return text.replace("|", "\\|")


def summary_markdown(summary: dict) -> str:
    lines = [
        f"# Audit of {summary['audited_at']}",
        "",
        f"Warehouse `{summary['warehouse']}`, statuses as of {summary['as_of_date']}.",
        "Severity: **error** = broken data; **warning** = a finding about the world.",
        "",
        "| suite | result | rows | failing |",
        "| --- | --- | --- | --- |",
    ]
    for suite in summary["suites"]:
        result = "passed" if suite["success"] else suite["severity"]
        failing = ", ".join(suite["failing_entities"][:30])
        lines.append(f"| {suite['suite']} | {result} | {suite['row_count']} | {_md(failing)} |")
    for skipped in summary["skipped_suites"]:
        lines.append(f"| {skipped['suite']} | skipped: {_md(skipped['reason'])} | | |")
    if summary["reconciliation"]:
        lines += [
            "",
            "## FOI / official returns against published reports",
            "",
            "| body | period | outcome | reported | published | difference | direction | refs |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for row in summary["reconciliation"]:
            name = row["resolved_name"] or row["name_as_written"]
            outcome = row["outcome_category"] + (
                f" ({row['exemption']})" if row["exemption"] else ""
            )
            lines.append(
                f"| {_md(name)} | {row['period_start']} to {row['period_end']} | {_md(outcome)}"
                f" | {_md(row['reported_count'])} | {_md(row['published_count'])}"
                f" | {_md(row['difference'])} | {_md(row['direction'])}"
                f" | {_md(row['published_refs_text'])} |"
            )
    if summary["return_outcomes_by_organisation_type"]:
        lines += [
            "",
            "## Return outcomes per organisation type",
            "",
            "| organisation type | outcome | exemption | return rows |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| {_md(r['organisation_type'])} | {_md(r['outcome_category'])}"
            f" | {_md(r['exemption'])} | {r['return_rows']} |"
            for r in summary["return_outcomes_by_organisation_type"]
        ]
    lines += foi_campaign_lines(summary)
    for suite in summary["suites"]:
        failed = [e for e in suite["expectations"] if not e["success"]]
        if not failed:
            continue
        lines += ["", f"## {suite['suite']}: what failed", ""]
        for expectation in failed:
            where = f" on {expectation['column']}" if expectation["column"] else ""
            lines.append(
                f"- {expectation['severity']}: {expectation['expectation']}{where}"
                f" {json.dumps(expectation['thresholds'])}:"
                f" {_md(', '.join(expectation['failing_entities'][:40]))}"
            )
    docs = f"Data Docs: `{summary['data_docs']}`"
    if summary.get("data_docs_run"):
        docs += f", this run listed as `{summary['data_docs_run']}`"
    lines += ["", docs, ""]
    return "\n".join(lines)


def _foi_outcome(row: dict) -> str:
    if row.get("refused"):
        return "refused (citing the website)" if row.get("refused_citing_website") else "refused"
    if row.get("late"):
        return "late"
    if row.get("answer_matches_exactly"):
        return "answered, matching the published record exactly"
    return "answered" if row.get("answered") else "asked"


def foi_campaign_lines(summary: dict) -> list[str]:
    """The FOI campaign suite's section: the totals in one sentence and one row per body (a
    refusal's counts are blank, never zero); one sentence when no campaign is loaded."""
    suite = next((s for s in summary["suites"] if s["suite"] == "foi_campaign"), None)
    if suite is None:
        return []
    facts = suite["facts"]
    if not facts.get("campaign_loaded"):
        return ["", "## FOI campaign", "", "No FOI campaign loaded."]

    def count(name: str, singular: str, plural: str) -> str:
        value = facts.get(name) or 0
        return f"{value} {singular if value == 1 else plural}"

    reports = (
        f"{count('reports_missing_from_site', 'report', 'reports')} missing from judiciary.uk,"
        f" {count('reports_not_located', 'published report', 'published reports')} not located,"
        f" {count('copy_only', 'report', 'reports')} received as a copy only."
        if facts.get("bodies_with_a_list")
        else "no body gave a list of reports."
    )
    lines = [
        "",
        "## FOI campaign",
        "",
        f"{count('bodies_asked', 'body', 'bodies')} asked,"
        f" {facts.get('bodies_answered') or 0} answered,"
        f" {facts.get('bodies_refused') or 0} refused"
        f" ({facts.get('bodies_refused_citing_website') or 0} citing the website, s21),"
        f" {facts.get('bodies_late') or 0} late,"
        f" {count('bodies_answer_matches_exactly', 'answer', 'answers')} matching the published"
        f" record exactly; {reports}",
        "",
        "| body | outcome | missing from judiciary.uk | published, not located | copy only |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in facts.get("organisation_rows") or []:
        name = row.get("organisation_name") or row.get("organisation_key")
        counts = " | ".join(
            "–" if row.get(column) is None else _md(row[column])
            for column in ("reports_missing_from_site", "reports_not_located", "copy_only")
        )
        lines.append(f"| {_md(name)} | {_foi_outcome(row)} | {counts} |")
    return lines
