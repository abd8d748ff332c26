"""The house layout: one slug per source, in every tier, and one way in (``pfdw``).

Adding a source is one folder per tier plus one line in ``orchestration/sources/registry.py``;
these tests fail when a registered slug lacks a folder, or a folder has no registered slug.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from expectations.registry import SUITES
from orchestration.sources.registry import SOURCES, source
from scrapers.common.source import crawl_source, source_slugs

ROOT = Path(__file__).resolve().parents[1]
SLUGS = [spec.slug for spec in SOURCES]
CRAWLED = [spec.slug for spec in SOURCES if spec.crawled]
LONG_FILE_LINES = 600


def test_the_registry_lists_each_slug_once_and_the_crawled_ones_have_spiders():
    assert len(SLUGS) == len(set(SLUGS))
    assert sorted(CRAWLED) == source_slugs()  # every scrapers/<slug>/ package is registered


@pytest.mark.parametrize("slug", CRAWLED)
def test_a_crawled_source_has_its_scrapers_package(slug):
    package = ROOT / "scrapers" / slug
    for module in ("__init__.py", "items.py", "selectors.py", "parsing.py", "spider.py"):
        assert (package / module).is_file(), f"scrapers/{slug}/{module} is missing"
    spec = crawl_source(slug)
    assert spec.canonical_origin == source(slug).origin
    assert (ROOT / spec.selectors_file).is_file()


@pytest.mark.parametrize("slug", SLUGS)
def test_every_source_has_its_folder_in_every_tier(slug):
    spec = source(slug)
    folders = [
        ROOT / "orchestration" / "sources" / slug,
        ROOT / "dbt_project" / "models" / "staging" / slug,
        ROOT / "tests" / "orchestration" / "sources" / slug,
        ROOT / "tests" / "fixtures" / slug,
    ]
    if spec.crawled:
        folders.append(ROOT / "tests" / "scrapers" / slug)
    missing = [str(folder.relative_to(ROOT)) for folder in folders if not folder.is_dir()]
    assert not missing, f"{slug} lacks {missing}"
    assert (ROOT / "expectations" / "suites" / f"{slug}.py").is_file()
    if spec.crawled:  # its raw tables' DDL sits beside its loader
        assert (ROOT / "orchestration" / "sources" / slug / "raw_schema.sql").is_file()


@pytest.mark.parametrize("slug", SLUGS)
def test_the_dbt_staging_folder_declares_the_source_and_its_raw_tables(slug):
    spec = source(slug)
    folder = ROOT / "dbt_project" / "models" / "staging" / slug
    sources_yml = (folder / f"_{slug}__sources.yml").read_text(encoding="utf-8")
    assert re.search(rf"^\s*- name: {spec.dbt_source}\s*$", sources_yml, re.M)
    for table in spec.raw_tables:
        assert re.search(rf"^\s*- name: {table}\s*$", sources_yml, re.M), (slug, table)
    models = sorted(p.name for p in folder.glob("*.sql"))
    assert models and all(name.startswith(f"stg_{slug}__") for name in models), models


@pytest.mark.parametrize("slug", SLUGS)
def test_each_source_names_registered_suites_on_its_own_tables(slug):
    spec = source(slug)
    by_name = {suite.name: suite for suite in SUITES}
    assert spec.suites, f"{slug} has no Great Expectations suite"
    for name in spec.suites:
        assert name in by_name, f"{slug} names suite {name!r}, not in expectations.registry"
        module = by_name[name].load_frame.__module__
        assert module == f"expectations.suites.{slug}", (name, module)


def test_every_folder_per_tier_belongs_to_a_registered_slug():
    tiers = {
        "orchestration/sources": [
            p.name for p in (ROOT / "orchestration" / "sources").iterdir() if p.is_dir()
        ],
        "dbt_project/models/staging": [
            p.name for p in (ROOT / "dbt_project" / "models" / "staging").iterdir() if p.is_dir()
        ],
        "tests/orchestration/sources": [
            p.name for p in (ROOT / "tests" / "orchestration" / "sources").iterdir() if p.is_dir()
        ],
    }
    for tier, names in tiers.items():
        strays = sorted(n for n in names if n not in SLUGS and not n.startswith("__"))
        assert not strays, f"{tier} has folders of no registered source: {strays}"


def _python_files(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def test_no_module_is_its_own_command_line_any_more():
    """One command, ``pfdw``: no ``python -m`` entry points left in the packages."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in _python_files("orchestration", "scrapers", "expectations")
        if path.name == "__main__.py" or '__name__ == "__main__"' in path.read_text()
    ]
    assert not offenders


def test_the_makefile_calls_pfdw_not_modules():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert not re.search(r"python -m (orchestration|scrapers|expectations)", makefile)
    for target in ("run", "ui", "audit", "bench", "quality", "snapshot"):
        assert re.search(rf"^{target}:.*\n(\t.*\n)*\t\$\(BIN\)/pfdw ", makefile, re.M), target


def test_no_long_module_without_a_reason():
    """Files over ~600 lines outside tests say why in their opening comment."""
    long = []
    for path in _python_files("orchestration", "scrapers", "expectations"):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > LONG_FILE_LINES:
            docstring = ast.get_docstring(ast.parse(text)) or ""
            if "long because" not in docstring.lower():
                long.append(str(path.relative_to(ROOT)))
    assert not long, f"over {LONG_FILE_LINES} lines with no reason given: {long}"


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    """Project modules ``module`` imports anywhere in its body (function-level imports too).
    ``from package import submodule`` is an import of the submodule, not of the package."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in known else node.module)
    return {name for name in found if name in known and name != module}


PACKAGES = ("orchestration", "scrapers", "expectations")


def test_no_import_cycles():
    """No two project modules import each other, directly or round a loop, even inside a
    function (the old dbt and returns asset modules did)."""
    import graphlib

    modules = {}
    for path in _python_files(*PACKAGES):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    known = set(modules)
    graph = {name: _imports(path, name, known) for name, path in modules.items()}
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


def test_every_file_of_the_shared_dagster_runs_goes_to_one_test_worker():
    """`make test`'s two workers: the files that read ``cli_pipeline`` must all be listed in
    tests/conftest.py, or the three Dagster runs are made once per worker."""
    from tests.conftest import SHARED_RUN_FILES

    readers = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("test_*.py")
        if path != Path(__file__) and re.search(r"\bcli_pipeline\b", path.read_text("utf-8"))
    }
    assert readers == SHARED_RUN_FILES
