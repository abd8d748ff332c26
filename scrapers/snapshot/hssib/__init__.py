"""HSSIB safety recommendations section of the offline snapshot (site model, pages, handler).

Plug into a server with ``handle_request(path, query, load_site())``; see ``handler``.
"""

from scrapers.snapshot.hssib.handler import handle_request, handles_path
from scrapers.snapshot.hssib.site import HssibSite, Record, load_site

__all__ = ["HssibSite", "Record", "handle_request", "handles_path", "load_site"]
