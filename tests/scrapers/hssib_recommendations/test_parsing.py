"""Parser tests: pages built from every real record (all page shapes the records show), hand-built
pages for the variants no record carries, recipients, and due-date parsing."""

from __future__ import annotations

from datetime import date

import pytest

from scrapers.hssib_recommendations import parsing
from scrapers.snapshot.hssib import load_site
from scrapers.snapshot.hssib.render import (
    render_investigation_page,
    render_listing_page,
    render_recommendation_page,
)
from tests.scrapers.hssib_recommendations.support import (
    expected_due_texts,
    expected_investigation_url,
    expected_reference,
)

CRAWL_ORIGIN = "http://127.0.0.1:8765"
SITE = load_site()
RECORDS = {f"line-{record.source_line}": record for record in SITE.records}


def parse_record_page(record):
    return parsing.parse_recommendation_page(
        render_recommendation_page(record), CRAWL_ORIGIN + record.page_path
    )


def record_where(predicate):
    found = [record for record in SITE.records if predicate(record)]
    assert found, "no record has this variant: the test would prove nothing"
    return found


# --- every real record ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(RECORDS))
def test_page_of_each_record_parses_back_to_its_fields(key):
    record = RECORDS[key]
    parsed = parse_record_page(record)
    assert parsed["recommendation_text"] == record.recommendation_text
    assert parsed["response_text"] == record.response_text
    assert parsed["recipients"] == list(record.recipients)
    assert parsed["truncated"] is record.truncated
    assert parsed["reference"] == expected_reference(record)
    assert parsed["response_received_raw"] == record.response_received_date
    assert [a["text"] for a in parsed["planned_actions"]] == [a.text for a in record.actions]
    assert [a["due_text"] for a in parsed["planned_actions"]] == expected_due_texts(record)
    if record.has_header:
        assert parsed["investigation_title"] == record.investigation_title
        assert parsed["investigation_url"] == expected_investigation_url(record)
    else:
        assert parsed["investigation_title"] is None
    expected_log_url = None
    if record.log_item_url:
        expected_log_url = "https://www.hssib.org.uk" + record.page_path
    assert parsed["log_url"] == expected_log_url


def test_page_without_header_block_has_no_title_date_or_investigation():
    for record in record_where(lambda r: not r.has_header):
        parsed = parse_record_page(record)
        assert parsed["page_title"] is None
        assert parsed["recommendation_date_raw"] is None
        assert "no recommendation date label (page has no header block)" in parsed["parse_warnings"]


def test_empty_recommendation_date_is_none_with_a_warning():
    record = record_where(lambda r: r.has_header)[0]
    parsed = parse_record_page(record)
    assert parsed["recommendation_date"] is None
    assert "recommendation date is empty" in parsed["parse_warnings"]


@pytest.mark.parametrize(
    ("prefix", "minimum"),
    [("HSSIB recommends that", 1), ("HSIB recommends that", 1), ("It is recommended that", 1)],
)
def test_each_prefix_variant_is_recognised(prefix, minimum):
    records = record_where(lambda r: r.recommendation_text.startswith(prefix))
    assert len(records) >= minimum
    for record in records:
        parsed = parse_record_page(record)
        assert parsed["recommendation_prefix"] == prefix
        assert parsed["recipients_source"] in ("prefix", "recipient_heading")


def test_prefix_after_a_preamble_paragraph():
    (record,) = record_where(lambda r: r.recommendation_text.startswith("In interim report 2"))
    parsed = parse_record_page(record)
    assert parsed["recommendation_prefix"] == "HSIB recommends that"
    assert parsed["recipients"] == ["Department of Health and Social Care"]


def test_no_prefix_takes_the_subject_of_the_first_sentence():
    (record,) = record_where(lambda r: r.recommendation_text.startswith("The Medicines"))
    parsed = parse_record_page(record)
    assert parsed["recommendation_prefix"] is None
    assert parsed["recipients_source"] == "subject"
    assert parsed["recipients"] == ["Medicines and Healthcare products Regulatory Agency"]


def test_joint_recipients_are_split_and_collaborators_are_not_recipients():
    joint = record_where(lambda r: len(r.recipients) > 1)
    assert {tuple(r.recipients) for r in joint} == {
        ("NHS England", "Medicines and Healthcare products Regulatory Agency"),
        ("Royal College of Anaesthetists", "Centre for Perioperative Care"),
    }
    for record in joint:
        assert parse_record_page(record)["recipients"] == list(record.recipients)
    with_partners = record_where(lambda r: "in collaboration with" in r.recommendation_text[:120])
    for record in with_partners:
        assert len(record.recipients) == 1
        assert parse_record_page(record)["recipients"] == list(record.recipients)


