"""What a search can refuse, each as one line for the person who asked."""

from __future__ import annotations


class SearchError(ValueError):
    """A malformed query or a filter that names nothing: one line saying what was wrong."""


class NoIndexError(SearchError):
    """There is no search index to read yet (or the warehouse names one that is gone)."""
