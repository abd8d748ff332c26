"""GX Data Docs as one stable site with history, styled to work offline.

**One site, many runs.** Every audit adds its validation results to a results store on disk
(``<data dir>/audit/gx_validations/``, GX's ``ValidationResultsStore`` on a
``TupleFilesystemStoreBackend``) and renders only its own pages into the one site
(``<data dir>/audit/data_docs/``); the index lists every run still in the store, newest first,
under the run's name (``<job>-<run id>-as_of-<date>``, see :func:`run_name`) and the data asset
it validated (the suite's table). The store keeps the newest ``runs_kept`` runs: older ones are
removed, and GX's index build removes their pages with them (:func:`prune_history`). One audit
at a time updates the site (:func:`site_lock`).

**Offline.** GX renders every page with links to CDNs (bootstrap, jQuery, bootstrap-table...).
:func:`make_offline` copies ``expectations/data_docs_static`` into the site and rewrites each
page to use it; the CDN tags with no local copy (icons, dark theme, Vega charts) are removed,
so a page never waits on the network.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

STATIC_SOURCE = Path(__file__).resolve().parent / "data_docs_static"
VENDOR_SUBDIR = Path("static") / "vendor"
ICONS_CSS = "pfdw-offline-icons.css"
LOCAL_COPIES = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": "bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": "bootstrap-datepicker.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": "bootstrap-table-filter-control.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": "bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css": "bootstrap-table-filter-control.min.css",
}
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref=\"https?://[^\"]+\"[^>]*>", re.IGNORECASE)
_REMOTE_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc=\"https?://[^\"]+\"[^>]*>\s*</script>", re.IGNORECASE
)
# Subresource-integrity attributes make a browser load the file as a CORS request, which a
# file:// page cannot make: the local copies would be refused.
_INTEGRITY = re.compile(r'\s+(integrity="[^"]*"|crossorigin="[^"]*")', re.IGNORECASE)
_REMOTE_LOGO = re.compile(r"https://great-expectations-web-assets\.[^\"]+/logo-long\.png[^\"]*")


def _rewrite(page: str, prefix: str) -> str:
    for url, name in LOCAL_COPIES.items():
        page = page.replace(url, f"{prefix}{VENDOR_SUBDIR.as_posix()}/{name}")
    page = _INTEGRITY.sub("", page)
    page = _REMOTE_LOGO.sub(f"{prefix}static/images/logo-long.png", page)
    page = _REMOTE_LINK.sub("", page)
    page = _REMOTE_SCRIPT.sub("", page)
    icons = f'<link rel="stylesheet" href="{prefix}{VENDOR_SUBDIR.as_posix()}/{ICONS_CSS}">'
    if ICONS_CSS not in page:
        page = page.replace("</head>", f"{icons}\n</head>", 1)
    return page


def make_offline(site_dir: Path | str) -> list[Path]:
    """Copy the local styles into the site and rewrite its pages; returns the pages changed."""
    site_dir = Path(site_dir)
    vendor = site_dir / VENDOR_SUBDIR
    vendor.mkdir(parents=True, exist_ok=True)
    for source in STATIC_SOURCE.iterdir():
        if source.suffix in (".css", ".js"):
            shutil.copyfile(source, vendor / source.name)
    changed = []
    for page in site_dir.rglob("*.html"):
        depth = len(page.relative_to(site_dir).parts) - 1
        prefix = "../" * depth
        text = page.read_text(encoding="utf-8")
        rewritten = _rewrite(text, prefix)
        if rewritten != text:
            page.write_text(rewritten, encoding="utf-8")
            changed.append(page)
    return changed


def remote_references(site_dir: Path | str) -> list[str]:
    """Stylesheets and scripts a page would still fetch from the network (should be none)."""
    found = []
    for page in Path(site_dir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for match in _REMOTE_LINK.finditer(text):
            found.append(f"{os.path.relpath(page, site_dir)}: {match.group(0)}")
        for match in _REMOTE_SCRIPT.finditer(text):
            found.append(f"{os.path.relpath(page, site_dir)}: {match.group(0)}")
    return found


# --- one site with history ------------------------------------------------------------------

SITE_NAME = "audit"
HISTORY_STORE = "audit_history"
_UNSAFE_IN_RUN_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def run_name(label: str, as_of: object = None) -> str:
    """The run name shown in Data Docs: ``<label>-as_of-<date>``, e.g.
    ``collect_and_audit-1a2b3c4d-as_of-2025-08-01``. It becomes a folder name in the store and a
    link in the site, so anything but letters, digits, ``_ . -`` is replaced by ``_``."""
    text = label if as_of in (None, "") else f"{label}-as_of-{as_of}"
    return _UNSAFE_IN_RUN_NAME.sub("_", text).strip("._") or "audit"


def history_store_config(results_dir: Path | str) -> dict:
    return {
        "class_name": "ValidationResultsStore",
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(Path(results_dir).resolve()),
        },
    }


def site_config(site_dir: Path | str, source_store: str | None = None) -> dict:
    """The site's GX config; with ``source_store`` its validation pages come from that store
    (the history), else from the context's own (this run only)."""
    config: dict = {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(Path(site_dir).resolve()),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    if source_store:
        config["site_section_builders"] = {
            "validations": {
                "source_store_name": source_store,
                # GX hides runs whose name includes "profiling" unless told otherwise
                "run_name_filter": {"matches_regex": "."},
            },
            "profiling": "None",
        }
    return config


def prune_history(store, runs_kept: int) -> list:
    """Remove every validation result of all but the newest ``runs_kept`` runs (a run: one
    run name and run time); returns the keys removed. Their pages go at the next index build."""
    if runs_kept < 1:
        raise ValueError(f"data_docs_runs_kept must be at least 1, got {runs_kept}")
    keys = list(store.list_keys())
    runs = sorted(
        {(k.run_id.run_time, k.run_id.run_name or "") for k in keys},
        key=lambda run: (run[0].isoformat() if run[0] else "", run[1]),
        reverse=True,
    )
    kept = set(runs[:runs_kept])
    removed = [k for k in keys if (k.run_id.run_time, k.run_id.run_name or "") not in kept]
    for key in removed:
        store.remove_key(key)
    return removed


@contextlib.contextmanager
def site_lock(site_dir: Path | str) -> Iterator[None]:
    """One audit at a time writes the site and its history (a second one waits its turn)."""
    site_dir = Path(site_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with site_dir.with_name(f".{site_dir.name}.lock").open("a") as handle:  # beside the site
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_empty_folders(root: Path | str) -> None:
    """Folders a pruned run left empty (GX removes files, not always their folders)."""
    root = Path(root)
    if not root.is_dir():
        return
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only succeeds when empty