def test_recipient_heading_wins_over_the_text_and_drops_the_acronym():
    headed = record_where(lambda r: r.recipient_heading)
    assert len(headed) == 2
    for record in headed:
        parsed = parse_record_page(record)
        assert parsed["recipients_source"] == "recipient_heading"
        assert parsed["recipient_heading"] == record.recipient_heading
        assert parsed["recipients"] == list(record.recipients)
    nihr = next(r for r in headed if "Research" in r.recipient_heading)
    # The text names the body's old name; the heading its current one.
    assert (
        parse_record_page(nihr)["recipient_phrase"] == "the National Institute for Health Research"
    )


@pytest.mark.parametrize(
    "heading",
    [
        "Actions planned to deliver safety recommendation:",
        "Action planned to deliver safety recommendation:",
    ],
)
def test_actions_heading_variants_from_the_records(heading):
    for record in record_where(lambda r: r.actions and r.actions_heading == heading):
        parsed = parse_record_page(record)
        assert parsed["actions_heading"] == heading
        assert len(parsed["planned_actions"]) == len(record.actions)


def test_closure_note_instead_of_a_response():
    (record,) = record_where(lambda r: r.closure_note)
    parsed = parse_record_page(record)
    assert parsed["response_text"] is None
    assert parsed["closure_note"].startswith("HSIB has closed this recommendation response")
    assert parsed["closure_note"] == record.closure_note


def test_links_label_before_the_received_date_and_a_section_after_it():
    (record,) = record_where(lambda r: r.links_label)
    parsed = parse_record_page(record)
    assert parsed["links_label_present"] is True
    assert parsed["response_received_raw"] == "21 April 2023"
    assert parsed["response_received_date"] == "2023-04-21"
    assert "Links:" not in parsed["response_text"]
    assert parsed["additional_sections"] == [
        {"heading": "Additional actions taken by ONDG", "text": record.additional_sections[0][1]}
    ]


@pytest.mark.parametrize("where", ["recommendation", "response", "actions"])
def test_cut_off_text_is_flagged_where_it_is_cut(where):
    for record in record_where(lambda r: r.cut_off_after == where):
        parsed = parse_record_page(record)
        assert parsed["truncated"] is True
        assert parsed["truncated_in"] == where
        assert f"record cut off in the stored copy (in {where})" in parsed["parse_warnings"]
        # The notice is the snapshot's, never part of the record's text.
        for text in (parsed["recommendation_text"], parsed["response_text"] or ""):
            assert "cut off" not in text


def test_references_on_the_page_and_quoted_in_the_response():
    on_page = record_where(lambda r: r.reference_in_heading)
    assert all(parse_record_page(r)["reference_source"] == "page" for r in on_page)
    quoted = record_where(lambda r: r.reference and not r.reference_in_heading)
    assert {parse_record_page(r)["reference"] for r in quoted} == {
        "R/2023/009",
        "2023/227",
        "2023/007",
    }
    assert all(parse_record_page(r)["reference_source"] == "response_text" for r in quoted)


def test_example_page_actions_with_comments_and_due_dates():
    example = next(r for r in SITE.records if r.source_line == 0)
    actions = parse_record_page(example)["planned_actions"]
    assert [a["due_date"] for a in actions] == [
        "2025-05-31",
        "2025-06-30",
        "2025-11-30",
        "2025-12-31",
    ]
    assert actions[0]["additional_comments"].startswith("This meeting has taken place")
    assert actions[3]["additional_comments"] is None
    assert actions[0]["description"].endswith("convened by DHSC, by May 2025.")
    # A non-breaking space inside the bullet is text, kept as it is.
    assert "can\xa0 build" in actions[3]["text"]


# --- variants no record carries: hand-built pages -----------------------------------------------


def page(article: str, canonical: str | None = None) -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f"<html><head>{link}</head><body><main><article>{article}</article></main>"
        '<footer class="site-footer"></footer></body></html>'
    )


def test_short_actions_heading_and_date_in_a_separate_element():
    html = page(
        "<h1>Some investigation</h1>"
        "<p>From the investigation: <a href='/patient-safety-investigations/x/'>Some inv</a></p>"
        "<p>Recommendation date:</p><p>3 March 2024</p>"
        "<h2>Safety recommendation</h2><p>HSSIB recommends that NHS England reviews it.</p>"
        "<h2>Response:</h2><p>Accepted.</p>"
        "<h2>Actions:</h2><ul><li>Review, by Spring 2025.</li></ul>"
        "<p>Response received on 1 June 2024.</p>",
        canonical="https://www.hssib.org.uk/safety-recommendations-log/x-2",
    )
    parsed = parsing.parse_recommendation_page(
        html, CRAWL_ORIGIN + "/safety-recommendations-log/x-2"
    )
    assert parsed["actions_heading"] == "Actions:"
    assert parsed["planned_actions"][0]["due_date"] == "2025-05-31"
    assert parsed["recommendation_date_raw"] == "3 March 2024"
    assert parsed["recommendation_date"] == "2024-03-03"
    assert (
        parsed["investigation_url"] == "https://www.hssib.org.uk/patient-safety-investigations/x/"
    )
    assert parsed["log_url"] == "https://www.hssib.org.uk/safety-recommendations-log/x-2"
    assert parsed["response_received_date"] == "2024-06-01"
    assert parsed["parse_warnings"] == []


