"""The ONE generic runner: validate any registered suite's frame with Great Expectations 1.x.

An ephemeral GX context per audit run; each suite's frame is a pandas DataFrame read from the
warehouse (validating DuckDB through SQL fails in GX, see the stack notes). Results are reduced
to ``SuiteOutcome``: pass/fail, severity (``error`` for broken data, ``warning`` for findings about
the world), the failing organisations / areas / fields, and the offending rows. The same context
renders Data Docs: with a results folder, one stable site that keeps the history of runs, each
under its run name and the data asset it validated (``expectations.data_docs``).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from expectations.config import AuditConfig
from expectations.registry import SUITES, SuiteSpec

log = logging.getLogger(__name__)
UNEXPECTED_ROWS_KEPT = 50
_SEVERITY = {"critical": "error", "warning": "warning", "info": "info"}


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    severity: str
    failing_entities: list[str]
    unexpected_rows: list[dict]
    observed: dict
    thresholds: dict


@dataclass
class SuiteOutcome:
    suite: str
    table: str
    success: bool
    severity: str | None  # None when passed; "error" if any failed expectation is an error
    failing_entities: list[str]
    row_count: int
    facts: dict
    expectations: list[ExpectationOutcome] = field(default_factory=list)

    @property
    def failed_expectations(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if not e.success]

    def to_dict(self) -> dict:
        return _plain(asdict(self))


def _plain(value: Any) -> Any:
    """JSON-safe copy: numpy / pandas scalars and dates become plain values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None  # JSON has no NaN; pandas 3 uses it for missing strings
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "item"):
        try:
            return _plain(value.item())
        except (ValueError, AttributeError):
            pass
    if pd.isna(value) if not isinstance(value, (list, dict)) else False:
        return None
    return str(value)


def _result_format(spec: SuiteSpec) -> dict:
    return {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": list(spec.index_columns),
        "return_unexpected_index_query": False,
    }


def _outcome_of(spec: SuiteSpec, result) -> ExpectationOutcome:
    config = result.expectation_config
    kwargs = dict(config.kwargs)
    meta = config.meta or {}
    details = result.result or {}
    rows = [_plain(r) for r in (details.get("unexpected_index_list") or [])]
    if meta.get("entity") is not None:
        entities = [str(meta["entity"])] if not result.success else []
    else:
        entities = sorted({str(r.get(spec.entity_column)) for r in rows if isinstance(r, dict)})
    observed = {
        k: _plain(details[k])
        for k in ("observed_value", "element_count", "unexpected_count", "unexpected_percent")
        if k in details
    }
    thresholds = {
        k: _plain(kwargs[k])
        for k in ("min_value", "max_value", "mostly", "regex", "value_set", "row_condition")
        if k in kwargs and kwargs[k] is not None
    }
    severity = getattr(config, "severity", None) or "critical"
    return ExpectationOutcome(
        expectation=config.type,
        column=kwargs.get("column"),
        success=bool(result.success),
        severity=_SEVERITY.get(str(getattr(severity, "value", severity)), "error"),
        failing_entities=entities,
        unexpected_rows=rows[:UNEXPECTED_ROWS_KEPT],
        observed=observed,
        thresholds=thresholds,
    )


