"""``pfdw collect`` shows the crawl's progress lines on the terminal (through its log)."""

from __future__ import annotations

import logging
from types import SimpleNamespace

from orchestration.sources import collect
from scrapers import crawl
from scrapers.common.progress import CrawlProgress

LINE = "judiciary_pfd: 1,240 pages (38 listing, 1,202 report), 21.4 pages/s, 0 errors, ~31 s left"


def test_crawl_only_hands_the_crawl_a_callback_that_logs_each_line(monkeypatch, caplog, tmp_path):
    def fake_run_crawl(**kwargs):
        kwargs["on_progress"](CrawlProgress("judiciary_pfd", LINE, 1240, 0, 21.4, 31.0))
        raise ValueError("stop here")

    monkeypatch.setattr(crawl, "run_crawl", fake_run_crawl)
    args = SimpleNamespace(
        run_dir=tmp_path / "run",
        set=[],
        spider="judiciary_pfd",
        source="snapshot",
        mode="full",
        state_file=None,
        base_url=None,
        as_of=None,
        snapshot_layout="current",
        max_listing_pages=None,
        timeout=None,
        **dict.fromkeys(crawl.FAULT_OPTIONS),
    )
    with caplog.at_level(logging.INFO, logger="orchestration.sources.collect"):
        assert collect.crawl_only(args) == 2
    assert LINE in caplog.messages
