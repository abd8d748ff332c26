"""What went wrong with a request that Scrapy gave up on, in words a crawl error can carry."""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure


@dataclass(frozen=True)
class FetchFailure:
    status: int | None
    reason: str
    attempts: int


def describe_failure(failure: Failure) -> FetchFailure:
    """The HTTP status (if any), a reason and the number of attempts made, retries included."""
    request = failure.request
    attempts = request.meta.get("retry_times", 0) + 1
    error = failure.value
    if failure.check(HttpError):
        status = error.response.status
        return FetchFailure(status, f"HTTP {status} after {attempts} attempts", attempts)
    if failure.check(IgnoreRequest):
        return FetchFailure(None, f"request ignored: {error or type(error).__name__}", attempts)
    detail = str(error).strip() or type(error).__name__
    reason = f"{type(error).__name__}: {detail} after {attempts} attempts"
    return FetchFailure(None, reason, attempts)
