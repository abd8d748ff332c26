"""The statutory due date of an FOI request (FOIA s.10): the 20th working day after the day of
receipt, where a working day is not a weekend, Christmas Day, Good Friday or a bank holiday in ANY
part of the UK. Expected dates are counted by hand in the comments."""

from __future__ import annotations

import datetime as dt

import pytest

from orchestration.sources.returns.foi_dates import (
    DUE_DATE_RULE,
    FoiDateError,
    is_working_day,
    non_working_reason,
    statutory_due_date,
    working_days_late,
)

D = dt.date


@pytest.mark.parametrize(
    ("received", "due", "why"),
    [
        # Mon 5 Jun 2023, no holiday: 6-9 Jun (4), 12-16 (9), 19-23 (14), 26-30 (19), Mon 3 Jul.
        (D(2023, 6, 5), D(2023, 7, 3), "weekends only"),
        # Tue 8 Apr 2025: 9-11 (3), 14-17 (7), Good Friday 18 and Easter Monday 21 out, 22-25
        # (11), 28 Apr-2 May (16), early May bank holiday 5 May out, 6-9 May (20).
        (D(2025, 4, 8), D(2025, 5, 9), "Good Friday, Easter Monday and 5 May"),
        # Mon 16 Dec 2024: 17-20 (4), 23-24 (6), 25-26 out, 27 (7), 30-31 (9), 1 Jan out,
        # 2 Jan out (a bank holiday in Scotland only), 3 (10), 6-10 (15), 13-17 (20).
        (D(2024, 12, 16), D(2025, 1, 17), "Christmas, Boxing Day, New Year, Scotland's 2 Jan"),
        # Fri 7 Mar 2025: 10-14 (5), St Patrick's Day Mon 17 Mar (Northern Ireland only) out,
        # 18-21 (9), 24-28 (14), 31 Mar-4 Apr (19), Mon 7 Apr (20).
        (D(2025, 3, 7), D(2025, 4, 7), "St Patrick's Day (Northern Ireland only)"),
    ],
)
def test_the_due_date_is_the_20th_working_day_after_receipt(received, due, why):
    assert statutory_due_date(received) == due, why


def test_holidays_of_one_part_of_the_uk_count_everywhere():
    assert non_working_reason(D(2025, 1, 2)) == "New Year Holiday (SCT)"
    assert "NIR" in non_working_reason(D(2025, 3, 17))
    assert non_working_reason(D(2025, 4, 18)).startswith("Good Friday")
    assert non_working_reason(D(2024, 12, 25)) == "Christmas Day"
    assert non_working_reason(D(2025, 3, 15)) == "Saturday"
    assert is_working_day(D(2025, 3, 18)) and not is_working_day(D(2025, 8, 4))  # Scotland's


def test_a_request_received_on_a_non_working_day_counts_from_the_next_working_day():
    friday = statutory_due_date(D(2023, 6, 9))
    assert friday == D(2023, 7, 7)
    assert statutory_due_date(D(2023, 6, 10)) == friday  # Saturday
    assert statutory_due_date(D(2023, 6, 11)) == friday  # Sunday
    # Good Friday 2025 and Easter Monday: day one is Tuesday 22 April, as for Thursday 17 April.
    assert statutory_due_date(D(2025, 4, 18)) == statutory_due_date(D(2025, 4, 17))
    assert statutory_due_date(D(2025, 4, 21)) == statutory_due_date(D(2025, 4, 17))


def test_working_days_late_counts_only_working_days_after_the_due_date():
    due = D(2025, 1, 17)  # a Friday
    assert working_days_late(due, due) == 0
    assert working_days_late(due, D(2025, 1, 10)) == 0
    assert working_days_late(due, D(2025, 1, 19)) == 0  # the weekend after
    assert working_days_late(due, D(2025, 1, 20)) == 1
    assert working_days_late(D(2025, 4, 17), D(2025, 4, 22)) == 1  # over Easter


def test_a_datetime_is_its_day_and_a_non_date_is_one_clear_error():
    assert statutory_due_date(dt.datetime(2024, 12, 16, 23, 59)) == D(2025, 1, 17)
    for bad in ("2024-12-16", None, 20241216):
        with pytest.raises(FoiDateError, match=r"must be a date \(datetime.date\), not"):
            statutory_due_date(bad)
    with pytest.raises(ValueError, match="the due date must be a date"):
        working_days_late("soon", D(2025, 1, 1))


def test_the_rule_names_the_section_and_the_holidays_library_version():
    import holidays

    assert "s.10(6)" in DUE_DATE_RULE and f"holidays {holidays.__version__}" in DUE_DATE_RULE
    assert "\n" not in DUE_DATE_RULE
