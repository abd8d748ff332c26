"""Reproducible fault injection for the snapshot server: which answers fail, and how.

Faults apply to listing and report pages only (the server decides which answers are eligible;
robots.txt, documents and 404s are never faulty). Transient faults are drawn per request from a
hash of (seed, URL, attempt number), so the same request sequence meets the same faults;
permanently failing pages are chosen by a hash of (seed, URL) and answer 500 on every attempt.
Two targeted faults reproduce a case exactly: ``failing_paths`` (request targets, path and query,
that answer 500 on every attempt: a listing page and its search mirror, say) and
``robots_txt`` (the robots.txt served instead of the site's: ``ROBOTS_DISALLOW_ALL`` forbids
every page to every crawler).
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass

from scrapers.snapshot.site import stable_fraction

# robots.txt forbidding every page to every crawler.
ROBOTS_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


@dataclass(frozen=True)
class FaultConfig:
    """Shares of faulty answers (0..1), all off by default.

    ``error_rate``: HTTP 500; ``timeout_rate``: sleep ``timeout_seconds`` plus a margin before
    answering (set it to the client's download timeout); ``slow_rate``: sleep ``slow_seconds``
    then answer; ``truncate_rate``: the body is cut before the footer (Content-Length matches the
    cut body); ``permanent_error_rate``: pages that answer 500 on every attempt.
    """

    error_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 5.0
    slow_rate: float = 0.0
    slow_seconds: float = 1.0
    truncate_rate: float = 0.0
    permanent_error_rate: float = 0.0
    seed: int = 0
    failing_paths: tuple[str, ...] = ()
    robots_txt: str | None = None

    def __post_init__(self) -> None:
        for name in ("error_rate", "timeout_rate", "slow_rate", "truncate_rate"):
            _check_rate(name, getattr(self, name))
        _check_rate("permanent_error_rate", self.permanent_error_rate)
        for name in ("timeout_seconds", "slow_seconds"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value < 0:
                raise ValueError(
                    f"FaultConfig.{name} must be a number of seconds >= 0, not {value!r}"
                )
        if self.transient_total > 1.0:
            raise ValueError(
                "FaultConfig: error_rate + timeout_rate + slow_rate + truncate_rate must not "
                f"exceed 1, got {self.transient_total:g}"
            )
        if not isinstance(self.seed, int):
            raise ValueError(f"FaultConfig.seed must be an integer, not {self.seed!r}")
        paths = self.failing_paths
        if isinstance(paths, str) or not all(
            isinstance(path, str) and path.startswith("/") for path in paths
        ):
            raise ValueError(
                "FaultConfig.failing_paths must be request targets starting with '/', "
                f"not {paths!r}"
            )
        object.__setattr__(self, "failing_paths", tuple(paths))
        if self.robots_txt is not None and not isinstance(self.robots_txt, str):
            raise ValueError(
                f"FaultConfig.robots_txt must be text or None, not {self.robots_txt!r:.40}"
            )

    @property
    def transient_total(self) -> float:
        return self.error_rate + self.timeout_rate + self.slow_rate + self.truncate_rate

    @property
    def any(self) -> bool:
        """Whether any listing or report page can meet a fault (robots.txt is not a page)."""
        return self.transient_total > 0 or self.permanent_error_rate > 0 or bool(self.failing_paths)


def _check_rate(name: str, value: object) -> None:
    if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ValueError(f"FaultConfig.{name} must be a share between 0 and 1, not {value!r}")


class FaultInjector:
    """Decides, reproducibly, which fault (if any) a request meets."""

    def __init__(self, faults: FaultConfig) -> None:
        self.faults = faults
        self._attempts: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self.counts: collections.Counter[str] = collections.Counter()

    def is_permanently_failing(self, target: str) -> bool:
        if target in self.faults.failing_paths:
            return True
        rate = self.faults.permanent_error_rate
        return rate > 0 and stable_fraction("permanent", str(self.faults.seed), target) < rate

    def decide(self, target: str) -> tuple[str | None, float]:
        """(fault kind or None, a number in [0, 1) for the fault's details)."""
        faults = self.faults
        if not faults.any:
            return None, 0.0
        with self._lock:
            attempt = self._attempts[target]
            self._attempts[target] += 1
        detail = stable_fraction("detail", str(faults.seed), target, str(attempt))
        kind: str | None = None
        if self.is_permanently_failing(target):
            kind = "permanent_error"
        else:
            draw = stable_fraction("fault", str(faults.seed), target, str(attempt))
            threshold = 0.0
            for name, rate in (
                ("error", faults.error_rate),
                ("timeout", faults.timeout_rate),
                ("slow", faults.slow_rate),
                ("truncate", faults.truncate_rate),
            ):
                threshold += rate
                if draw < threshold:
                    kind = name
                    break
        if kind is not None:
            with self._lock:
                self.counts[kind] += 1
        return kind, detail


def truncate_body(body: bytes, detail: float) -> bytes:
    """Cut the body somewhere between 30% and 90% of the way to the footer."""
    footer = body.find(b'<footer class="site-footer"')
    if footer <= 0:
        footer = len(body)
    cut = int(footer * (0.3 + 0.6 * detail))
    while 0 < cut < len(body) and (body[cut] & 0xC0) == 0x80:  # keep UTF-8 characters whole
        cut -= 1
    return body[:cut]
