"""Throughput figure for the snapshot server: fetch every listing and report page once, then
every report PDF once (Regulation 28 PDFs built from report texts, stand-ins for the rest).

    .venv/bin/pfdw bench snapshot [--as-of YYYY-MM-DD] [--clients 8]

Prints numbers; nothing asserts them (speed depends on the machine).
"""

from __future__ import annotations

import argparse
import http.client
import queue
import threading
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

from scrapers.snapshot.server import SnapshotConfig, _as_of_date, serve_in_background
from scrapers.snapshot.site import CANONICAL_ORIGIN, LISTING_PATH, page_count


def fetch_all(base_url: str, paths: Sequence[str], clients: int) -> tuple[int, int, float]:
    """(pages fetched with 200, other statuses, seconds) using keep-alive connections."""
    work: queue.Queue[str] = queue.Queue()
    for path in paths:
        work.put(path)
    netloc = urlsplit(base_url).netloc
    counts = {"ok": 0, "other": 0}
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection(netloc, timeout=30)
        ok = other = 0
        while True:
            try:
                path = work.get_nowait()
            except queue.Empty:
                break
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                ok += 1
            else:
                other += 1
        connection.close()
        with lock:
            counts["ok"] += ok
            counts["other"] += other

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts["ok"], counts["other"], time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pfdw bench snapshot")
    parser.add_argument("--as-of", type=_as_of_date, default=None)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with serve_in_background(SnapshotConfig(as_of=args.as_of)) as server:
        ready = time.perf_counter() - started
        report_paths = [url[len(CANONICAL_ORIGIN) :] for url in server.site.listed_report_urls()]
        pages = page_count(len(report_paths))
        listing_paths = [f"{LISTING_PATH}page/{n}/" for n in range(1, pages + 1)]
        paths = listing_paths + report_paths
        print(
            f"server ready in {ready:.2f} s; {len(listing_paths)} listing + "
            f"{len(report_paths)} report pages, {args.clients} keep-alive clients"
        )
        for label in ("cold (render + serve)", "warm (cached)"):
            ok, other, seconds = fetch_all(server.base_url, paths, args.clients)
            print(
                f"{label}: {ok} x 200, {other} other in {seconds:.2f} s "
                f"= {(ok + other) / seconds:.0f} pages/s"
            )
        with_text = server.site.served_texts.pdf
        report_pdfs = sorted(
            {e.report_document.path for e in server.site.listed_entries() if e.report_document}
        )
        ok, other, seconds = fetch_all(server.base_url, report_pdfs, args.clients)
        print(
            f"report PDFs, cold: {ok} x 200, {other} other in {seconds:.2f} s "
            f"({sum(path in with_text for path in report_pdfs)} Regulation 28, the rest stand-ins)"
        )
    return 0
