"""Spider arguments arrive as text (``-a name=value``); these turn them into checked values."""

from __future__ import annotations


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
