"""The parser and the spider on the one real HSSIB page the project holds, not on pages the
snapshot's renderer made from its own reading of it.

``scrapers/snapshot/hssib/data/example_recommendation_page.txt`` is the rendered text of a real log
page (mental health inpatient settings; DHSC's response received 25 August 2025). Here it becomes
plain HTML by a rule of this module alone (first line ``h1``, a line not ending in "." ``h2``, a
bullet ``li``, anything else ``p``; no classes), and the expected values are the page's own words,
written out below. The saved fixture (rendered by the snapshot) is checked to show the same text
and to parse to the same values.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse, Request

from scrapers.hssib_recommendations import parsing
from scrapers.hssib_recommendations.items import HssibRecommendationItem
from scrapers.hssib_recommendations.spider import HssibRecommendationsSpider

REAL_PAGE_TEXT = (
    Path(__file__).resolve().parents[3]
    / "scrapers"
    / "snapshot"
    / "hssib"
    / "data"
    / "example_recommendation_page.txt"
).read_text(encoding="utf-8")
SAVED_FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "fixtures"
    / "hssib_recommendations"
    / "example_recommendation_page.html"
)
BULLET = "  • "
ORIGIN = "http://127.0.0.1:8765"
FIXED_CLOCK = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
PAGE_PATH = "/safety-recommendations-log/mental-health-inpatient-settings"
INVESTIGATION_URL = (
    "https://www.hssib.org.uk/patient-safety-investigations/mental-health-inpatient-settings/"
)

# --- the page's words ----------------------------------------------------------------------------

TITLE = "Mental health inpatient settings"
RECOMMENDATION = (
    "HSSIB recommends that the Department of Health and Social Care working with NHS England, and"
    " other relevant stakeholders, develop a comprehensive, unified data set with agreed"
    " definitions for recording and reporting deaths in mental health services to include deaths"
    " that occur within a specific time period after discharge. This will support any revisions"
    " required to the current NHS England Learning from Deaths Framework. The creation of a"
    " comprehensive, unified data set would enhance system-wide visibility, co-ordination and"
    " collaboration, reduce duplication of effort, and maximise the impact of improvement work"
    " through strategic oversight."
)
RESPONSE_OPENINGS = [
    "We recognise that, across health services and system partners,",
    "To most effectively work towards addressing this recommendation,",
    "As a first step to meet this recommendation, DHSC convened a meeting in May 2025",
    "As a result of this meeting, we recognised that,",
    "However, in the meeting, system partners also recognised",
    "It was agreed that health system partners should focus in the immediate term",
    "DHSC will convene a workshop in the autumn",
]
RESPONSE_LAST_WORDS = "to identify how to more efficiently use the data we have available."
# (description, due text, due date, rule, additional comments)
ACTIONS = [
    (
        "Creation of a unified data set with agreed definitions for recording and reporting deaths"
        " in mental health services to be discussed at a stakeholder meeting convened by DHSC, by"
        " May 2025.",
        "by May 2025",
        "2025-05-31",
        "month",
        "This meeting has taken place, and it has been agreed that DHSC will convene a further"
        " workshop in the autumn to map existing data flows.",
    ),
    (
        "DHSC, CQC, and NHSE to liaise separately to discuss next steps from Mortality Data Working"
        " Group and potential timelines, by June 2025.",
        "by June 2025",
        "2025-06-30",
        "month",
        "Agreed that DHSC will convene a further workshop in the autumn to map existing data"
        " flows.",
    ),
    (
        "DHSC workshop on mortality data, by Autumn 2025.",
        "by Autumn 2025",
        "2025-11-30",
        "season",
        "As above. The purpose of this workshop will be to map existing mortality data flows across"
        " the healthcare system to inform future action to improve mortality data.",
    ),
    (
        # The page has a non-breaking space and a space between "can" and "build".
        "Mortality Data working group meeting to be reconvened in six months to establish how we"
        " can\xa0 build on the existing data flows to deliver improvements to mortality data, by"
        " November - December 2025.",
        "by November - December 2025",
        "2025-12-31",
        "month_range",
        None,
    ),
]


def page_from_text(text: str) -> str:
    """The real page's text as plain HTML (the rule in the module docstring)."""
    lines = [line for line in text.split("\n") if line.strip()]
    body = [f"<h1>{html.escape(lines[0])}</h1>"]
    in_list = False
    for line in lines[1:]:
        if line.startswith(BULLET) != in_list:
            body.append("<ul>" if not in_list else "</ul>")
            in_list = not in_list
        if in_list:
            body.append(f"<li>{html.escape(line[len(BULLET) :])}</li>")
        elif line.rstrip().endswith("."):
            body.append(f"<p>{html.escape(line)}</p>")
        else:
            body.append(f"<h2>{html.escape(line)}</h2>")
    return (
        "<!DOCTYPE html><html><head><title>HSSIB</title></head><body><main><article>"
        + "".join(body)
        + "</article></main><footer class='site-footer'></footer></body></html>"
    )


PAGES = {
    "real_text": lambda: page_from_text(REAL_PAGE_TEXT),
    "saved_fixture": lambda: SAVED_FIXTURE.read_text(encoding="utf-8"),
}


