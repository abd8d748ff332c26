"""A threaded HTTP/1.1 server for the offline snapshot, with reproducible fault injection.

The crawl runner uses exactly::

    from scrapers.snapshot.server import SnapshotConfig, FaultConfig, serve_in_background
    with serve_in_background(SnapshotConfig(as_of=..., layout="current")) as server:
        server.base_url   # "http://127.0.0.1:<port>"
        server.site       # the SnapshotSite being served

and ``pfdw snapshot serve`` (``main``) serves until Ctrl-C.

Faults apply to listing and report pages only (documents and 404s are never faulty; robots.txt
only when a fault gives its text);
which request meets which fault is decided in ``scrapers.snapshot.faults`` (``FaultConfig`` is
importable from here too), and this module applies it to the answer.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import email.utils
import hashlib
import re
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from scrapers.snapshot import hssib, pdf, render
from scrapers.snapshot.faults import (
    ROBOTS_DISALLOW_ALL,
    FaultConfig,
    FaultInjector,
    truncate_body,
)
from scrapers.snapshot.site import (
    CATEGORIES_BY_SLUG,
    CATEGORY_ARCHIVE_PREFIX,
    LISTING_PATH,
    UPLOADS_PREFIX,
    DateFilter,
    SnapshotSite,
)

DEFAULT_PORT = 8765
# A timed-out request sleeps this much longer than FaultConfig.timeout_seconds.
TIMEOUT_MARGIN_SECONDS = 0.5
# Search URLs are unbounded; past this many cached responses the cache starts again.
MAX_CACHED_RESPONSES = 50_000
HTML = "text/html; charset=UTF-8"
ROBOTS_TYPE = "text/plain; charset=UTF-8"

_PAGE_SUFFIX = re.compile(r"^(?P<base>.*?/)page/(?P<number>\d+)/$")
_DATE_FILTER_FIELDS = ("day", "month", "year")


@dataclass(frozen=True)
class SnapshotConfig:
    as_of: dt.date | None = None
    layout: str = "current"
    faults: FaultConfig = field(default_factory=FaultConfig)
    host: str = "127.0.0.1"
    port: int = 0

    def __post_init__(self) -> None:
        if not render.layout_is_known(self.layout):
            raise ValueError(
                f"unknown layout {self.layout!r}; expected one of {', '.join(render.LAYOUTS)}"
            )
        if self.as_of is not None and not isinstance(self.as_of, dt.date):
            raise ValueError(f"as_of must be a datetime.date or None, not {self.as_of!r}")
        if not isinstance(self.port, int) or not 0 <= self.port <= 65535:
            raise ValueError(f"port must be an integer from 0 to 65535, not {self.port!r}")


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    last_modified: dt.date | None = None
    etag: str | None = None
    location: str | None = None
    fault_eligible: bool = False  # listing and report pages only


def _page(
    status: int,
    html_text: str,
    last_modified: dt.date | None = None,
    origin: str | None = None,
    **extra,
) -> Response:
    body = html_text.encode("utf-8")
    etag = None
    if status == 200:
        # The tag must not depend on the port this server happens to listen on, or a page would
        # never match the ETag a crawler stored from the previous run's server.
        stable = html_text.replace(origin, render.CANONICAL_ORIGIN) if origin else html_text
        etag = '"' + hashlib.sha256(stable.encode("utf-8")).hexdigest()[:32] + '"'
    return Response(status, HTML, body, last_modified=last_modified, etag=etag, **extra)


class SnapshotApp:
    """Routes a request target to a response; responses are cached per (target, as_of, layout)."""

    def __init__(self, site: SnapshotSite, origin: str, layout: str = "current") -> None:
        if not render.layout_is_known(layout):
            raise ValueError(f"unknown layout {layout!r}")
        self.site = site
        self.origin = origin
        self.layout = layout
        self._cache: dict[tuple[str, dt.date, str], Response] = {}
        self._hssib_site: hssib.HssibSite | None = None  # loaded on the first HSSIB request
        self._hssib_lock = threading.Lock()
        listed = site.listed_entries()
        self._newest_listed = max((e.effective_date for e in listed), default=None)

    def respond(self, target: str) -> Response:
        key = (target, self.site.as_of, self.layout)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        response = self._route(target)
        if len(self._cache) >= MAX_CACHED_RESPONSES:
            self._cache.clear()
        self._cache[key] = response
        return response

    def not_found(self) -> Response:
        return _page(404, render.render_not_found(self.origin))

    def _route(self, target: str) -> Response:
        parts = urlsplit(target)
        path, query = parts.path or "/", parts.query
        if path == "/robots.txt":
            body = render.render_robots(self.origin).encode("utf-8")
            return Response(200, ROBOTS_TYPE, body)
        if path.startswith(UPLOADS_PREFIX):
            return self._document(path)
        if path.startswith(LISTING_PATH):
            return self._pfd_section(path)
        if path.startswith(CATEGORY_ARCHIVE_PREFIX):
            return self._category_archive(path)
        if path == "/" or _PAGE_SUFFIX.match(path):
            return self._search_or_home(path, query)
        if hssib.handles_path(path):
            return self._hssib(path, query)
        return self.not_found()

    def _hssib(self, path: str, query: str) -> Response:
        """The HSSIB safety recommendations section (scrapers.snapshot.hssib), mounted here."""
        with self._hssib_lock:
            if self._hssib_site is None:
                self._hssib_site = hssib.load_site()
        result = hssib.handle_request(
            path, parse_qs(query, keep_blank_values=True), self._hssib_site
        )
        if result is None:
            return self.not_found()
        status, headers, body = result
        return Response(
            status,
            headers.get("Content-Type", HTML),
            body,
            etag=headers.get("ETag"),
            fault_eligible=status == 200,
        )

    def _document(self, path: str) -> Response:
        """A report PDF whose text the data has is a Regulation 28 PDF; anything else a stand-in."""
        for candidate in (path, unquote(path)):
            if self.site.serves_document(candidate):
                served = self.site.document_text(candidate)
                if served is None:
                    body = pdf.stand_in_pdf(render.CANONICAL_ORIGIN + candidate)
                else:
                    text, entry = served
                    body = pdf.regulation28_pdf(text.sent_to, text.section_tuples(entry.row))
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                visible_from = self.site.document_visible_from(candidate)
                return Response(200, "application/pdf", body, visible_from, etag)
        return self.not_found()

    def _listing_page(self, entries, page: int, renderer) -> Response:
        html_text = renderer(entries, page)
        if html_text is None:
            return self.not_found()
        newest = max((e.effective_date for e in entries), default=None)
        return _page(200, html_text, newest, origin=self.origin, fault_eligible=True)

    def _pfd_section(self, path: str) -> Response:
        listed = self.site.listed_entries()
        if path == LISTING_PATH:
            return self._listing_page(
                listed, 1, lambda e, p: render.render_listing(e, p, self.origin)
            )
        paged = _PAGE_SUFFIX.match(path)
        if paged and paged.group("base") == LISTING_PATH:
            return self._listing_page(
                listed,
                int(paged.group("number")),
                lambda e, p: render.render_listing(e, p, self.origin),
            )
        if not path.endswith("/"):
            if self.site.find_entry(path + "/") is not None:
                return Response(
                    301, HTML, b"", location=f"{self.origin}{path}/", fault_eligible=False
                )
            return self.not_found()
        entry = self.site.find_entry(path)
        if entry is None:
            return self.not_found()
        documents = self.site.visible_documents(entry.url)
        html_text = render.render_report(
            entry, documents, self.origin, self.layout, text=self.site.inline_text(entry)
        )
        return _page(
            200, html_text, self.site.last_modified(entry), origin=self.origin, fault_eligible=True
        )

    def _category_archive(self, path: str) -> Response:
        rest = path[len(CATEGORY_ARCHIVE_PREFIX) :]
        page = 1
        paged = _PAGE_SUFFIX.match(path)
        if paged:
            rest = paged.group("base")[len(CATEGORY_ARCHIVE_PREFIX) :]
            page = int(paged.group("number"))
        if not rest.endswith("/") or rest.count("/") != 1:
            return self.not_found()
        category = CATEGORIES_BY_SLUG.get(rest[:-1])
        if category is None:
            return self.not_found()
        entries = self.site.category_entries(category.slug)
        return self._listing_page(
            entries,
            page,
            lambda e, p: render.render_category_archive(category, e, p, self.origin),
        )

    def _search_or_home(self, path: str, query: str) -> Response:
        params = parse_qs(query, keep_blank_values=True)
        if "s" not in params:
            if path == "/":
                return _page(200, render.render_home(self.origin))
            return self.not_found()
        page = 1
        paged = _PAGE_SUFFIX.match(path)
        if paged:
            if paged.group("base") != "/":
                return self.not_found()
            page = int(paged.group("number"))
        keyword = params["s"][0]
        category_slug = params.get("pfd_report_type", [""])[0]
        try:
            added = DateFilter(
                after=_date_bound(params, "after"), before=_date_bound(params, "before")
            )
        except ValueError as error:
            return _page(400, render.render_bad_request(str(error), self.origin))
        if category_slug and category_slug not in CATEGORIES_BY_SLUG:
            entries = []
        else:
            entries = self.site.search(keyword, category_slug or None, added)
        return self._listing_page(
            entries, page, lambda e, p: render.render_search(keyword, e, p, query, self.origin)
        )


def _date_bound(params: dict[str, list[str]], prefix: str) -> dt.date | None:
    """An inclusive bound from the search form's ``{after,before}-{day,month,year}`` fields."""
    raw = {name: params.get(f"{prefix}-{name}", [""])[0].strip() for name in _DATE_FILTER_FIELDS}
    if not any(raw.values()):
        return None
    values: dict[str, int] = {}
    for name, text in raw.items():
        if text:
            if not text.isdigit():
                raise ValueError(f"{prefix}-{name} must be a whole number, not {text!r}")
            values[name] = int(text)
    if "year" not in values:
        raise ValueError(f"{prefix}-year is required when {prefix}-day or {prefix}-month is given")
    year = values["year"]
    month = values.get("month", 1 if prefix == "after" else 12)
    try:
        if "day" in values:
            return dt.date(year, month, values["day"])
        if prefix == "after":
            return dt.date(year, month, 1)
        next_month = dt.date(year + month // 12, month % 12 + 1, 1)
        return next_month - dt.timedelta(days=1)
    except ValueError as error:
        raise ValueError(f"{prefix}-day/month/year do not form a date: {error}") from None


def _http_date(day: dt.date) -> str:
    moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return email.utils.format_datetime(moment, usegmt=True)


def _not_modified_since(header: str | None, last_modified: dt.date | None) -> bool:
    if not header or last_modified is None:
        return False
    try:
        since = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return (
        dt.datetime(last_modified.year, last_modified.month, last_modified.day, tzinfo=dt.UTC)
        <= since
    )


class SnapshotHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, config: SnapshotConfig, site: SnapshotSite | None = None) -> None:
        self.config = config
        self.site = site if site is not None else SnapshotSite(config.as_of)
        self.injector = FaultInjector(config.faults)
        self.stopping = threading.Event()
        super().__init__((config.host, config.port), _SnapshotHandler)
        host, port = self.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self.app = SnapshotApp(self.site, self.base_url, config.layout)


