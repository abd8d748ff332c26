"""One row per day from the first FOI request sent to the later of the as_of date and the last
statutory due date, and whether it is a working day under FOIA s.10(6). The rule is asked of
orchestration/sources/returns/foi_dates.py (the one place it lives: weekends, Christmas Day, Good
Friday and bank holidays in any part of the UK from the maintained ``holidays`` library), so dbt
counts working days late (fct_foi_requests) without a second copy of the rule. Empty until a
requests file is loaded."""

import datetime as dt

import pandas as pd

from orchestration.sources.returns.foi_dates import non_working_reason


def model(dbt, session):
    dbt.config(materialized="table")
    # The as_of var (YAML meta: dbt reads it there). Without --vars, meta holds the var's default
    # unrendered (a Jinja expression for today, dbt_project.yml), which is today.
    as_of_text = str(dbt.config.meta_get("as_of") or "")
    try:
        as_of = dt.date.fromisoformat(as_of_text[:10])
    except ValueError:
        as_of = dt.date.today()
    requests = dbt.ref("stg_returns__requests")
    first, last_due = requests.aggregate("min(date_sent), max(statutory_due_date)").fetchall()[0]
    days = []
    if first is not None:
        last = max(as_of, last_due or as_of)
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    reasons = [non_working_reason(day) for day in days]
    frame = pd.DataFrame(
        {
            "calendar_date": pd.Series(days, dtype="object"),
            "is_working_day": pd.Series([r is None for r in reasons], dtype="bool"),
            "non_working_reason": pd.Series(reasons, dtype="object"),
        }
    )
    return session.from_df(frame).project(
        "cast(calendar_date as date) as calendar_date, is_working_day,"
        " cast(non_working_reason as varchar) as non_working_reason"
    )
