"""Thresholds of the audit suites: configuration, each with the reason for its default.

Override any of them with ``AuditConfig(...)`` in code, or a JSON object of field names to values
(``pfdw audit run --config thresholds.json``; the Dagster audit asset takes
the same fields as run config).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import ClassVar


@dataclass(frozen=True)
class AuditConfig:
    # --- raw crawl suite (blocking: broken data stops the run before dbt) ---------------------
    # Share of report pages on which each header field must be present. Measured on the full
    # snapshot (6,147 pages): every field >= 98% except recipients. The floors leave room for the
    # messy history but catch a layout change that empties a field.
    min_share_present: dict[str, float] = field(
        default_factory=lambda: {
            # report_url is the page's key: its not-null and unique are dbt source tests
            # (expectations/CHECKS.md), not a share judged here.
            "date_added_raw": 0.99,
            "date_of_report_raw": 0.95,
            "ref_raw": 0.90,
            "deceased_name_raw": 0.95,
            "coroner_name_raw": 0.95,
            "coroner_area_raw": 0.95,
            "sent_to_raw": 0.95,
        }
    )
    # Recipients were only in the PDF until 2015: measured on pages published in 2013-2014 3%
    # carry them, 2015 35%, every year since 2016 at least 99.5%. So the recipients floor applies
    # to pages published from this date only (a crawl of an early window is not "broken").
    recipients_required_from: str = "2016-01-01"
    # Share of present dates / refs that must look like a date / a YYYY-NNNN ref. Measured 99.9%
    # and 99.97% on the full snapshot; the messy rest ("9 August", "20140-0147") is expected.
    min_share_date_format: float = 0.98
    min_share_ref_format: float = 0.98
    # A full crawl may not see more than 15% fewer report pages than the previous full crawl of the
    # same source (pages are rarely removed: 47 of 6,194 in two years). 15% is the row-count drop
    # rule of Dagster's own warehouse (dagster-open-platform).
    max_row_drop_share: float = 0.15
    # Completeness (first run as any other): the share of the report pages a crawl tried that it
    # could not load (fetch failed after retries, forbidden by robots.txt, a canary page parsed to
    # nothing). A snapshot crawl has none; live transient failures are retried 3 times (listing
    # pages 8 and a mirror) first, so 5% means the site or the parser is broken (the issue's
    # faulty first crawl lost 36%). Errors are re-fetched by the next run.
    max_crawl_error_share: float = 0.05
    # Errors a crawl may always have, whatever its size: a daily run tries about 30 pages, and
    # one or two failures there are retried the next day rather than blocking the publication.
    crawl_errors_tolerated: int = 2

    # --- HSSIB raw crawl suite (blocking) -----------------------------------------------------
    # The safety recommendations log only grows (HSSIB adds responses, it does not remove items),
    # and every HSSIB crawl reads the whole log, so the same 15% drop rule as judiciary_pfd
    # applies against the previous crawl: on the 43-page snapshot that tolerates losing 6 pages.
    hssib_max_row_drop_share: float = 0.15
    # Share of recommendation pages whose recipients were parsed (a non-empty list). Measured
    # 43 of 43 on the snapshot; 95% lets two pages in 43 carry a new recipient wording without
    # blocking, while a layout change that breaks the "HSSIB recommends that ..." parse fails.
    hssib_min_share_with_recipients: float = 0.95

    # --- reconciliation suite (warnings: findings about the world) ----------------------------
    # Allowed |reported - published| per return row before the body fails its expectation.
    # 0 by default: every unexplained report is worth an auditor's look.
    reconciliation_tolerance: int = 0

    # --- coroner-area completeness suite (warnings) --------------------------------------------
    # The measures are dbt's (main.audit_publication_completeness, over the window of the dbt var
    # completeness_window_years, default 3 report years); these are the thresholds they are
    # judged against.
    # Publication lag p95 per area. The national p95 for 2024-25 is 76 days (docs): 90 leaves a
    # margin, so an area above it publishes markedly slower than the national norm.
    max_p95_publication_lag_days: float = 90.0
    # Share of reports missing a header field. Since 2016 the national share is at most 1.1% a
    # year (measured 0.0-1.1% for 2019-2025): 5% is far outside normal practice.
    max_share_missing_header_fields: float = 0.05
    # Share of reports (past their 56-day deadline, with a named recipient) whose every response
    # is published. Measured 2023-2025: median area 30%, lower quartile 18%; below 20% an area is
    # in the bottom quarter of the country.
    min_share_all_responses_published: float = 0.20
    # Days between an area's last publication and the newest publication in the warehouse
    # (measured against the data's own horizon, so an old snapshot does not flag every area). An
    # average area publishes about 8 reports a year (one every six weeks); six months of silence
    # is four times that interval. Areas with nothing in the window count as silent.
    max_days_since_last_publication: int = 180
    # --- ref sequence suite (warnings) --------------------------------------------------------
    # The gaps are dbt's (main.audit_ref_sequence_years; the years judged are is_contiguous_era,
    # from the dbt var ref_gaps_since_year, default 2019).
    # Missing refs allowed per ref year before the year fails (0: every gap is reported).
    max_ref_gaps_per_year: int = 0

    # --- Data Docs history (not a threshold: how much the site keeps) -------------------------
    # Audit runs kept in the one Data Docs site (<data dir>/audit/data_docs/), oldest pruned
    # first. The audit runs weekly (weekly_publication_audit), so 52 is a year of history; one
    # run's pages and results are about 0.5 MB, so the site stays under about 30 MB.
    data_docs_runs_kept: int = 52

    def to_dict(self) -> dict:
        return asdict(self)

    # Settings that define a fact rather than judge one: they moved to dbt with the fact.
    MOVED_TO_DBT: ClassVar[dict[str, str]] = {
        "completeness_window_years": "the dbt var completeness_window_years"
        " (main.audit_publication_completeness)",
        "ref_gaps_since_year": "the dbt var ref_gaps_since_year (main.audit_ref_sequence_years)",
    }

    @classmethod
    def from_mapping(cls, values: dict | None) -> AuditConfig:
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        moved = sorted(set(values) & set(cls.MOVED_TO_DBT))
        if moved:
            raise ValueError(
                "; ".join(
                    f"{name} is no audit threshold: it defines the facts dbt computes, so set"
                    f" {cls.MOVED_TO_DBT[name]} (dbt build --vars '{{{name}: ...}}')"
                    for name in moved
                )
            )
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"unknown audit threshold(s) {', '.join(unknown)};"
                f" known: {', '.join(sorted(known))}"
            )
        base = cls()
        if "min_share_present" in values:
            values["min_share_present"] = {**base.min_share_present, **values["min_share_present"]}
        return replace(base, **values)

    @classmethod
    def from_json_file(cls, path: Path | str) -> AuditConfig:
        return cls.from_mapping(json.loads(Path(path).read_text(encoding="utf-8")))