class _SnapshotHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: avoid delayed-ACK stalls
    server_version = "pfd-snapshot"
    sys_version = ""
    server: SnapshotHTTPServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        return  # a crawl makes thousands of requests; the crawler keeps its own log

    def _serve(self, send_body: bool) -> None:
        server = self.server
        robots = server.config.faults.robots_txt
        if robots is not None and urlsplit(self.path).path == "/robots.txt":
            self._send(Response(200, ROBOTS_TYPE, robots.encode("utf-8")), send_body)
            return
        response = server.app.respond(self.path)
        fault, detail = (None, 0.0)
        if response.fault_eligible:
            fault, detail = server.injector.decide(self.path)
        if fault in ("error", "permanent_error"):
            self._send(_page(500, render.render_server_error(server.base_url)), send_body)
            return
        if fault == "timeout":
            server.stopping.wait(server.config.faults.timeout_seconds + TIMEOUT_MARGIN_SECONDS)
        elif fault == "slow":
            server.stopping.wait(server.config.faults.slow_seconds)
        elif fault == "truncate":
            cut = truncate_body(response.body, detail)
            response = Response(response.status, response.content_type, cut)
        if response.status == 200 and self._is_not_modified(response):
            self._send(
                Response(304, response.content_type, b"", response.last_modified, response.etag),
                send_body,
            )
            return
        self._send(response, send_body)

    def _is_not_modified(self, response: Response) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return response.etag is not None and (response.etag in tags or "*" in tags)
        return _not_modified_since(self.headers.get("If-Modified-Since"), response.last_modified)

    def _send(self, response: Response, send_body: bool) -> None:
        try:
            self.send_response(response.status)
            if response.status != 304:
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
            if response.last_modified is not None:
                self.send_header("Last-Modified", _http_date(response.last_modified))
            if response.etag is not None:
                self.send_header("ETag", response.etag)
            if response.location is not None:
                self.send_header("Location", response.location)
            self.end_headers()
            if send_body and response.status != 304 and response.body:
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. after a timeout fault)