def test_date_in_the_same_element_and_an_unparseable_one():
    html = page(
        "<h1>T</h1><div><span>Recommendation date:</span> <span>sometime 2024</span></div>"
        "<h2>Safety recommendation</h2><p>HSSIB recommends that NHS England acts.</p>"
    )
    parsed = parsing.parse_recommendation_page(
        html, "https://www.hssib.org.uk/safety-recommendations-log/t"
    )
    assert parsed["recommendation_date_raw"] == "sometime 2024"
    assert parsed["recommendation_date"] is None
    assert "unparseable recommendation date: 'sometime 2024'" in parsed["parse_warnings"]
    # Crawled from hssib.org.uk itself: the URL is the real address even without a canonical link.
    assert parsed["log_url"] == "https://www.hssib.org.uk/safety-recommendations-log/t"


def test_text_is_escaped_in_pages_and_read_back_verbatim():
    record = RECORDS["line-1"]
    hostile = 'HSSIB recommends that NHS England <script>alert(1)</script> & "checks" it.\nNext'
    html = render_recommendation_page(
        record.__class__(**{**record.__dict__, "recommendation_text": hostile})
    )
    assert "<script>" not in html
    parsed = parsing.parse_recommendation_page(html, CRAWL_ORIGIN + record.page_path)
    assert parsed["recommendation_text"] == hostile


def test_page_with_no_recommendation_text_warns():
    parsed = parsing.parse_recommendation_page(page("<h1>T</h1>"), CRAWL_ORIGIN + "/x")
    assert parsed["recommendation_text"] is None
    assert "no safety recommendation text on the page" in parsed["parse_warnings"]
    assert "no recipient found in the recommendation text" in parsed["parse_warnings"]


def test_listing_pages_link_every_record_once_and_chain_with_next():
    seen, page_number, next_url = [], 1, True
    while next_url:
        listing = parsing.parse_listing_page(
            render_listing_page(SITE, page_number), CRAWL_ORIGIN + "/safety-recommendations-log/"
        )
        seen.extend(entry.item_url for entry in listing.entries)
        next_url = listing.next_page_url
        page_number += 1
    assert seen == [CRAWL_ORIGIN + record.page_path for record in SITE.records]
    assert page_number - 1 == SITE.page_count == 5


def test_investigation_page_blocks_and_a_block_without_a_log_link():
    investigation = SITE.investigations[
        "residual-drugs-in-intravenous-cannulae-and-extension-lines"
    ]
    url = CRAWL_ORIGIN + investigation.path
    parsed = parsing.parse_investigation_page(render_investigation_page(investigation), url)
    assert parsed["title"] == investigation.title
    assert parsed["url"] == investigation.canonical_url
    assert [b["log_item_url"] for b in parsed["recommendations"]] == [
        CRAWL_ORIGIN + record.page_path for record in investigation.records
    ]
    html = page(
        '<h1>Inv</h1><div class="investigation-recommendation"><h3>NHS England and NHS '
        "Improvement</h3><p>It is recommended that NHS England and NHS Improvement acts.</p>"
        '<p class="cut-off-notice">This record is cut off in the stored copy; the rest of the text '
        "is not available.</p></div>"
    )
    only_block = parsing.parse_investigation_page(html, url)
    fields = parsing.recommendation_from_investigation_block(
        only_block["recommendations"][0], only_block
    )
    assert fields["recipients"] == ["NHS England and NHS Improvement"]
    assert fields["truncated"] is True
    assert fields["log_url"] is None
    assert fields["recommendation_text"] == (
        "It is recommended that NHS England and NHS Improvement acts."
    )


# --- recipients ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HSSIB recommends that NHS England explores it.", ["NHS England"]),
        (
            "It is recommended that NHS England and NHS Improvement develops it.",
            ["NHS England and NHS Improvement"],
        ),
        (
            "HSSIB recommends that The Shelford Group reviews it.",
            ["The Shelford Group"],
        ),
        (
            "It is recommended that the MEDUSA (UK Injectable Medicines Guide) advisory board, in "
            "conjunction with others, develops it.",
            ["MEDUSA (UK Injectable Medicines Guide) advisory board"],
        ),
        (
            "HSSIB recommends that the Department of Health and Social Care working with NHS "
            "England, and other relevant stakeholders, develop it.",
            ["Department of Health and Social Care"],
        ),
        (
            "HSIB recommends that the Royal College of Paediatrics and Child Health identifies it.",
            ["Royal College of Paediatrics and Child Health"],
        ),
        (
            "HSSIB recommends that NHS England, the Care Quality Commission and the General Medical"
            " Council work together to do it.",
            ["NHS England", "Care Quality Commission", "General Medical Council"],
        ),
        (
            "HSSIB recommends that NHS England, in collaboration with the Care Quality "
            "Commission, reviews it.",
            ["NHS England"],
        ),
        ("Something else entirely.", []),
        ("The Care Quality Commission should review it.", ["Care Quality Commission"]),
    ],
)
def test_recipients(text, expected):
    assert parsing.parse_recipients(text).names == expected


