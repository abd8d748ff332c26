"""The statutory due date of a Freedom of Information request: the one place the rule lives.

FOIA s.10(1): a public authority must answer "promptly and in any event not later than the
twentieth working day following the date of receipt". s.10(6): the date of receipt is the day the
authority receives the request (any day, a weekend included), and a working day is "any day other
than a Saturday, a Sunday, Christmas Day, Good Friday or a day which is a bank holiday under the
Banking and Financial Dealings Act 1971 in any part of the United Kingdom". So a day that is a
bank holiday only in Scotland (2 January) or only in Northern Ireland (17 March) is not a working
day for a trust in England either.

The bank holidays come from the maintained ``holidays`` library (the union of its England, Wales,
Scotland and Northern Ireland subdivisions of GB, substitute days included), never a hand list.
The day of receipt is never counted: day one is the first working day after it, so a request
received on a Saturday is due on the same day as one received the Friday before. (The ICO accepts
an authority treating the next working day as the date of receipt, which gives it one more day;
the Act's own rule is the one used here.)
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

WORKING_DAYS_ALLOWED = 20
UK_SUBDIVISIONS = ("ENG", "WLS", "SCT", "NIR")
DUE_DATE_RULE = (
    f"FOIA s.10(1): the {WORKING_DAYS_ALLOWED}th working day after the day of receipt; working "
    "days exclude Saturdays, Sundays, Christmas Day, Good Friday and bank holidays in any part "
    f"of the UK (s.10(6); England and Wales, Scotland, Northern Ireland: holidays "
    f"{holidays.__version__})"
)


class FoiDateError(ValueError):
    """A date argument that is not a date."""


def _as_date(value: object, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise FoiDateError(f"{what} must be a date (datetime.date), not {value!r}")


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> dict[dt.date, str]:
    """Every bank holiday of one year in any part of the UK, with the names of the parts."""
    found: dict[dt.date, list[str]] = {}
    for subdivision in UK_SUBDIVISIONS:
        for day, name in holidays.country_holidays("GB", subdiv=subdivision, years=year).items():
            label = f"{name} ({subdivision})"
            if label not in found.setdefault(day, []):
                found[day].append(label)
    return {day: "; ".join(names) for day, names in sorted(found.items())}


def non_working_reason(day: dt.date) -> str | None:
    """Why ``day`` is not a working day under FOIA s.10(6) (None for a working day)."""
    day = _as_date(day, "day")
    if day.weekday() == 5:
        return "Saturday"
    if day.weekday() == 6:
        return "Sunday"
    if day.month == 12 and day.day == 25:
        return "Christmas Day"
    return _bank_holidays(day.year).get(day)


def is_working_day(day: dt.date) -> bool:
    return non_working_reason(day) is None


def statutory_due_date(received: dt.date) -> dt.date:
    """The 20th working day after the day of receipt (which may itself be any day)."""
    day = _as_date(received, "the date of receipt")
    counted = 0
    while counted < WORKING_DAYS_ALLOWED:
        day += dt.timedelta(days=1)
        counted += is_working_day(day)
    return day


def working_days_late(due: dt.date, on: dt.date) -> int:
    """Working days after ``due`` up to and including ``on`` (0 when ``on`` is not after it)."""
    day = _as_date(due, "the due date")
    on = _as_date(on, "the date compared")
    late = 0
    while day < on:
        day += dt.timedelta(days=1)
        late += is_working_day(day)
    return late