class AuditRunner:
    """Validates registered suites in one ephemeral GX context; optionally renders Data Docs.

    ``docs_dir`` alone: a site of this run's results only. With ``results_dir`` too: the
    results are added to that store (the newest ``runs_kept`` runs are kept) and the one site
    at ``docs_dir`` lists them all. Every suite validated by one runner shares one run id,
    named ``run_name`` (``expectations.data_docs.run_name``) at ``run_time``.
    """

    def __init__(
        self,
        docs_dir: Path | str | None = None,
        *,
        results_dir: Path | str | None = None,
        run_name: str | None = None,
        run_time: dt.datetime | None = None,
        runs_kept: int = AuditConfig.data_docs_runs_kept,
    ):
        import great_expectations as gx
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.base import ProgressBarsConfig

        from expectations import data_docs

        if runs_kept < 1:
            raise ValueError(f"data_docs_runs_kept must be at least 1, got {runs_kept}")
        self._gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        for site in list(self.context.get_config().data_docs_sites or {}):
            self.context.delete_data_docs_site(site)  # the default writes to a temp folder
        self.docs_dir = Path(docs_dir) if docs_dir else None
        self.results_dir = Path(results_dir) if results_dir and docs_dir else None
        self.runs_kept = runs_kept
        self.run_id = RunIdentifier(
            run_name=run_name or "audit", run_time=run_time or dt.datetime.now(dt.UTC)
        )
        self._validated: list = []  # (result key, result) of each suite, for the site
        if self.results_dir:
            self.context.add_store(
                data_docs.HISTORY_STORE, data_docs.history_store_config(self.results_dir)
            )
        if self.docs_dir:
            self.context.add_data_docs_site(
                site_name=data_docs.SITE_NAME,
                site_config=data_docs.site_config(
                    self.docs_dir, data_docs.HISTORY_STORE if self.results_dir else None
                ),
            )
        self._source = self.context.data_sources.add_pandas("warehouse_frames")

    def validate(
        self,
        spec: SuiteSpec,
        frame: pd.DataFrame,
        config: AuditConfig | None = None,
        facts: dict | None = None,
    ) -> SuiteOutcome:
        gx = self._gx
        config = config or AuditConfig()
        facts = dict(facts or {})
        asset = self._source.add_dataframe_asset(spec.table)
        batch = asset.add_batch_definition_whole_dataframe(f"{spec.name}_frame")
        suite = self.context.suites.add(gx.ExpectationSuite(name=spec.name))
        for expectation in spec.build_expectations(frame, facts, config):
            suite.add_expectation(expectation)
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=spec.name, data=batch, suite=suite)
        )
        result = definition.run(
            batch_parameters={"dataframe": frame},
            result_format=_result_format(spec),
            run_id=self.run_id,
        )
        if self.docs_dir:
            self._keep_for_docs(spec, result)
        outcomes = [_outcome_of(spec, r) for r in result.results]
        failed = [o for o in outcomes if not o.success]
        severity = None
        if failed:
            severity = "error" if any(o.severity == "error" for o in failed) else "warning"
        entities = sorted({e for o in failed for e in o.failing_entities})
        log.info("suite %s: %s (%d failed)", spec.name, "passed" if not failed else severity,
                 len(failed))  # fmt: skip
        return SuiteOutcome(
            suite=spec.name,
            table=spec.table,
            success=bool(result.success),
            severity=severity,
            failing_entities=entities,
            row_count=len(frame),
            facts=_plain(facts),
            expectations=outcomes,
        )

    def _keep_for_docs(self, spec: SuiteSpec, result) -> None:
        """Name the data asset on the result's page (GX shows "Data asset: None" for a
        DataFrame batch), and note the result's key for the site."""
        batch_spec = dict(result.meta.get("batch_spec") or {})
        result.meta["batch_spec"] = {**batch_spec, "data_asset_name": spec.table}
        store = self.context.validation_results_store
        key = next(
            k
            for k in store.list_keys()
            if k.expectation_suite_identifier.name == spec.name
            and k.run_id.to_tuple() == self.run_id.to_tuple()
        )
        store.set(key, result)
        self._validated.append((key, result))

    def build_docs(self) -> Path | None:
        """Render Data Docs for every suite validated so far; returns index.html. With a
        results folder, this run's results join the history first and the oldest runs beyond
        ``runs_kept`` leave it; only this run's pages and the index are rendered."""
        if not self.docs_dir:
            return None
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
        )

        from expectations import data_docs

        keys = [key for key, _ in self._validated]
        suites = [ExpectationSuiteIdentifier(k.expectation_suite_identifier.name) for k in keys]
        with data_docs.site_lock(self.docs_dir):
            if self.results_dir:
                history = self.context.stores[data_docs.HISTORY_STORE]
                for key, result in self._validated:
                    history.set(key, result)
                data_docs.prune_history(history, self.runs_kept)
            self.context.build_data_docs(
                site_names=[data_docs.SITE_NAME], resource_identifiers=[*keys, *suites] or None
            )
            data_docs.remove_empty_folders(self.docs_dir / "validations")
            data_docs.make_offline(self.docs_dir)
        return self.docs_dir / "index.html"

    def page_paths(self) -> dict[str, Path]:
        """Each validated suite's page of this run in the site (GX's layout: validations/
        <suite>/<run name>/<run time>/<batch>.html)."""
        if not self.docs_dir:
            return {}
        return {
            key.expectation_suite_identifier.name: self.docs_dir.joinpath(
                "validations", *key.to_tuple()[:-1], f"{key.to_tuple()[-1]}.html"
            )
            for key, _ in self._validated
        }


def run_suite(
    spec: SuiteSpec, frame: pd.DataFrame, config: AuditConfig | None = None, facts=None
) -> SuiteOutcome:
    """Validate one frame against one suite (what the tests and one-off checks use)."""
    return AuditRunner().validate(spec, frame, config, facts)


def run_registered(
    con,
    config: AuditConfig | None = None,
    names: list[str] | None = None,
    docs_dir: Path | str | None = None,
) -> tuple[list[SuiteOutcome], Path | None]:
    """Read each registered suite's frame through ``con`` and validate it (all by default)."""
    config = config or AuditConfig()
    runner = AuditRunner(docs_dir)
    outcomes = []
    for spec in SUITES:
        if names and spec.name not in names:
            continue
        frame, facts = spec.load_frame(con, config)
        outcomes.append(runner.validate(spec, frame, config, facts))
    return outcomes, runner.build_docs()
