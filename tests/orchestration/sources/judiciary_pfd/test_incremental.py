"""What a daily crawl revisits: open, young pages, spread over the days, never twice a day."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from orchestration.sources.judiciary_pfd.incremental import (
    RevisitPolicy,
    build_crawl_state,
    estimated_recipient_count,
    is_due,
    is_open,
)
from orchestration.sources.judiciary_pfd.load import load_run
from tests.orchestration.sources.judiciary_pfd.test_load import RESPONSE_A, report_item, write_run

ORIGIN = "https://www.judiciary.uk/prevention-of-future-death-reports"


@pytest.mark.parametrize(
    ("sent_to", "expected"),
    [
        (None, 0),
        ("", 0),
        ("REDACTED", 0),
        ("[REDACTED]", 0),
        ("Various recipients – please see the report.", 0),
        ("Suffolk County Council", 1),
        ("DHSC | NHS England |Northampton General Hospital", 3),
        ("Chief Executive; Trust A\nTrust B", 3),
        # " and " and commas are not split: over-counting is safe, under-counting is not.
        ("Herefordshire and Worcestershire Health and Care NHS Trust", 1),
    ],
)
def test_estimated_recipient_count(sent_to, expected):
    assert estimated_recipient_count(sent_to) == expected


def test_open_until_every_recipient_has_a_response():
    assert is_open("A | B", responses=1)
    assert not is_open("A | B", responses=2)
    assert is_open("REDACTED", responses=0)
    assert not is_open("REDACTED", responses=1)


def test_due_never_twice_a_day_and_at_most_interval_apart():
    policy = RevisitPolicy()
    today = date(2025, 6, 1)
    url = f"{ORIGIN}/someone/"
    assert not is_due(url, today - timedelta(days=30), today, today, policy)
    # An old open page must be visited at least every 7 days, whatever its phase.
    assert is_due(url, today - timedelta(days=400), today - timedelta(days=7), today, policy)
    # Too old: left to the monthly full recrawl.
    assert not is_due(url, today - timedelta(days=800), today - timedelta(days=30), today, policy)


def test_each_page_is_revisited_once_per_interval_when_fetched_daily():
    policy = RevisitPolicy()
    url = f"{ORIGIN}/phase-test/"
    added = date(2024, 1, 1)
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(28)]
    last_fetched = days[0] - timedelta(days=1)
    visits = []
    for day in days:
        if is_due(url, added, last_fetched, day, policy):
            visits.append(day)
            last_fetched = day
    gaps = {(b - a).days for a, b in zip(visits, visits[1:], strict=False)}
    assert gaps == {7}


def test_policy_rejects_nonsense():
    with pytest.raises(ValueError, match="open_interval_days must be at least 1"):
        RevisitPolicy(open_interval_days=0)


def test_state_lists_known_urls_and_only_due_open_pages(tmp_path):
    young_open = report_item(f"{ORIGIN}/young/", crawled_at="2024-09-01T06:00:01Z")
    answered = report_item(
        f"{ORIGIN}/answered/",
        crawled_at="2024-09-01T06:00:02Z",
        sent_to="Suffolk County Council",
        documents=[{"url": RESPONSE_A, "kind": "response"}],
    )
    answered["date_added_raw"] = "2024-08-15"
    answered_long_ago = report_item(
        f"{ORIGIN}/answered-long-ago/",
        crawled_at="2024-09-01T06:00:02Z",
        sent_to="Suffolk County Council",
        documents=[{"url": RESPONSE_A, "kind": "response"}],
    )
    answered_long_ago["date_added_raw"] = "2024-03-01"
    old = report_item(f"{ORIGIN}/old/", crawled_at="2024-09-01T06:00:03Z")
    old["date_added_raw"] = "2019-01-01"
    run = write_run(
        tmp_path,
        "run-1",
        started_at="2024-09-01T06:00:00Z",
        logical_date="2024-09-01",
        reports=[young_open, answered, answered_long_ago, old],
        skipped=[
            {
                "url": f"{ORIGIN}/railwayrelateddeaths/",
                "reason": "legacy category post",
                "crawled_at": "2024-09-01T06:00:04Z",
            }
        ],
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load_run(con, run)
        same_day = build_crawl_state(con, date(2024, 9, 1))
        week_later = build_crawl_state(con, date(2024, 9, 8))
    assert same_day["revisit"] == []
    assert f"{ORIGIN}/railwayrelateddeaths/" in same_day["known_urls"]
    assert len(same_day["known_urls"]) == 5
    # Recent reports are revisited even when every named recipient has answered; older ones
    # only while open; pages over two years old are left to the monthly full recrawl.
    assert [page["url"] for page in week_later["revisit"]] == [
        f"{ORIGIN}/answered/",
        f"{ORIGIN}/young/",
    ]
    assert week_later["revisit"][0]["etag"] == '"abc"'


def test_the_canary_is_known_parsed_pages_rotating_with_the_logical_date(tmp_path):
    from orchestration.sources.judiciary_pfd.incremental import CANARY_PAGES, canary_urls

    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute(
            "CREATE TABLE raw.judiciary_pfd__reports (report_url VARCHAR, ref_raw VARCHAR,"
            " date_of_report_raw VARCHAR, deceased_name_raw VARCHAR, coroner_area_raw VARCHAR)"
        )
        pages = [(f"{ORIGIN}/r{i}/", f"2024-{i:04d}", None, None, None) for i in range(40)]
        con.executemany("INSERT INTO raw.judiciary_pfd__reports VALUES (?, ?, ?, ?, ?)", pages)
        con.execute(
            "INSERT INTO raw.judiciary_pfd__reports VALUES (?, NULL, NULL, NULL, NULL)",
            [f"{ORIGIN}/blank/"],
        )
        day = date(2025, 6, 1)
        samples = [canary_urls(con, day + timedelta(days=n)) for n in range(7)]
    assert all(len(sample) == CANARY_PAGES for sample in samples)
    assert samples[0] == canary_urls_again(tmp_path, day)  # same day, same pages
    assert len({tuple(sample) for sample in samples}) == 7  # rotates day by day
    assert all(f"{ORIGIN}/blank/" not in sample for sample in samples)  # never a blank page


def canary_urls_again(tmp_path, day):
    from orchestration.sources.judiciary_pfd.incremental import canary_urls

    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        return canary_urls(con, day)
