"""Helpers for the judiciary_pfd tests: saved pages as Scrapy responses, and a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.http import HtmlResponse, Request

from scrapers.judiciary_pfd.spider import JudiciaryPfdSpider

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "judiciary_pfd"
FIXTURE_ORIGIN = "http://127.0.0.1:8765"
CANONICAL = "https://www.judiciary.uk"
FROZEN_NOW = datetime(2026, 2, 1, 12, 30, 0, tzinfo=UTC)
FROZEN_NOW_ISO = "2026-02-01T12:30:00+00:00"


def frozen_clock() -> datetime:
    return FROZEN_NOW


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def file_response(
    name_or_body: str,
    url: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    meta: dict[str, Any] | None = None,
    request: Request | None = None,
) -> HtmlResponse:
    """A response for ``url`` whose body is a saved fixture (by file name) or literal HTML."""
    body = fixture_text(name_or_body) if name_or_body.endswith(".html") else name_or_body
    request = request or Request(url, meta=meta or {})
    return HtmlResponse(
        url=url,
        status=status,
        headers=headers,
        body=body.encode("utf-8"),
        encoding="utf-8",
        request=request,
    )


def make_spider(**kwargs: Any) -> JudiciaryPfdSpider:
    kwargs.setdefault("base_url", FIXTURE_ORIGIN)
    kwargs.setdefault("clock", frozen_clock)
    return JudiciaryPfdSpider(**kwargs)


def report_url(slug: str, origin: str = FIXTURE_ORIGIN) -> str:
    return f"{origin}/prevention-of-future-death-reports/{slug}/"
