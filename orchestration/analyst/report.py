"""Build the self-contained HTML report: every figure comes from a documented question file
(orchestration/analyst/questions) run on the marts with the report's scope variables."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from orchestration.analyst import charts, coroner_map
from orchestration.analyst.output import noun
from orchestration.analyst.questions import apply_scope, run_question
from orchestration.analyst.report_themes import collect_themes, theme_figures
from orchestration.analyst.scope import TYPE_LABELS, ReportScope
from orchestration.analyst.warehouse import table_exists

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# Issue 5's reconciliation mart; the section appears only when it exists and holds returns.
RECONCILIATION_TABLE = "audit_returns_reconciliation"
# Issue 15's FOI campaign marts; the section says in one sentence when no campaign is loaded.
FOI_CAMPAIGN_TABLE = "audit_foi_campaign"
FOI_REQUESTS_TABLE = "fct_foi_requests"
FOI_FINDING_LABELS = {
    "published_not_located": "published, not located by the body",
    "received_not_published": "received by the body, missing from judiciary.uk",
    "copy_only": "received as a copy only",
}
# The campaign figures: bodies counted by outcome, reports summed over the bodies' lists.
FOI_BODY_FIGURES = (
    "asked",
    "answered",
    "refused",
    "refused_citing_website",
    "late",
    "answer_matches_exactly",
)
FOI_REPORT_FIGURES = ("reports_missing_from_site", "reports_not_located", "copy_only")
# Issue 7's HSSIB mart; the section appears only when it holds recommendations to bodies in scope.
HSSIB_TABLE = "fct_safety_recommendations"
# HSSIB statuses are as of the day a page was captured (issue 12), and say so.
HSSIB_STATUS_LABELS = {
    "responded": "responded",
    "closed": "closed without a response",
    "not_captured": "not captured: stored page cut off before any response",
    "no_response_at_capture": "no response at capture (no recommendation date shown)",
    "awaiting_at_capture": "awaiting a response at capture (under 90 days)",
    "overdue_at_capture": "overdue at capture",
    "reported_done": "reported done",
    "reported_delayed": "reported delayed",
    "in_progress": "in progress",
    "due_after_capture": "due after capture: awaiting an update",
    "no_due_date": "no due date, no update",
    "not_yet_planned": "planned after the as-of date",
}
HSSIB_EVIDENCE_SOURCES = {
    "additional_comments": "the body's update",
    "action_text": "the planned action's own text",
}
# The item list's figures in the report's JSON (texts stay in the HTML only).
HSSIB_ITEM_FIGURES = (
    "organisation_key",
    "item_kind",
    "investigation_title",
    "reference",
    "action_position",
    "status",
    "days_past_due_at_capture",
    "evidence_rule_id",
    "captured_on",
    "capture_date_basis",
    "page_path",
)
REPORT_LIST_LIMIT = 1000
STATUS_LABELS = {
    "responded": "responded",
    "possibly_answered": "possibly answered",
    "overdue": "overdue",
    "pending": "pending",
    "unknown": "status unknown",
    "unknown_not_captured": "unknown: page captured without documents",
    "unknown_captured_before_due": "unknown: page captured before the response was due",
    "completed": "all responded",
    "partial": "some responded",
    "no_named_recipient": "no named recipient",
}
SOURCE_LABELS = {
    "header": "page header",
    "report_text": "report text",
    "response_document": "their answer (report names no one)",
    "none": "no recipient found",
    "stated_in_report": "stated in the report",
    "report_date_plus_56": "report date + 56 days",
    "published_date_plus_56": "publication date + 56 days (report date unknown)",
    "live": "live website",
    "page_scrape": "stored copy of the page",
    "no_document_links": "copy without document links",
}

STEPS = (
    "headline",
    "organisations",
    "trend",
    "categories",
    "themes",
    "coroner areas",
    "returns",
    "foi",
    "hssib",
    "method",
    "reports",
    "charts",
)


@dataclass
class ReportData:
    scope: ReportScope
    generated_at: dt.datetime
    with_names: bool
    headline: dict
    organisations: list[dict]
    trend: list[dict]
    categories: list[dict]
    areas: list[dict]
    reconciliation: dict | None
    currency: dict | None
    resolution: list[dict]
    matching: list[dict]
    reports: list[dict]
    reports_total: int
    hssib: dict | None = None
    foi: dict | None = None
    recipient_sources: list[dict] = field(default_factory=list)
    captures: list[dict] = field(default_factory=list)
    due_dates: list[dict] = field(default_factory=list)
    themes: dict | None = None

    def figures(self) -> dict[str, Any]:
        """The numbers a test (or a reader) can check against the documented SQL."""
        return {
            "headline": {k: _plain(v) for k, v in self.headline.items()},
            "organisations": [{k: _plain(v) for k, v in row.items()} for row in self.organisations],
            "trend": [{k: _plain(v) for k, v in row.items()} for row in self.trend],
            "categories": self.categories,
            "areas": self.areas,
            "returns": [
                {k: _plain(v) for k, v in row.items()}
                for row in (self.reconciliation or {}).get("rows", [])
            ],
            "hssib": [
                {k: _plain(v) for k, v in row.items()}
                for row in (self.hssib or {}).get("organisations", [])
            ],
            "foi": _foi_figures(self.foi),
            "hssib_items": [
                {k: _plain(row[k]) for k in HSSIB_ITEM_FIGURES}
                for row in (self.hssib or {}).get("open_items", [])
            ],
            "organisations_shown": "as_named" if self.scope.as_named else "current_organisation",
            "recipient_sources": self.recipient_sources,
            "captures": [{k: _plain(v) for k, v in row.items()} for row in self.captures],
            "due_dates": self.due_dates,
            "themes": theme_figures(self.themes),
        }


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _report_list(
    connection: duckdb.DuckDBPyConnection, scope: ReportScope, with_names: bool
) -> tuple[list[dict], int]:
    rows = run_question(connection, "report_list", scope.variables)
    total = len(rows)
    rows = rows[:REPORT_LIST_LIMIT]
    if with_names:
        _add_deceased_names(connection, rows)
    return rows, total


def _add_deceased_names(connection: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """Set ``deceased`` on each row from ``dim_deceased`` by its ``report_url`` ('' when none;
    rows without a report_url, e.g. reports the site does not publish, get '')."""
    urls = [row["report_url"] for row in rows if row["report_url"]]
    if not urls:
        for row in rows:
            row["deceased"] = ""
        return
    names = dict(
        connection.execute(
            "SELECT report_url, string_agg(deceased_name, '; ' ORDER BY person_position) "
            "FROM main.dim_deceased WHERE list_contains(?, report_url) GROUP BY report_url",
            [urls],
        ).fetchall()
    )
    for row in rows:
        row["deceased"] = names.get(row["report_url"]) or ""


def _reconciliation(connection: duckdb.DuckDBPyConnection, scope: ReportScope) -> dict | None:
    """Issue 5's reconciliation rows in scope; None (no section) while the mart is missing or
    holds no returns at all."""
    if not table_exists(connection, "main", RECONCILIATION_TABLE):
        return None
    (total,) = connection.execute(f"SELECT count(*) FROM main.{RECONCILIATION_TABLE}").fetchone()  # noqa: S608
    if not total:
        return None
    apply_scope(connection, scope.variables)
    return {
        "table": RECONCILIATION_TABLE,
        "returns_loaded": total,
        "rows": run_question(connection, "q5_returns_reconciliation"),
    }


def _foi_figures(foi: dict | None) -> dict | None:
    """The campaign figures and the rows behind them, never a name of the deceased."""
    if not foi or not foi.get("loaded"):
        return None

    def rows(key: str) -> list[dict]:
        return [{k: _plain(v) for k, v in row.items() if k != "deceased"} for row in foi[key]]

    return {
        "totals": foi["totals"],
        "organisations": rows("organisations"),
        "findings": rows("findings"),
        "requests": rows("requests"),
    }


def _foi_totals(organisations: list[dict]) -> dict:
    """Bodies per outcome; reports summed over the bodies that gave a list (None when none did:
    a refusal is an outcome, never a zero)."""
    totals: dict[str, int | None] = {
        name: sum(bool(row[name]) for row in organisations) for name in FOI_BODY_FIGURES
    }
    for name in FOI_REPORT_FIGURES:
        counts = [row[name] for row in organisations if row[name] is not None]
        totals[name] = int(sum(counts)) if counts else None
    return totals


def _foi(connection: duckdb.DuckDBPyConnection, scope: ReportScope, with_names: bool) -> dict:
    """Issue 15's FOI campaign for the organisations in scope (question 8). ``loaded`` is False
    while the marts are missing or hold no campaign at all (the section says so in one
    sentence)."""
    tables = (FOI_CAMPAIGN_TABLE, FOI_REQUESTS_TABLE, "audit_foi_report_reconciliation")
    if not all(table_exists(connection, "main", table) for table in tables):
        return {"loaded": False}
    (bodies,) = connection.execute(
        f"SELECT count(*) FROM main.{FOI_CAMPAIGN_TABLE}"  # noqa: S608 (a module constant)
    ).fetchone()
    if not bodies:
        return {"loaded": False}
    apply_scope(connection, scope.variables)
    organisations = run_question(connection, "q8_foi_campaign")
    findings = run_question(connection, "q8_foi_findings")
    if with_names:
        _add_deceased_names(connection, findings)
    return {
        "loaded": True,
        "bodies_in_campaign": bodies,
        "organisations": organisations,
        "findings": findings,
        "requests": run_question(connection, "q8_foi_requests"),
        "totals": _foi_totals(organisations),
    }


def _hssib(connection: duckdb.DuckDBPyConnection, scope: ReportScope) -> dict | None:
    """HSSIB recommendations to the organisations in scope (question 7); None (no section) while
    the mart is missing or holds none for them."""
    if not table_exists(connection, "main", HSSIB_TABLE):
        return None
    apply_scope(connection, scope.variables)
    organisations = run_question(connection, "q7_hssib_recommendations")
    if not organisations:
        return None
    versions = {row["state_rules_version"] for row in organisations} - {None}
    return {
        "organisations": organisations,
        "open_items": run_question(connection, "q7_hssib_open_items"),
        "as_of_date": organisations[0]["as_of_date"],
        "captured_from": min(row["captured_from"] for row in organisations),
        "captured_to": max(row["captured_to"] for row in organisations),
        "is_capture_lower_bound": any(row["is_capture_lower_bound"] for row in organisations),
        "stale_recommendations": sum(row["stale_recommendations"] for row in organisations),
        "stale_after_days": organisations[0]["stale_after_days"],
        "state_rules_versions": sorted(versions),
    }


def _day(value: dt.date | None) -> str:
    """25 Aug 2025."""
    return "–" if value is None else f"{value.day} {value:%b %Y}"


def _capture_label(day: dt.date | None, basis: str | None) -> str:
    """The capture day an HSSIB figure is as of: "as captured on 25 Aug 2025", or "captured on
    or after 1 Jan 2024" when the day is only a lower bound (the offline replica)."""
    if day is None:
        return "capture date unknown"
    if basis == "on_or_after":
        return f"captured on or after {_day(day)}"
    return f"as captured on {_day(day)}"


