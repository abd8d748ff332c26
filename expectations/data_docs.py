"""Make GX Data Docs look right offline: CDN styles and scripts -> the copies shipped here.

GX renders every page with links to CDNs (bootstrap, jQuery, bootstrap-table...). This copies
``expectations/data_docs_static`` into the site and rewrites each page to use it; the CDN tags
with no local copy (icons, dark theme, Vega charts) are removed, so a page never
waits on the network.
"""

from __future__ import annotations

import os
import re
import shutil
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
