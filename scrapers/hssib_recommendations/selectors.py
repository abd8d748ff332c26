"""Every selector, label and phrase the hssib_recommendations parser relies on.

When hssib.org.uk changes its markup or wording, this is the one file to fix. No raw HTML of the
real site is available offline: the labels below are exact (they come from stored page text,
see the project's hssib-site notes), while the element structure (``article`` holding headings,
paragraphs and lists in page order) is the contract the offline snapshot renders. The parser
therefore finds sections by their label text, not by class names, and only uses classes for
things the snapshot adds (its stand-in notes).
"""

from __future__ import annotations

import re

from scrapers.hssib_recommendations import CANONICAL_ORIGIN  # noqa: F401 (sel.CANONICAL_ORIGIN)

# Hosts whose URLs are already real addresses (the crawler talked to the live site).
REAL_HOSTS = frozenset({"www.hssib.org.uk", "hssib.org.uk"})
LOG_PATH = "/safety-recommendations-log/"
INVESTIGATIONS_PATH = "/patient-safety-investigations/"

# --- any page ----------------------------------------------------------------------------------
# A page whose footer is missing was cut off in transit (the server closed early).
PAGE_FOOTER = "footer.site-footer"
CANONICAL_LINK = "link[rel=canonical]::attr(href)"
MAIN_CONTENT = "main article, main"

# The offline replica states, in each log item page's <head>, the day of the stored copy it
# serves and how to read that day ("on_or_after": a lower bound; the copy's own day is not
# recorded). hssib.org.uk has neither tag: a live page is captured when it is fetched.
CAPTURED_ON_META = 'meta[name="pfdw:captured-on"]::attr(content)'
CAPTURE_DATE_BASIS_META = 'meta[name="pfdw:capture-date-basis"]::attr(content)'
CAPTURE_DATE_BASES = frozenset({"on_or_after"})

# --- listing pages -----------------------------------------------------------------------------
LISTING_ENTRY = "li.log-entry"
LISTING_ENTRY_ITEM_LINK = "h2 a::attr(href), h3 a::attr(href)"
LISTING_ENTRY_INVESTIGATION_LINK = "p.log-entry__investigation a"
LISTING_NEXT_PAGE = "nav.pagination a[rel=next]::attr(href)"

# --- recommendation (log item) pages -----------------------------------------------------------
# Blocks the parser walks, in document order, inside the main article.
BLOCK_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "dt", "dd"})
CONTAINER_TAGS = frozenset({"section", "div", "ul", "ol", "dl", "header", "footer", "aside"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Added by the offline snapshot only (provenance notes): never part of the record.
SNAPSHOT_NOTE_CLASS = "snapshot-note"

INVESTIGATION_LABEL = "From the investigation:"
RECOMMENDATION_DATE_LABEL = "Recommendation date:"
RECOMMENDATION_HEADING = "Safety recommendation"
RESPONSE_HEADING = "Response:"
ACTIONS_HEADINGS = (
    "Actions planned to deliver safety recommendation:",
    "Action planned to deliver safety recommendation:",
    "Actions:",
)
LINKS_LABEL = "Links:"
ADDITIONAL_COMMENTS_LABEL = "Additional comments:"
BACK_TO_LOG_TEXT = "Back to safety recommendations log"
RESPONSE_RECEIVED = re.compile(r"^\s*Response received on\s+(?P<date>.+?)\.?\s*$")
# The snapshot's plain statement where a stored copy ends (see scrapers/snapshot/hssib).
CUT_OFF_NOTICE = "This record is cut off in the stored copy"
# A note that stands in place of a response when HSSIB closed the recommendation.
CLOSURE_NOTE = re.compile(r"\bhas closed this recommendation\b", re.IGNORECASE)

# Prefixes that introduce the recipient, longest first; None-prefix pages name the body first.
RECOMMENDATION_PREFIXES = (
    "HSSIB recommends that",
    "HSIB recommends that",
    "It is recommended that",
)
# References: on the page (e.g. in the recommendation heading) or quoted in the response.
REFERENCE_ON_PAGE = re.compile(r"\b(R/\d{4}/\d{3})\b")
REFERENCE_QUOTED = re.compile(
    r"\b[Ss]afety [Rr]ecommendation\s+(R/\d{4}/\d{3}|\d{4}/\d{3})\b|\b(R/\d{4}/\d{3})\b"
)

# --- investigation pages -----------------------------------------------------------------------
INVESTIGATION_TITLE = "main h1"
INVESTIGATION_BLOCK = "div.investigation-recommendation"
INVESTIGATION_BLOCK_RECIPIENT = "h3"
INVESTIGATION_BLOCK_LOG_LINK = "a.investigation-recommendation__link::attr(href)"
