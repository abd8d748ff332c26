"""Shared helpers for the snapshot tests: fixed as-of days and a tiny keep-alive HTTP client."""

from __future__ import annotations

import datetime as dt
import http.client
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from scrapers.snapshot.server import SnapshotConfig, serve_in_background
from scrapers.snapshot.site import SnapshotSite

# Every row of the CSV is listed on this day (the newest date added is 29/01/2026 and the 47
# removed pages are still up).
EVERYTHING_LISTED_ON = dt.date(2026, 1, 31)
AFTER_REMOVALS = dt.date(2026, 3, 1)


@dataclass
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(
    base_url: str,
    target: str,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    timeout: float = 10.0,
) -> Fetched:
    connection = http.client.HTTPConnection(urlsplit(base_url).netloc, timeout=timeout)
    try:
        connection.request(method, target, headers=headers or {})
        response = connection.getresponse()
        return Fetched(response.status, response.headers, response.read())
    finally:
        connection.close()


@pytest.fixture(scope="session")
def site_everything_listed() -> SnapshotSite:
    return SnapshotSite(EVERYTHING_LISTED_ON)


@pytest.fixture(scope="session")
def site_after_removals() -> SnapshotSite:
    return SnapshotSite(AFTER_REMOVALS)


@pytest.fixture(scope="session")
def snapshot_server():
    """A fault-free server for the whole session, as of 2026-03-01."""
    with serve_in_background(SnapshotConfig(as_of=AFTER_REMOVALS)) as server:
        yield server
