"""``pfdw docs``: dbt docs built from a private copy (the published file's bytes and mtime never
change, even when dbt writes), served with the GX Data Docs on 127.0.0.1; one line when no
warehouse is published. dbt itself is replaced by a fake that writes what ``dbt docs generate``
writes (the real command takes 25-70 s; measured by hand, see the README)."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pytest

from orchestration import cli
from orchestration.warehouse import docs


def _published(tmp_path) -> tuple[Path, Path]:
    data_dir = tmp_path / "data"
    warehouse = data_dir / "warehouse" / "pfd.duckdb"
    warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE main.fct_reports AS SELECT 1 AS report_id")
    return warehouse, data_dir


def _fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


class FakeDbt:
    """Writes the four site files as dbt does, after writing to the database it was given."""

    def __init__(self, returncode: int = 0, stdout: str = ""):
        self.returncode, self.stdout, self.calls = returncode, stdout, []

    def __call__(self, command, warehouse, work_dir, *, dbt_vars):
        self.calls.append((list(command), Path(warehouse), json.loads(dbt_vars)))
        with duckdb.connect(str(warehouse)) as con:  # read-write, as dbt-duckdb opens it
            tables = [
                r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            ]
            con.execute("CREATE TABLE main.written_by_dbt AS SELECT 1 AS x")
        if self.returncode == 0:
            target = Path(work_dir) / "target"
            target.mkdir(parents=True, exist_ok=True)
            (target / "index.html").write_text("<html>dbt docs</html>")
            (target / "static_index.html").write_text("<html>static</html>")
            (target / "manifest.json").write_text(json.dumps({"nodes": {}}))
            (target / "catalog.json").write_text(json.dumps({"tables": tables}))
        return subprocess.CompletedProcess(command, self.returncode, self.stdout, "")


def test_docs_are_generated_from_a_private_copy_and_the_published_file_is_untouched(tmp_path):
    warehouse, data_dir = _published(tmp_path)
    before = _fingerprint(warehouse)
    fake = FakeDbt()
    site = docs.generate_dbt_docs(warehouse, data_dir, run=fake)
    assert _fingerprint(warehouse) == before
    [(command, used, dbt_vars)] = fake.calls
    assert command[:2] == ["docs", "generate"]
    assert used != warehouse and used.name == warehouse.name  # same name: same database name
    assert dbt_vars["pfdw_warehouse_path"] == str(used)
    assert not used.exists()  # the copy is removed afterwards
    assert site == data_dir / "docs" / "dbt"
    assert sorted(p.name for p in site.iterdir()) == sorted(docs.SITE_FILES)
    assert json.loads((site / "catalog.json").read_text()) == {"tables": ["fct_reports"]}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()[0] == 1


def test_no_published_warehouse_is_one_line_naming_make_run(tmp_path, capsys):
    status = cli.main(["docs", "--data-dir", str(tmp_path / "empty"), "--no-serve"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.count("\n") == 1 and "no warehouse published yet" in err
    assert "run `make run` first" in err


def test_a_failed_dbt_is_one_line_with_its_error(tmp_path):
    warehouse, data_dir = _published(tmp_path)
    fake = FakeDbt(returncode=1, stdout="\x1b[0m12:00:00  Running\n12:00:01  Compilation Error x\n")
    with pytest.raises(docs.DocsError, match=r"failed: 12:00:01  Compilation Error x \(log: "):
        docs.generate_dbt_docs(warehouse, data_dir, run=fake)
    assert not (data_dir / "docs" / "dbt").exists()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_the_server_answers_on_localhost_with_both_sites(tmp_path):
    warehouse, data_dir = _published(tmp_path)
    site = docs.generate_dbt_docs(warehouse, data_dir, run=FakeDbt())
    gx = docs.gx_site(data_dir)
    gx.mkdir(parents=True)
    (gx / "index.html").write_text("<html>gx data docs</html>")
    server = docs.make_server(docs.DocsSites(site, gx), port=0)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{port}"
        assert _get(f"{base}/") == (200, "<html>dbt docs</html>")
        assert _get(f"{base}/manifest.json") == (200, '{"nodes": {}}')
        assert _get(f"{base}/gx/") == (200, "<html>gx data docs</html>")
        assert _get(f"{base}/gx") == (200, "<html>gx data docs</html>")  # redirected to /gx/
        assert _get(f"{base}/gx/../../warehouse/pfd.duckdb")[0] == 404
    finally:
        server.shutdown()
        server.server_close()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_a_busy_port_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(docs.DocsError, match=f"port {port} on 127.0.0.1 is in use"):
            docs.make_server(docs.DocsSites(tmp_path, tmp_path), port)


def test_ctrl_c_stops_the_server_cleanly(tmp_path, monkeypatch):
    warehouse, data_dir = _published(tmp_path)
    closed = []

    class Server:
        server_address = ("127.0.0.1", 8580)

        def serve_forever(self):
            raise KeyboardInterrupt

        def server_close(self):
            closed.append(True)

    monkeypatch.setattr(docs, "make_server", lambda sites, port: Server())
    out = io.StringIO()
    assert docs.docs(warehouse, data_dir, 8580, run=FakeDbt(), out=out) == 0
    printed = out.getvalue()
    assert "serving dbt docs at http://127.0.0.1:8580/" in printed
    assert "GX Data Docs:  none yet" in printed
    assert printed.rstrip().endswith("stopped") and closed == [True]


def test_the_audit_asset_description_renders_in_the_ui():
    """Markdown: a path written with angle brackets would be swallowed as an HTML tag."""
    from orchestration.defs.audit import build_audit_report_asset

    asset = build_audit_report_asset()
    [description] = [spec.description for spec in asset.specs]
    assert "<" not in description and ">" not in description
    assert "`DATA_DIR/audit/data_docs/index.html`" in description
    assert "http://127.0.0.1:8580/gx/index.html" in description