def test_the_text_file_is_the_page_these_tests_expect():
    # Guards the expected values above against a swapped or edited file.
    assert REAL_PAGE_TEXT.startswith(TITLE + "\n\nFrom the investigation: " + TITLE + "\n")
    assert RECOMMENDATION in REAL_PAGE_TEXT.split("\n")
    assert REAL_PAGE_TEXT.count(BULLET) == len(ACTIONS) == 4
    assert "\nResponse received on 25 August 2025.\n" in REAL_PAGE_TEXT


def test_saved_fixture_shows_exactly_the_real_page_text():
    article = Selector(text=SAVED_FIXTURE.read_text(encoding="utf-8")).css("main article")[0]
    shown = " ".join(
        article.xpath(".//text()[not(ancestor::aside[contains(@class, 'snapshot-note')])]").getall()
    )
    assert shown.split() == REAL_PAGE_TEXT.replace(BULLET, " ").split()


@pytest.mark.parametrize("source", sorted(PAGES))
def test_real_page_parses_to_its_own_words(source):
    parsed = parsing.parse_recommendation_page(PAGES[source](), ORIGIN + PAGE_PATH)

    assert parsed["page_title"] == TITLE
    assert parsed["investigation_title"] == TITLE
    assert parsed["recommendation_text"] == RECOMMENDATION
    assert parsed["recommendation_prefix"] == "HSSIB recommends that"
    assert parsed["recipient_phrase"] == "the Department of Health and Social Care"
    # NHS England and "other relevant stakeholders" work with the recipient; they are not one.
    assert parsed["recipients"] == ["Department of Health and Social Care"]
    assert parsed["recipients_source"] == "prefix"
    assert (parsed["recommendation_date_raw"], parsed["recommendation_date"]) == (None, None)

    paragraphs = parsed["response_text"].split("\n\n")
    assert len(paragraphs) == len(RESPONSE_OPENINGS) == 7
    for paragraph, opening in zip(paragraphs, RESPONSE_OPENINGS, strict=True):
        assert paragraph.startswith(opening)
        assert paragraph in REAL_PAGE_TEXT.split("\n")  # verbatim, one line of the page each
    assert paragraphs[-1].endswith(RESPONSE_LAST_WORDS)
    assert "HSSIB's report" in paragraphs[3]

    assert parsed["actions_heading"] == "Actions planned to deliver safety recommendation:"
    assert [
        (
            a["position"],
            a["description"],
            a["due_text"],
            a["due_date"],
            a["due_rule"],
            a["additional_comments"],
        )
        for a in parsed["planned_actions"]
    ] == [(position, *action) for position, action in enumerate(ACTIONS, start=1)]
    bullets = [line[len(BULLET) :] for line in REAL_PAGE_TEXT.split("\n") if BULLET in line]
    assert [a["text"] for a in parsed["planned_actions"]] == bullets

    assert parsed["response_received_raw"] == "25 August 2025"
    assert parsed["response_received_date"] == "2025-08-25"
    assert (parsed["reference"], parsed["closure_note"], parsed["additional_sections"]) == (
        None,
        None,
        [],
    )
    assert (parsed["truncated"], parsed["truncated_in"]) == (False, None)
    assert parsed["log_url"] is None  # neither page says its address on hssib.org.uk
    assert parsed["parse_warnings"] == [
        "log item address on hssib.org.uk not known: the page declares no canonical link",
        "recommendation date is empty",
    ]


def test_both_versions_of_the_real_page_parse_alike():
    real, saved = (
        parsing.parse_recommendation_page(PAGES[source](), ORIGIN + PAGE_PATH)
        for source in ("real_text", "saved_fixture")
    )
    # Only the investigation link differs: the text file does not hold its address.
    assert real.pop("investigation_url") is None
    assert saved.pop("investigation_url") == INVESTIGATION_URL
    assert real == saved


def test_spider_makes_the_item_from_the_real_page():
    url = ORIGIN + PAGE_PATH
    response = HtmlResponse(
        url,
        body=page_from_text(REAL_PAGE_TEXT).encode("utf-8"),
        encoding="utf-8",
        headers={"ETag": '"real"'},
        request=Request(url, meta={"stage": "test"}),
    )
    context = {
        "investigation_title": TITLE,
        "investigation_url": INVESTIGATION_URL,
        "investigation_source": "listing",
    }
    spider = HssibRecommendationsSpider(base_url=ORIGIN, clock=lambda: FIXED_CLOCK)
    (item,) = spider.parse_recommendation(response, context, 5)

    assert isinstance(item, HssibRecommendationItem)
    assert set(item.keys()) == set(HssibRecommendationItem.fields)
    assert item["page_path"] == PAGE_PATH
    assert (item["source_page_kind"], item["listing_page"]) == ("log_item", 5)
    # The title is the page's own; only the link comes from the listing.
    assert item["investigation_title"] == TITLE
    assert item["investigation_source"] == "page"
    assert item["investigation_url"] == INVESTIGATION_URL
    assert item["recommendation_text"] == RECOMMENDATION
    assert item["recipients"] == ["Department of Health and Social Care"]
    assert item["response_received_date"] == "2025-08-25"
    assert [(a["due_text"], a["due_date"]) for a in item["planned_actions"]] == [
        (due_text, due_date) for _, due_text, due_date, _, _ in ACTIONS
    ]
    assert item["truncated"] is False
    assert item["crawled_at"] == FIXED_CLOCK.isoformat()
    assert item["http_etag"] == '"real"'