def test_split_recipient_names_keeps_names_with_and_whole():
    assert parsing.split_recipient_names(
        "NHS England, the Care Quality Commission and HM Prison and Probation Service"
    ) == ["NHS England", "Care Quality Commission", "HM Prison and Probation Service"]


# --- due dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "due_text", "due_date", "rule"),
    [
        ("Update the form, by September 2024.", "by September 2024", date(2024, 9, 30), "month"),
        ("Workshop, by Autumn 2025.", "by Autumn 2025", date(2025, 11, 30), "season"),
        ("Delphi process by Summer 2022", "by Summer 2022", date(2022, 8, 31), "season"),
        ("Plan by Spring 2023", "by Spring 2023", date(2023, 5, 31), "season"),
        (
            "Meeting, by November - December 2025.",
            "by November - December 2025",
            date(2025, 12, 31),
            "month_range",
        ),
        (
            "Meeting, by November–December 2025",
            "by November–December 2025",
            date(2025, 12, 31),
            "month_range",
        ),
        (
            "Pilot by Spring to Summer 2024",
            "by Spring to Summer 2024",
            date(2024, 8, 31),
            "season_range",
        ),
        ("Report by February 2024", "by February 2024", date(2024, 2, 29), "month"),
        ("Report by Sept 2021", "by Sept 2021", date(2021, 9, 30), "month"),
        ("Launch by Q3 2025", "by Q3 2025", date(2025, 9, 30), "quarter"),
        ("Launch by the end of 2026", "by the end of 2026", date(2026, 12, 31), "year"),
        (
            "ratification by RCPCH Medicines Committee by Autumn 2022",
            "by Autumn 2022",
            date(2022, 11, 30),
            "season",
        ),
        (
            "guidance published by RCPCH website by January 2023.",
            "by January 2023",
            date(2023, 1, 31),
            "month",
        ),
    ],
)
def test_due_phrases_are_read_as_the_end_of_the_period(text, due_text, due_date, rule):
    due = parsing.find_due_phrase(text)
    assert (due.text, due.due_date, due.rule) == (due_text, due_date, rule)


def test_winter_runs_into_the_next_year_and_says_so():
    due = parsing.find_due_phrase("Review by Winter 2025")
    assert due.due_date == date(2026, 2, 28)
    assert "December 2025 to February 2026" in due.warnings[0]


@pytest.mark.parametrize("text", ["Phase 1.", "Agree scop", "by RCPCH", "by 12 May", "by May"])
def test_no_due_phrase(text):
    assert parsing.find_due_phrase(text) is None


def test_action_without_due_date_warns_and_keeps_text():
    action, warnings = parsing.parse_planned_action("Agree scop", 2)
    assert action["due_date"] is None and action["text"] == "Agree scop"
    assert warnings == ["action 2: no due date in 'Agree scop'"]


def test_due_in_the_description_not_in_the_comments():
    action, _ = parsing.parse_planned_action(
        "Workshop, by May 2025. Additional comments: moved; now by June 2026.", 1
    )
    assert action["due_text"] == "by May 2025"
    assert action["additional_comments"] == "moved; now by June 2026."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25 August 2025", date(2025, 8, 25)),
        ("1st Sept 2021", date(2021, 9, 1)),
        ("31 February 2021", None),
        ("August 2025", None),
        (None, None),
    ],
)
def test_day_month_year(text, expected):
    assert parsing.parse_day_month_year(text) == expected


def test_canonicalize_url_only_touches_the_crawled_origin_and_hssib():
    assert (
        parsing.canonicalize_url(CRAWL_ORIGIN + "/a?b=1", CRAWL_ORIGIN)
        == "https://www.hssib.org.uk/a?b=1"
    )
    assert parsing.canonicalize_url("https://hssib.org.uk/x", CRAWL_ORIGIN) == (
        "https://www.hssib.org.uk/x"
    )
    assert parsing.canonicalize_url("https://example.org/x", CRAWL_ORIGIN) == (
        "https://example.org/x"
    )
    with pytest.raises(ValueError, match="not an absolute URL"):
        parsing.origin_of("/relative")
