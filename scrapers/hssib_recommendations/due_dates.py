"""Dates on HSSIB log pages: "25 August 2025" day dates, and the due dates of planned actions.

Due dates of planned actions ("by September 2024", "by Autumn 2025", "by November - December
2025") are read as the END of the period they name, because an action is past due only once the
whole period has passed:

- a month: its last day ("by September 2024" -> 2024-09-30);
- a season, meteorological as the Met Office uses them: spring March-May, summer June-August,
  autumn September-November, winter December-February; the season's last day ("by Autumn 2025" ->
  2025-11-30). "Winter 2025" is read as December 2025 to February 2026 (-> 2026-02-28) and the
  parse says so in a warning, since some writers mean January-February 2025;
- a range ("November - December 2025", "Spring to Summer 2024"): the end of its last period;
- a quarter ("Q3 2025"): the quarter's last day (calendar quarters);
- a bare year ("by 2026", "by the end of 2026"): 31 December.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from scrapers.hssib_recommendations import selectors as sel
from scrapers.hssib_recommendations.blocks import shorten

MONTHS: dict[str, int] = {}
for _number, _name in enumerate(calendar.month_name):
    if _name:
        MONTHS[_name.lower()] = _number
        MONTHS[_name[:3].lower()] = _number
MONTHS["sept"] = 9

# Season -> (first month, last month); winter's last month falls in the next year.
SEASONS: dict[str, tuple[int, int]] = {
    "spring": (3, 5),
    "summer": (6, 8),
    "autumn": (9, 11),
    "fall": (9, 11),
    "winter": (12, 2),
}

_MONTH_WORD = "|".join(sorted(MONTHS, key=len, reverse=True))
_SEASON_WORD = "|".join(SEASONS)
_PERIOD = rf"(?:{_MONTH_WORD}|{_SEASON_WORD})"
_DAY_MONTH_YEAR = re.compile(
    rf"^\s*(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH_WORD})\.?,?\s+(?P<year>\d{{4}})\s*$",
    re.IGNORECASE,
)
# "by [the] [end of] [<period> [<year>] - ]<period> <year>", or a quarter, or a bare year.
_DUE_PHRASE = re.compile(
    rf"\bby\s+(?:the\s+)?(?:end\s+of\s+)?"
    rf"(?:(?P<first>{_PERIOD})(?:\s+(?P<first_year>\d{{4}}))?\s*(?:-|–|—|to|and)\s*)?"
    rf"(?:(?P<last>{_PERIOD})|(?P<quarter>Q[1-4]))\s+(?P<year>\d{{4}})\b"
    rf"|\bby\s+(?:the\s+)?(?:end\s+of\s+)?(?P<bare_year>\d{{4}})\b",
    re.IGNORECASE,
)


def parse_day_month_year(text: str | None) -> date | None:
    """'25 August 2025' (also '25th August 2025', '1 Sept 2021') -> date; None if not that."""
    if not text:
        return None
    match = _DAY_MONTH_YEAR.match(text)
    if not match:
        return None
    try:
        return date(
            int(match["year"]), MONTHS[match["month"].lower().rstrip(".")], int(match["day"])
        )
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class DueDate:
    text: str  # the phrase as written, e.g. "by November - December 2025"
    due_date: date  # the END of the period (see the module docstring)
    rule: str  # "month" | "season" | "month_range" | "season_range" | "quarter" | "year"
    warnings: tuple[str, ...] = ()


def _period_end(word: str, year: int) -> tuple[date, str, tuple[str, ...]]:
    key = word.lower()
    if key in MONTHS:
        return _month_end(year, MONTHS[key]), "month", ()
    first, last = SEASONS[key]
    if last < first:  # winter runs into the next year
        note = (
            f"'{word} {year}' read as December {year} to February {year + 1}; "
            f"due date is the end of February {year + 1}"
        )
        return _month_end(year + 1, last), "season", (note,)
    return _month_end(year, last), "season", ()


def find_due_phrase(text: str) -> DueDate | None:
    """The LAST due phrase in an action's text ("..., by September 2024."), parsed; or None.

    The last one is taken because an action's description can itself contain "by <body>"
    ("ratification by RCPCH Medicines Committee by Autumn 2022"); only phrases naming a month,
    season, quarter or year count.
    """
    matches = list(_DUE_PHRASE.finditer(text))
    if not matches:
        return None
    match = matches[-1]
    phrase = match.group(0)
    if match["bare_year"]:
        return DueDate(phrase, date(int(match["bare_year"]), 12, 31), "year")
    year = int(match["year"])
    if match["quarter"]:
        quarter = int(match["quarter"][1])
        return DueDate(phrase, _month_end(year, quarter * 3), "quarter")
    due, kind, warnings = _period_end(match["last"], year)
    if match["first"]:
        first_year = int(match["first_year"]) if match["first_year"] else year
        start, _, _ = _period_end(match["first"], first_year)
        if start > due:
            warnings = (*warnings, f"due range {phrase!r} ends before it starts")
        return DueDate(phrase, due, f"{kind}_range", warnings)
    return DueDate(phrase, due, kind, warnings)


def parse_planned_action(text: str, position: int) -> tuple[dict, list[str]]:
    """One bullet of the actions list -> (action dict, warnings). ``text`` is kept verbatim."""
    warnings: list[str] = []
    description, sep, comments = text.partition(sel.ADDITIONAL_COMMENTS_LABEL)
    due = find_due_phrase(description)
    if due is None:
        warnings.append(f"action {position}: no due date in {shorten(text)!r}")
    else:
        warnings.extend(f"action {position}: {warning}" for warning in due.warnings)
    return (
        {
            "position": position,
            "text": text,
            "description": description.strip(),
            "due_text": due.text if due else None,
            "due_date": due.due_date.isoformat() if due else None,
            "due_rule": due.rule if due else None,
            "additional_comments": comments.strip() if sep else None,
        },
        warnings,
    )
