"""``pfdw docs`` (``make docs``): the dbt docs of the published warehouse and the GX Data Docs,
served from one address on 127.0.0.1.

dbt docs are generated against a private copy of the published warehouse, never the published
file itself:

- dbt-duckdb opens its database read-write, and ``dbt docs generate`` may write to it (it
  compiles every model; a hook or macro may create objects). On the copy, nothing it does can
  reach the analysts' file.
- The copy is read from one open file, as ``orchestration.warehouse.publish`` copies a working
  copy: a run that publishes meanwhile renames a new file over the name, which leaves the open
  file (the old, complete version) readable to the end. Manifest and catalog come from that one
  snapshot, whereas dbt opening the published path (even read-only) could see the old file for
  one connection and the new one for the next.
- The copy takes no DuckDB lock on the published file, so a session someone left open on it
  cannot make the docs fail, and the docs never hold up anyone else. Its write-ahead log is left
  out on purpose: a published file is checkpointed before it is renamed, and a log found beside it
  belongs to someone's own session (or to the file a publish just replaced).

The copy and dbt's target/ live in ``<data dir>/docs/.dbt-build/`` (target/ is kept, so the next
build parses only what changed; the copy is removed). The site goes to ``<data dir>/docs/dbt/``:
``index.html``, ``manifest.json``, ``catalog.json`` (served), and ``static_index.html`` (one
self-contained page that opens from disk without a server).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from orchestration.warehouse.dbt_cli import dbt_vars, run_dbt

HOST = "127.0.0.1"
DEFAULT_PORT = 8580
DOCS_SUBDIR = "docs"
DBT_SITE_SUBDIR = "dbt"
BUILD_SUBDIR = ".dbt-build"
GX_MOUNT = "/gx"
SITE_FILES = ("index.html", "manifest.json", "catalog.json", "static_index.html")
# Tests are listed in the site from the manifest either way; compiling their SQL too would
# double the time (measured 11 s against 4 s on the full warehouse) for pages nobody reads.
DBT_COMMAND = ("docs", "generate", "--static", "--exclude", "resource_type:test",
               "resource_type:unit_test")  # fmt: skip
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class DocsError(Exception):
    """The docs cannot be built or served; the message is one line for a person."""


@dataclass(frozen=True)
class DocsSites:
    dbt_dir: Path
    gx_dir: Path

    @property
    def gx_index(self) -> Path | None:
        index = self.gx_dir / "index.html"
        return index if index.is_file() else None


def docs_root(data_dir: Path | str) -> Path:
    return Path(data_dir) / DOCS_SUBDIR


def gx_site(data_dir: Path | str) -> Path:
    from expectations.report import DOCS_SUBDIR as GX_DOCS_SUBDIR
    from expectations.report import audit_root

    return audit_root(data_dir) / GX_DOCS_SUBDIR


def url(port: int = DEFAULT_PORT, path: str = "/") -> str:
    return f"http://{HOST}:{port}{path}"


@contextlib.contextmanager
def _build_lock(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _replace_file(source: Path, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def _dbt_failure(completed) -> str:
    lines = [_ANSI.sub("", line).strip() for line in (completed.stdout or "").splitlines()]
    lines += [line.strip() for line in (completed.stderr or "").splitlines()]
    lines = [line for line in lines if line]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or [f"exit status {completed.returncode}"])[0]


def generate_dbt_docs(
    warehouse: Path | str, data_dir: Path | str, *, run: Callable = run_dbt
) -> Path:
    """``dbt docs generate`` on a private copy of the published warehouse; the site folder.
    ``run`` runs one dbt command (``orchestration.warehouse.dbt_cli.run_dbt``'s signature)."""
    published = Path(warehouse)
    if not published.is_file():
        raise DocsError(f"no warehouse published yet at {published}: run `make run` first")
    root = docs_root(data_dir)
    build = root / BUILD_SUBDIR
    site = root / DBT_SITE_SUBDIR
    with _build_lock(build):
        copy = build / published.name  # the same name: dbt calls the database after it
        try:
            shutil.copyfile(published, copy)  # one open file: see the module docstring
            for name in SITE_FILES:  # never serve a file an earlier build left behind
                (build / "target" / name).unlink(missing_ok=True)
            completed = run(list(DBT_COMMAND), copy, build, dbt_vars=dbt_vars(copy))
            if completed.returncode != 0:
                raise DocsError(
                    f"dbt docs generate failed: {_dbt_failure(completed)}"
                    f" (log: {build / 'logs' / 'dbt.log'})"
                )
            site.mkdir(parents=True, exist_ok=True)
            for name in SITE_FILES:
                generated = build / "target" / name
                if not generated.is_file():
                    raise DocsError(f"dbt docs generate wrote no {name} in {generated.parent}")
                _replace_file(generated, site / name)
        finally:
            for leftover in (copy, copy.with_name(copy.name + ".wal")):
                leftover.unlink(missing_ok=True)
    return site


def _handler(sites: DocsSites) -> type[SimpleHTTPRequestHandler]:
    class DocsHandler(SimpleHTTPRequestHandler):
        """The dbt site at /, the GX Data Docs at /gx/; files only under those two folders."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(sites.dbt_dir), **kwargs)

        def translate_path(self, path: str) -> str:
            route = path.split("?", 1)[0].split("#", 1)[0]
            self.directory = str(sites.dbt_dir)
            if route == GX_MOUNT or route.startswith(GX_MOUNT + "/"):
                self.directory = str(sites.gx_dir)
                path = path[len(GX_MOUNT) :] or "/"
            return super().translate_path(path)

        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass  # a request log per file would bury the two lines that matter

    return DocsHandler


def make_server(sites: DocsSites, port: int = DEFAULT_PORT) -> ThreadingHTTPServer:
    """A server bound to 127.0.0.1:``port`` (0: any free port), not yet serving."""
    try:
        server = ThreadingHTTPServer((HOST, port), _handler(sites))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise DocsError(
                f"port {port} on {HOST} is in use: choose another with --port (make docs PORT=...)"
            ) from error
        raise DocsError(f"cannot serve on {HOST}:{port}: {error.strerror}") from error
    server.daemon_threads = True
    return server


def docs(
    warehouse: Path | str,
    data_dir: Path | str,
    port: int = DEFAULT_PORT,
    serve: bool = True,
    *,
    run: Callable = run_dbt,
    out=sys.stdout,
) -> int:
    """Build the dbt docs, print where both sites are, and serve them until Ctrl-C."""
    print(f"building dbt docs from a copy of {warehouse} (dbt docs generate, up to a minute)",
          file=out, flush=True)  # fmt: skip
    sites = DocsSites(generate_dbt_docs(warehouse, data_dir, run=run), gx_site(data_dir))
    gx_index = sites.gx_index
    print(f"dbt docs:      {sites.dbt_dir / 'index.html'}", file=out)
    print(f"               {sites.dbt_dir / 'static_index.html'} (opens without a server)",
          file=out)  # fmt: skip
    if gx_index:
        print(f"GX Data Docs:  {gx_index}", file=out)
    else:
        print(f"GX Data Docs:  none yet in {sites.gx_dir} (the audit writes them)", file=out)
    if not serve:
        return 0
    server = make_server(sites, port)
    bound = server.server_address[1]
    print(f"serving dbt docs at {url(bound)}", file=out)
    if gx_index:
        print(f"    GX Data Docs at {url(bound, GX_MOUNT + '/')}", file=out)
    print("Ctrl-C stops", file=out, flush=True)
    # Ctrl-C, and a plain kill, end the loop the same way (a shell that started this in the
    # background may have set SIGINT to be ignored).
    previous = {
        number: signal.signal(number, _interrupt) for number in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped", file=out)
    finally:
        server.server_close()
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
