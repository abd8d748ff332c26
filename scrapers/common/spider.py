"""Helpers both spiders use: reading a response header, checking an argument, and describing a
request that Scrapy gave up on in words a crawl error can carry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure


def response_header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value is not None else None


def positive_int_or_none(value: str | int | None, name: str) -> int | None:
    """A whole number of at least 1, or None when the argument was not given."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from error
    if number < 1:
        raise ValueError(f"{name} must be at least 1, got {number}")
    return number


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


def read_json_object(path: str | Path, what: str) -> dict:
    """The JSON object in the state file ``path``; a ValueError naming ``what`` (the spider
    argument, e.g. ``state_file``) and the file when it is missing, not JSON or not an object."""
    state_path = Path(path)
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ValueError(f"{what} {state_path} does not exist") from error
    except json.JSONDecodeError as error:
        raise ValueError(f"{what} {state_path} is not valid JSON: {error}") from error
    if not isinstance(state, dict):
        raise ValueError(f"{what} {state_path}: expected a JSON object, got {type(state)}")
    return state
