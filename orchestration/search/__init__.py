"""Full-text search over the words of the reports (SQLite FTS5, BM25), built by the Dagster asset
``search/index`` beside the warehouse and published with it.

    from orchestration.search import search, SearchError
    results = search('"ligature points" AND ward', sections="concerns", area="Essex")

Importing this package loads the standard library only (DuckDB is opened when a search asks).
"""

from orchestration.search.errors import NoIndexError, SearchError
from orchestration.search.searcher import Searcher, SearchResult, SearchResults, search

__all__ = ["NoIndexError", "SearchError", "SearchResult", "SearchResults", "Searcher", "search"]
