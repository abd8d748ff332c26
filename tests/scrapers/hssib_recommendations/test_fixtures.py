"""The parser on frozen pages (saved from the snapshot on 2026-11-22), so a change to the
snapshot's renderer cannot quietly move the markup contract the parser was written against.

Refresh a fixture only on purpose: render the page again with ``handle_request`` and save it.
"""

from __future__ import annotations

from pathlib import Path

from scrapers.hssib_recommendations import parsing

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hssib_recommendations"
ORIGIN = "http://127.0.0.1:8765"


def parse_fixture(name: str, path: str) -> dict:
    return parsing.parse_recommendation_page((FIXTURES / name).read_bytes(), ORIGIN + path)


def test_example_page_fixture():
    parsed = parse_fixture(
        "example_recommendation_page.html",
        "/safety-recommendations-log/stand-in/mental-health-inpatient-settings/example-page",
    )
    assert parsed["page_title"] == "Mental health inpatient settings"
    assert parsed["investigation_url"] == (
        "https://www.hssib.org.uk/patient-safety-investigations/mental-health-inpatient-settings/"
    )
    assert parsed["log_url"] is None
    assert parsed["recipients"] == ["Department of Health and Social Care"]
    assert parsed["recommendation_prefix"] == "HSSIB recommends that"
    assert parsed["response_text"].startswith("We recognise that, across health services")
    assert parsed["response_text"].count("\n\n") == 6
    assert [(a["due_text"], a["due_date"], a["due_rule"]) for a in parsed["planned_actions"]] == [
        ("by May 2025", "2025-05-31", "month"),
        ("by June 2025", "2025-06-30", "month"),
        ("by Autumn 2025", "2025-11-30", "season"),
        ("by November - December 2025", "2025-12-31", "month_range"),
    ]
    assert parsed["response_received_date"] == "2025-08-25"
    assert parsed["truncated"] is False
    # Saved before the replica stated captures: read like a live page, captured when fetched.
    assert (parsed["captured_on"], parsed["capture_date_basis"]) == (None, None)


def test_page_without_header_fixture():
    parsed = parse_fixture(
        "never_events_2_no_header.html",
        "/safety-recommendations-log/never-events-analysis-of-hsibs-national-investigations-2",
    )
    assert parsed["log_url"] == (
        "https://www.hssib.org.uk/safety-recommendations-log/"
        "never-events-analysis-of-hsibs-national-investigations-2"
    )
    assert parsed["page_title"] is None and parsed["investigation_title"] is None
    assert parsed["recommendation_prefix"] == "It is recommended that"
    assert parsed["recipients"] == ["NHS England and NHS Improvement"]
    assert parsed["response_received_raw"] == "16 April 2021"
    assert parsed["response_text"].count("\n") == 4
