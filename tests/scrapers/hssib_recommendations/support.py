"""Helpers for the HSSIB tests: a tiny stdlib server around the snapshot's handler, and the
expected values of every record read straight from the bundled data."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from scrapers.snapshot.hssib import HssibSite, handle_request, load_site
from scrapers.snapshot.hssib.site import CANONICAL_ORIGIN, Record

# The example page's due phrases, read off its bullets by hand (the text file does not list them).
EXAMPLE_DUE_TEXTS = ["by May 2025", "by June 2025", "by Autumn 2025", "by November - December 2025"]


class _Handler(BaseHTTPRequestHandler):
    server: _HssibServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        answer = handle_request(parts.path, parse_qs(parts.query), self.server.site)
        if answer is None:
            status, headers, body = 404, {"Content-Type": "text/plain"}, b"not the HSSIB section"
        else:
            status, headers, body = answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        return


class _HssibServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: HssibSite) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site


@contextlib.contextmanager
def serve_hssib(site: HssibSite | None = None) -> Iterator[str]:
    """Serve the HSSIB section on 127.0.0.1 in a thread; yields the base URL."""
    server = _HssibServer(site or load_site())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def expected_reference(record: Record) -> str | None:
    """The reference as a crawl can read it: "2023/227 (as quoted in response)" -> "2023/227"."""
    if record.reference is None:
        return None
    return record.reference.split(" (")[0]


def expected_investigation_url(record: Record) -> str:
    return f"{CANONICAL_ORIGIN}/patient-safety-investigations/{record.investigation_slug}/"


def expected_due_texts(record: Record) -> list[str | None]:
    if record.source_line == 0:
        return EXAMPLE_DUE_TEXTS
    return [action.due for action in record.actions]
