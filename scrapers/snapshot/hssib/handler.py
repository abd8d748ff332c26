"""Request handling for the HSSIB section, as one pure function the snapshot server can call.

``handle_request(path, query, site)`` answers the paths that mirror hssib.org.uk's safety
recommendations log and investigation pages, and returns None for every other path so the
server can route it elsewhere. It does no IO: the caller owns the socket.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from scrapers.snapshot.hssib import render
from scrapers.snapshot.hssib.site import INVESTIGATIONS_PATH, LOG_PATH, HssibSite

HTML = "text/html; charset=utf-8"
PAGE_PARAMETER = "page"

HandlerResult = tuple[int, dict[str, str], bytes]


def handles_path(path: str) -> bool:
    """Whether ``path`` belongs to the HSSIB section (the server's routing test)."""
    return (
        path.startswith(LOG_PATH)
        or path == LOG_PATH.rstrip("/")
        or path.startswith(INVESTIGATIONS_PATH)
    )


def _html(status: int, text: str) -> HandlerResult:
    body = text.encode("utf-8")
    headers = {"Content-Type": HTML}
    if status == 200:
        headers["ETag"] = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return status, headers, body


def _query_value(query: Mapping[str, str | Sequence[str]], name: str) -> str | None:
    """One query parameter from either ``parse_qs`` output (lists) or a plain mapping."""
    value = query.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    values = list(value)
    return values[-1] if values else None


def handle_request(
    path: str, query: Mapping[str, str | Sequence[str]], site: HssibSite
) -> HandlerResult | None:
    """Answer an HSSIB snapshot path: ``(status, headers, body)``, or None if not ours.

    - ``/safety-recommendations-log/`` (also without the slash), ``?page=N`` from 1: listing;
    - ``/safety-recommendations-log/<slug>`` and ``.../stand-in/<slug>/<id>``: one recommendation;
    - ``/patient-safety-investigations/<slug>/``: an investigation and its recommendations.
    Unknown pages under these prefixes answer 404; a page number that is not a positive
    integer answers 400 with a message naming it.
    """
    if not handles_path(path):
        return None
    if path in (LOG_PATH, LOG_PATH.rstrip("/")):
        raw_page = _query_value(query, PAGE_PARAMETER)
        page = 1
        if raw_page is not None:
            if not raw_page.isdigit() or int(raw_page) < 1:
                return _html(
                    400,
                    render.render_bad_request(
                        f"page must be a whole number from 1, not {raw_page!r}"
                    ),
                )
            page = int(raw_page)
        listing = render.render_listing_page(site, page)
        if listing is None:
            return _html(404, render.render_not_found(f"{path}?page={page}"))
        return _html(200, listing)
    if path.startswith(LOG_PATH):
        record = site.record_at(path)
        if record is None:
            return _html(404, render.render_not_found(path))
        return _html(200, render.render_recommendation_page(record))
    investigation = site.investigation_at(path)
    if investigation is None:
        return _html(404, render.render_not_found(path))
    return _html(200, render.render_investigation_page(investigation))