@dataclass
class RunningSnapshot:
    """Handle on a snapshot server running in a background thread."""

    http_server: SnapshotHTTPServer
    thread: threading.Thread

    @property
    def base_url(self) -> str:
        return self.http_server.base_url

    @property
    def site(self) -> SnapshotSite:
        return self.http_server.site

    @property
    def config(self) -> SnapshotConfig:
        return self.http_server.config

    @property
    def fault_counts(self) -> collections.Counter[str]:
        """How many answers met each fault kind so far."""
        return self.http_server.injector.counts

    def is_permanently_failing(self, url_or_target: str) -> bool:
        """Whether a page (absolute URL on this server, or path) always answers 500."""
        target = url_or_target.removeprefix(self.base_url)
        return self.http_server.injector.is_permanently_failing(target)


@contextlib.contextmanager
def serve_in_background(config: SnapshotConfig | None = None) -> Iterator[RunningSnapshot]:
    """Index the snapshot, bind, serve in a daemon thread; stop and close on exit."""
    http_server = SnapshotHTTPServer(config or SnapshotConfig())
    thread = threading.Thread(
        target=http_server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"pfd-snapshot-{http_server.base_url}",
        daemon=True,
    )
    thread.start()
    try:
        yield RunningSnapshot(http_server, thread)
    finally:
        http_server.stopping.set()
        http_server.shutdown()
        http_server.server_close()
        thread.join(timeout=10)


