"""The capture date of HSSIB pages: the replica states a lower bound on every log item page (meta
tags in the head, a line in the snapshot note), and the parser reads it back, or None on live
pages and values it does not know."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest
from parsel import Selector

from scrapers.hssib_recommendations import parsing
from scrapers.snapshot.hssib import handle_request, load_site
from scrapers.snapshot.hssib.render import render_recommendation_page
from scrapers.snapshot.hssib.site import (
    RECORDS_FILE,
    RecordError,
    capture_date_lower_bound,
    display_date,
    record_from_json,
)

ORIGIN = "http://127.0.0.1:8765"
SITE = load_site()
EXAMPLE = SITE.records[-1]
BY_LINE = {record.source_line: record for record in SITE.records}


def served(path: str) -> Selector:
    status, _, body = handle_request(path, {}, SITE)
    assert status == 200, path
    return Selector(text=body.decode("utf-8"))


def head_capture(page: Selector) -> tuple[str | None, str | None]:
    return (
        page.css('head meta[name="pfdw:captured-on"]::attr(content)').get(),
        page.css('head meta[name="pfdw:capture-date-basis"]::attr(content)').get(),
    )


def snapshot_note(page: Selector) -> str:
    return " ".join(page.css("aside.snapshot-note p::text").getall())


# --- the replica's rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recommendation_date", "received", "expected"),
    [
        (None, None, date(2024, 1, 1)),  # nothing shown: the earliest stored copy
        (None, "16 April 2021", date(2024, 1, 1)),  # received before any stored copy was made
        (None, "25 August 2025", date(2025, 8, 25)),
        ("3 March 2025", "2 May 2024", date(2025, 3, 3)),  # the latest date the page shows
        (None, "1 January 2024", date(2024, 1, 1)),
    ],
)
def test_capture_date_lower_bound(recommendation_date, received, expected):
    assert capture_date_lower_bound(recommendation_date, received) == expected


def test_display_dates_that_are_no_day_are_refused_by_name():
    assert display_date("2 May 2024") == date(2024, 5, 2)
    with pytest.raises(ValueError, match="'late 2026' is not a date like '25 August 2025'"):
        display_date("late 2026")
    with pytest.raises(ValueError, match="'31 June 2024' is not a date"):
        display_date("31 June 2024")


def test_a_record_whose_received_date_does_not_parse_is_refused_naming_line_and_field():
    raw = json.loads(RECORDS_FILE.read_text(encoding="utf-8").splitlines()[0])
    with pytest.raises(RecordError, match=r"line 4: field 'response_received_date': '2021-04-16'"):
        record_from_json({**raw, "response_received_date": "2021-04-16"}, 4)


def test_example_page_states_its_response_received_date():
    assert EXAMPLE.source_line == 0 and EXAMPLE.response_received_date == "25 August 2025"
    page = served(EXAMPLE.page_path)
    assert head_capture(page) == ("2025-08-25", "on_or_after")
    assert "Captured on or after 25 August 2025 (2025-08-25)." in snapshot_note(page)


def test_record_received_in_2021_states_the_earliest_stored_copy():
    record = BY_LINE[1]
    assert record.response_received_date == "16 April 2021"
    assert head_capture(served(record.page_path)) == ("2024-01-01", "on_or_after")


def test_record_without_a_received_date_ignores_dates_in_its_response():
    record = BY_LINE[9]
    assert record.response_received_date is None
    assert "intended launch in late 2026" in record.response_text  # a plan, not a day shown
    page = served(record.page_path)
    assert head_capture(page) == ("2024-01-01", "on_or_after")
    assert "Captured on or after 1 January 2024 (2024-01-01)." in snapshot_note(page)


def test_record_received_in_2024_states_that_day():
    record = BY_LINE[2]
    assert record.response_received_date == "12 December 2024"
    assert head_capture(served(record.page_path)) == ("2024-12-12", "on_or_after")


def test_every_log_item_page_states_its_capture_and_other_pages_do_not():
    stated = {}
    for record in SITE.records:
        page = served(record.page_path)
        stated[record.page_path] = head_capture(page)
        assert f"({record.captured_on.isoformat()})" in snapshot_note(page), record.page_path
    assert len(stated) == 43
    assert all(basis == "on_or_after" for _, basis in stated.values())
    days = sorted(day for day, _ in stated.values())
    assert days.count("2024-01-01") == 37
    assert days[-6:] == [
        "2024-01-22",
        "2024-02-13",
        "2024-05-02",
        "2024-05-03",
        "2024-12-12",
        "2025-08-25",
    ]
    others = [served("/safety-recommendations-log/")]
    others += [served(investigation.path) for investigation in SITE.investigations.values()]
    assert all(head_capture(page) == (None, None) for page in others)


def test_snapshot_note_is_escaped_html():
    record = dataclasses.replace(EXAMPLE, notes="<b>bold</b>")
    html = render_recommendation_page(record)
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "the page&#x27;s recommendation date" in html


# --- the parser ----------------------------------------------------------------------------------


def parse(record) -> dict:
    return parsing.parse_recommendation_page(
        render_recommendation_page(record), ORIGIN + record.page_path
    )


def test_parser_reads_the_stated_capture():
    parsed = parse(EXAMPLE)
    assert (parsed["captured_on"], parsed["capture_date_basis"]) == ("2025-08-25", "on_or_after")
    assert not [w for w in parsed["parse_warnings"] if "capture" in w]


def page_with_head(head: str) -> str:
    html = render_recommendation_page(EXAMPLE)
    start, end = html.index('<meta name="pfdw:captured-on"'), html.index("</head>")
    return html[:start] + head + html[end:]


def test_live_page_without_the_tags_has_no_stated_capture():
    parsed = parsing.parse_recommendation_page(
        page_with_head(""), "https://www.hssib.org.uk/safety-recommendations-log/x"
    )
    assert (parsed["captured_on"], parsed["capture_date_basis"]) == (None, None)
    assert not [w for w in parsed["parse_warnings"] if "capture" in w]


@pytest.mark.parametrize(
    ("head", "problem"),
    [
        (
            '<meta name="pfdw:captured-on" content="25 August 2025">'
            '<meta name="pfdw:capture-date-basis" content="on_or_after">',
            "capture date '25 August 2025' is not an ISO date (YYYY-MM-DD)",
        ),
        (
            '<meta name="pfdw:captured-on" content="2025-02-30">'
            '<meta name="pfdw:capture-date-basis" content="on_or_after">',
            "capture date '2025-02-30' is not an ISO date (YYYY-MM-DD)",
        ),
        (
            '<meta name="pfdw:captured-on" content="2025-08-25">'
            '<meta name="pfdw:capture-date-basis" content="exactly">',
            "capture date basis 'exactly' is not one of ['on_or_after']",
        ),
        ('<meta name="pfdw:captured-on" content="2025-08-25">', "no capture date basis"),
        ('<meta name="pfdw:capture-date-basis" content="on_or_after">', "no capture date"),
    ],
)
def test_capture_values_the_parser_does_not_know_are_dropped_with_a_warning(head, problem):
    parsed = parsing.parse_recommendation_page(page_with_head(head), ORIGIN + EXAMPLE.page_path)
    assert (parsed["captured_on"], parsed["capture_date_basis"]) == (None, None)
    assert f"stated capture dropped: {problem}" in parsed["parse_warnings"]


def test_capture_stated_before_the_received_date_is_kept_with_a_warning():
    head = (
        '<meta name="pfdw:captured-on" content="2025-08-24">'
        '<meta name="pfdw:capture-date-basis" content="on_or_after">'
    )
    parsed = parsing.parse_recommendation_page(page_with_head(head), ORIGIN + EXAMPLE.page_path)
    assert parsed["captured_on"] == "2025-08-24"
    assert (
        "stated capture date 2025-08-24 is before the latest date the page shows (2025-08-25)"
        in parsed["parse_warnings"]
    )