def _capture_range(first: dt.date | None, last: dt.date | None, lower_bound: bool) -> str:
    """The capture days of several pages: one day, or "as captured 1 Jan 2024 – 25 Aug 2025"
    ("captured on or after 1 Jan 2024 – 25 Aug 2025" when any of them is a lower bound)."""
    basis = "on_or_after" if lower_bound else "crawl"
    if first is None or last is None or first == last:
        return _capture_label(first or last, basis)
    prefix = "captured on or after" if lower_bound else "as captured"
    return f"{prefix} {_day(first)} – {_day(last)}"


def _days_at_capture(days: int | None, basis: str | None) -> str:
    """Days from the due date to the capture day, never to today: "due date passed 458 days
    before the capture" ("at least 458 days" when the capture day is a lower bound)."""
    if days is None:
        return ""
    if days == 0:
        return "due on the capture day"
    bound = "at least " if basis == "on_or_after" else ""
    unit = "day" if days == 1 else "days"
    return f"due date passed {bound}{days:,} {unit} before the capture"


def _data_currency(connection: duckdb.DuckDBPyConnection) -> dict | None:
    if not table_exists(connection, "raw", "crawl_runs"):
        return None
    rows = run_question(connection, "method_data_currency")
    return rows[0] if rows else None


def collect_report_data(
    connection: duckdb.DuckDBPyConnection,
    scope: ReportScope,
    *,
    with_names: bool = False,
    on_step: Callable[[str], None] | None = None,
    now: dt.datetime | None = None,
) -> ReportData:
    def step(name: str) -> None:
        if on_step is not None:
            on_step(name)

    apply_scope(connection, scope.variables)
    step("headline")
    headline = run_question(connection, "q1_headline")[0]
    step("organisations")
    organisations = run_question(connection, "q2_organisation_responses")
    step("trend")
    trend = run_question(connection, "q6_trend_by_year")
    step("categories")
    categories = run_question(connection, "q6_categories")
    step("themes")
    themes = collect_themes(connection, scope, with_names)
    apply_scope(connection, scope.variables)
    step("coroner areas")
    areas = run_question(connection, "q3_coroner_areas")
    step("returns")
    reconciliation = _reconciliation(connection, scope)
    step("foi")
    foi = _foi(connection, scope, with_names)
    step("hssib")
    hssib = _hssib(connection, scope)
    step("method")
    apply_scope(connection, scope.variables)
    currency = _data_currency(connection)
    resolution = run_question(connection, "method_recipient_resolution")
    matching = run_question(connection, "method_response_matching")
    recipient_sources = run_question(connection, "method_recipient_sources")
    captures = run_question(connection, "method_capture")
    due_dates = run_question(connection, "method_due_dates")
    step("reports")
    reports, reports_total = _report_list(connection, scope, with_names)
    return ReportData(
        scope=scope,
        generated_at=now or dt.datetime.now(dt.UTC).replace(microsecond=0),
        with_names=with_names,
        headline=headline,
        organisations=organisations,
        trend=trend,
        categories=categories,
        areas=areas,
        reconciliation=reconciliation,
        currency=currency,
        resolution=resolution,
        matching=matching,
        reports=reports,
        reports_total=reports_total,
        hssib=hssib,
        foi=foi,
        recipient_sources=recipient_sources,
        captures=captures,
        due_dates=due_dates,
        themes=themes,
    )


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _number(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["percent"] = _percent
    environment.filters["number"] = _number
    environment.filters["noun"] = noun
    environment.filters["type_label"] = lambda value: TYPE_LABELS.get(value, value)
    environment.filters["status_label"] = lambda value: STATUS_LABELS.get(value, value)
    environment.filters["source_label"] = lambda value: SOURCE_LABELS.get(value, value)
    environment.filters["hssib_status"] = lambda value: HSSIB_STATUS_LABELS.get(value, value)
    environment.filters["evidence_source"] = lambda v: HSSIB_EVIDENCE_SOURCES.get(v, v)
    environment.filters["foi_finding"] = lambda value: FOI_FINDING_LABELS.get(value, value)
    environment.filters["day"] = _day
    environment.filters["capture_label"] = _capture_label
    environment.filters["capture_range"] = _capture_range
    environment.filters["days_at_capture"] = _days_at_capture
    return environment


def render_report(data: ReportData, on_step: Callable[[str], None] | None = None) -> str:
    if on_step is not None:
        on_step("charts")
    area_counts = {row["current_coroner_area"]: row["reports"] for row in data.areas}
    maximum = max(area_counts.values(), default=0)
    figures_json = json.dumps(data.figures(), sort_keys=True, default=str)
    template = _environment().get_template("report.html.j2")
    return template.render(
        data=data,
        scope=data.scope,
        headline=data.headline,
        trend_svg=Markup(charts.trend_chart(data.trend)) if data.trend else None,
        response_svg=Markup(charts.response_chart(data.trend)) if data.trend else None,
        category_svg=Markup(charts.category_chart(data.categories)) if data.categories else None,
        themes_svg=(
            Markup(charts.theme_chart(data.themes["themes"]))
            if data.themes and data.themes["themes"]
            else None
        ),
        map_svg=Markup(coroner_map.render_map(area_counts)),
        map_legend=coroner_map.legend_steps(maximum),
        unmapped_areas=[
            row
            for row in data.areas
            if row["current_coroner_area"]
            not in {shape.area for shape in coroner_map.load_shapes()}
        ],
        # "<" escaped so the JSON can never close its <script> element.
        figures_json=Markup(figures_json.replace("<", "\\u003c")),
        report_list_limit=REPORT_LIST_LIMIT,
    )


def write_report(
    connection: duckdb.DuckDBPyConnection,
    scope: ReportScope,
    out: Path,
    *,
    with_names: bool = False,
    on_step: Callable[[str], None] | None = None,
) -> ReportData:
    data = collect_report_data(connection, scope, with_names=with_names, on_step=on_step)
    html = render_report(data, on_step=on_step)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".part")
    temporary.write_text(html, encoding="utf-8")
    temporary.replace(out)
    return data