# CLI --------------------------------------------------------------------------------------------


def _as_of_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share between 0 and 1")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative; seconds must be >= 0")
    return value


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number from 0 to 65535")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pfdw snapshot",
        description="Offline snapshot of the judiciary.uk Prevention of Future Deaths section.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve the snapshot until Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT, help="0 picks a free port")
    serve.add_argument(
        "--as-of", type=_as_of_date, default=None, help="YYYY-MM-DD (default: today)"
    )
    serve.add_argument("--layout", choices=render.LAYOUTS, default="current")
    defaults = FaultConfig()
    serve.add_argument("--error-rate", type=_rate, default=defaults.error_rate)
    serve.add_argument("--timeout-rate", type=_rate, default=defaults.timeout_rate)
    serve.add_argument("--timeout-seconds", type=_seconds, default=defaults.timeout_seconds)
    serve.add_argument("--slow-rate", type=_rate, default=defaults.slow_rate)
    serve.add_argument("--slow-seconds", type=_seconds, default=defaults.slow_seconds)
    serve.add_argument("--truncate-rate", type=_rate, default=defaults.truncate_rate)
    serve.add_argument("--permanent-error-rate", type=_rate, default=defaults.permanent_error_rate)
    serve.add_argument("--seed", type=int, default=defaults.seed)
    serve.add_argument(
        "--fail-path",
        action="append",
        default=[],
        metavar="TARGET",
        help="a page (path and query, e.g. /page/3/?s=&post_type=pfd) that answers 500 on every"
        " attempt; repeat for more",
    )
    serve.add_argument(
        "--robots-disallow-all", action="store_true", help="robots.txt forbids every page"
    )
    return parser


def config_from_args(args: argparse.Namespace) -> SnapshotConfig:
    faults = FaultConfig(
        error_rate=args.error_rate,
        timeout_rate=args.timeout_rate,
        timeout_seconds=args.timeout_seconds,
        slow_rate=args.slow_rate,
        slow_seconds=args.slow_seconds,
        truncate_rate=args.truncate_rate,
        permanent_error_rate=args.permanent_error_rate,
        seed=args.seed,
        failing_paths=tuple(args.fail_path),
        robots_txt=ROBOTS_DISALLOW_ALL if args.robots_disallow_all else None,
    )
    return SnapshotConfig(
        as_of=args.as_of, layout=args.layout, faults=faults, host=args.host, port=args.port
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    transient = args.error_rate + args.timeout_rate + args.slow_rate + args.truncate_rate
    if transient > 1.0:
        parser.error(
            "--error-rate + --timeout-rate + --slow-rate + --truncate-rate add up to "
            f"{transient:g}; together they must not exceed 1"
        )
    try:
        config = config_from_args(args)
    except ValueError as error:
        parser.error(str(error))
    try:
        server_context = serve_in_background(config)
        server = server_context.__enter__()
    except OSError as error:
        print(
            f"pfdw snapshot serve: cannot listen on {config.host}:{config.port}: {error}",
            file=sys.stderr,
        )
        return 1
    try:
        site = server.site
        print(
            f"Serving the judiciary.uk PFD snapshot as of {site.as_of} "
            f"({len(site.listed_report_urls())} pages listed, layout {config.layout}).\n"
            f"Open {server.base_url}{LISTING_PATH}\nPress Ctrl-C to stop.",
            flush=True,
        )
        _wait_for_stop_signal()
        print("Stopped.", file=sys.stderr)
    finally:
        server_context.__exit__(None, None, None)
    return 0


def _wait_for_stop_signal() -> None:
    """Block until Ctrl-C (SIGINT) or SIGTERM."""
    stop = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
