"""Quality of the hard parts, measured: `make quality` (pfdw quality).

1. Recipient resolution against the hand-labelled sample (tests/fixtures/labelled/
   recipients_sample.csv): every labelled ``sent_to`` string becomes one raw report row in a
   temporary warehouse, the dbt models up to ``int_recipients_resolved`` are built, and the
   listed organisation keys (``ods:``/``nb:``) the models produce for each string are compared with
   the labelled ones (scoring rule in tests/fixtures/labelled/README.md):
   precision = correct listed keys / listed keys produced, recall = correct / listed keys expected.
   A listed key produced for a string whose label is ``unlisted`` or ``none`` is a wrong match.
2. Coroner area resolution against tests/fixtures/labelled/areas_sample.csv: accuracy of the
   current area (and of the area as named) per spelling; unresolvable spellings must stay empty.
3. When a built warehouse exists (``--warehouse PATH``, default
   ``orchestration.warehouse.settings.warehouse_path()``): the shares on the full snapshot of
   recipient
   pieces resolved, response documents matched to a recipient, and reports with a parsed date and
   a valid ref; then the report-text figures (orchestration/bench/quality_report_text.py):
   texts read, recipients by source, header/text agreement, statuses by capture kind; and the
   organisation figures (orchestration/bench/quality_organisations.py): trusts by current body,
   organisations per type as named and by current organisation; and the HSSIB action states
   (orchestration/bench/quality_hssib.py): actions by organisation and status as of each page's
   capture day, recommendation statuses, capture days and basis, and the rule that decided each.
4. Theme rules against the held-out labelled theme sample (orchestration/bench/quality_themes.py):
   precision and recall per theme, random part, targeted part and both.

Figures are printed, never asserted; the first misses are listed to guide the work. The labelled
sample is a held-out measure: rules and lookups must never be tuned to its strings.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.bench.formatting import share
from orchestration.bench.quality_hssib import (
    HssibMartsMissing,
    hssib_figures,
    print_hssib_figures,
)
from orchestration.bench.quality_organisations import (
    organisation_figures,
    print_organisation_figures,
)
from orchestration.bench.quality_report_text import measure as measure_report_text
from orchestration.bench.quality_report_text import print_report_text
from orchestration.bench.quality_themes import measure_sample as measure_themes
from orchestration.bench.quality_themes import print_theme_quality
from orchestration.sources.judiciary_pfd.load import ensure_raw_schema
from orchestration.warehouse.dbt_cli import run_dbt
from orchestration.warehouse.settings import warehouse_path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LABELLED_DIR = PROJECT_ROOT / "tests" / "fixtures" / "labelled"
RECIPIENTS_SAMPLE = LABELLED_DIR / "recipients_sample.csv"
AREAS_SAMPLE = LABELLED_DIR / "areas_sample.csv"
LISTED_PREFIXES = ("ods:", "nb:")
QUALITY_MODELS = ("+int_recipients_resolved", "+int_coroner_areas_resolved")
LOADED_AT = dt.datetime(2026, 1, 1)
RECIPIENT_URL = "quality://recipients/{sample_id}"
AREA_URL = "quality://areas/{index}"


def is_listed(key: str | None) -> bool:
    return bool(key) and key.startswith(LISTED_PREFIXES)


# --- labelled samples ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientLabel:
    sample_id: str
    report_year: str
    sent_to_raw: str
    recipient_raw: str
    expected_key: str
    expected_name: str


@dataclass(frozen=True)
class AreaLabel:
    coroner_area_raw: str
    expected_area: str
    expected_current_area: str


def _read_csv(path: Path, required: Iterable[str]) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = set(required) - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        return list(reader)


def read_recipient_labels(path: Path = RECIPIENTS_SAMPLE) -> list[RecipientLabel]:
    required = ("sample_id", "sent_to_raw", "recipient_raw", "expected_organisation_key")
    rows = _read_csv(path, required)
    labels = []
    for line, row in enumerate(rows, start=2):
        key = row["expected_organisation_key"].strip()
        if not (is_listed(key) or key in ("unlisted", "none")):
            raise ValueError(
                f"{path}:{line}: expected_organisation_key {key!r} is not ods:/nb:/unlisted/none"
            )
        labels.append(
            RecipientLabel(
                sample_id=row["sample_id"].strip(),
                report_year=row.get("report_year", "").strip(),
                sent_to_raw=row["sent_to_raw"],
                recipient_raw=row["recipient_raw"],
                expected_key=key,
                expected_name=row.get("expected_canonical_name", ""),
            )
        )
    return labels


def read_area_labels(path: Path = AREAS_SAMPLE) -> list[AreaLabel]:
    rows = _read_csv(path, ("coroner_area_raw", "expected_area", "expected_current_area"))
    return [
        AreaLabel(row["coroner_area_raw"], row["expected_area"], row["expected_current_area"])
        for row in rows
    ]


# --- the temporary warehouse --------------------------------------------------------------------


def build_quality_warehouse(
    path: Path, recipients: Sequence[RecipientLabel], areas: Sequence[AreaLabel]
) -> None:
    """Raw schema with one report row per labelled sent_to string and per area spelling.

    The sample gives the report year only; 1 July of it stands in for the report date, which the
    models use for names valid for a period (a hospital site whose trust changed).
    """
    first_label: dict[str, RecipientLabel] = {}
    for label in recipients:
        first_label.setdefault(label.sample_id, label)
    rows = [
        (
            RECIPIENT_URL.format(sample_id=sample_id),
            f"01/07/{label.report_year}" if label.report_year.isdigit() else None,
            None,
            label.sent_to_raw,
        )
        for sample_id, label in first_label.items()
    ]
    rows += [
        (AREA_URL.format(index=index), None, label.coroner_area_raw, None)
        for index, label in enumerate(areas)
    ]
    with duckdb.connect(str(path)) as connection:
        ensure_raw_schema(connection)
        connection.executemany(
            """
            insert into raw.judiciary_pfd__reports (
                report_url, date_of_report_raw, coroner_area_raw, sent_to_raw, parse_warnings,
                content_hash,
                first_seen_at, last_seen_at, last_changed_at, first_seen_run_id,
                last_seen_run_id, first_seen_on, last_fetched_on
            ) values (?, ?, ?, ?, '[]', 'quality', ?, ?, ?, 'quality', 'quality', ?, ?)
            """,
            [
                (url, report_date, area, sent_to, *[LOADED_AT] * 3, *[LOADED_AT.date()] * 2)
                for url, report_date, area, sent_to in rows
            ],
        )


def build_quality_models(warehouse: Path, work_dir: Path) -> None:
    """Seeds and the models the measures read (tests are left to ``dbt build`` proper)."""
    for command in (
        ["seed", "--quiet"],
        ["run", "--quiet", "--select", *QUALITY_MODELS],
    ):
        result = run_dbt(command, warehouse, work_dir)
        if result.returncode != 0:
            raise RuntimeError(
                f"dbt {command[0]} failed (exit {result.returncode}):\n"
                f"{result.stdout[-4000:]}{result.stderr[-2000:]}"
            )


# --- scoring ------------------------------------------------------------------------------------


@dataclass
class RecipientScore:
    produced: int = 0
    expected: int = 0
    correct: int = 0
    # (sample_id, sent_to_raw, key, what was expected or produced)
    missed: list[tuple[str, str, str, str]] = field(default_factory=list)
    wrong: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.produced if self.produced else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 0.0


def score_recipients(
    labels: Sequence[RecipientLabel], produced_by_sample: dict[str, dict[str, str]]
) -> RecipientScore:
    """Compare per string the set of listed keys expected with the set produced.

    ``produced_by_sample`` maps sample_id -> {listed key: recipient name the model resolved}.
    """
    expected_by_sample: dict[str, dict[str, str]] = defaultdict(dict)
    sent_to: dict[str, str] = {}
    for label in labels:
        sent_to.setdefault(label.sample_id, label.sent_to_raw)
        if is_listed(label.expected_key):
            expected_by_sample[label.sample_id].setdefault(label.expected_key, label.recipient_raw)
    score = RecipientScore()
    for sample_id in sent_to:
        expected = expected_by_sample.get(sample_id, {})
        produced = produced_by_sample.get(sample_id, {})
        score.expected += len(expected)
        score.produced += len(produced)
        score.correct += len(expected.keys() & produced.keys())
        for key in sorted(expected.keys() - produced.keys()):
            score.missed.append((sample_id, sent_to[sample_id], key, expected[key]))
        for key in sorted(produced.keys() - expected.keys()):
            score.wrong.append((sample_id, sent_to[sample_id], key, produced[key]))
    return score


def produced_recipient_keys(connection: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    rows = connection.execute(
        """
        select replace(report_url, 'quality://recipients/', ''), organisation_key, recipient_name
        from intermediate.int_recipients_resolved
        where report_url like 'quality://recipients/%'
            and (organisation_key like 'ods:%' or organisation_key like 'nb:%')
        order by report_url, recipient_position
        """
    ).fetchall()
    produced: dict[str, dict[str, str]] = defaultdict(dict)
    for sample_id, key, name in rows:
        produced[sample_id].setdefault(key, name or "")
    return produced


@dataclass
class AreaScore:
    total: int = 0
    current_correct: int = 0
    named_correct: int = 0
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def current_accuracy(self) -> float:
        return self.current_correct / self.total if self.total else 0.0

    @property
    def named_accuracy(self) -> float:
        return self.named_correct / self.total if self.total else 0.0


def score_areas(labels: Sequence[AreaLabel], resolved: dict[str, tuple[str, str]]) -> AreaScore:
    """``resolved`` maps raw spelling -> (area as named, current area), '' when unresolved."""
    score = AreaScore()
    for label in labels:
        named, current = resolved.get(label.coroner_area_raw, ("", ""))
        score.total += 1
        score.current_correct += current == label.expected_current_area
        # an empty expected_area means "no single historic area": only the current area counts
        score.named_correct += (not label.expected_area) or named == label.expected_area
        if current != label.expected_current_area:
            score.misses.append(
                (label.coroner_area_raw, label.expected_current_area, current, named)
            )
    return score


def resolved_areas(connection: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    rows = connection.execute(
        """
        select coroner_area_raw, coalesce(coroner_area, ''), coalesce(current_coroner_area, '')
        from intermediate.int_coroner_areas_resolved
        where coroner_area_raw is not null
        """
    ).fetchall()
    return {raw: (named, current) for raw, named, current in rows}


# --- the full snapshot --------------------------------------------------------------------------

SNAPSHOT_SHARES = {
    "recipient pieces resolved to a listed organisation (of named pieces)": """
        select count(*) filter (where is_listed_organisation), count(*)
        from intermediate.int_recipients_resolved where recipient_kind = 'named'
    """,
    "recipient pieces resolved to any organisation (listed or name:) (of named pieces)": """
        select count(*) filter (where organisation_key is not null), count(*)
        from intermediate.int_recipients_resolved where recipient_kind = 'named'
    """,
    "response documents matched to a recipient": """
        select count(*) filter (where match_method <> 'unmatched'), count(*)
        from intermediate.int_responses_matched
    """,
    "response documents matched, on reports naming a recipient": """
        select count(*) filter (where match_method <> 'unmatched'), count(*)
        from intermediate.int_responses_matched
        where report_url in (
            select report_url from intermediate.int_recipients_resolved
            where organisation_key is not null
        )
    """,
    "reports with a parsed report date": """
        select count(*) filter (where has_report_date), count(*) from main.fct_reports
    """,
    "reports with a valid ref": """
        select count(*) filter (where is_ref_valid), count(*) from main.fct_reports
    """,
    "reports with a parsed date and a valid ref": """
        select count(*) filter (where has_report_date and is_ref_valid), count(*)
        from main.fct_reports
    """,
}


def snapshot_shares(path: Path) -> dict[str, tuple[int, int]]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return {
            label: tuple(connection.execute(sql).fetchone())
            for label, sql in SNAPSHOT_SHARES.items()
        }


def unmatched_responses(path: Path, limit: int) -> list[tuple[str, str, str]]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(
            """
            select report_url, file_name, coalesce(response_organisation_text, '')
            from intermediate.int_responses_matched
            where match_method = 'unmatched'
            order by hash(document_url)
            limit ?
            """,
            [limit],
        ).fetchall()


# --- output -------------------------------------------------------------------------------------


def _one_line(text: str, width: int = 90) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def measure_samples(
    recipients_csv: Path, areas_csv: Path, work_dir: Path
) -> tuple[RecipientScore, AreaScore]:
    recipient_labels = read_recipient_labels(recipients_csv)
    area_labels = read_area_labels(areas_csv)
    warehouse = work_dir / "quality.duckdb"
    build_quality_warehouse(warehouse, recipient_labels, area_labels)
    build_quality_models(warehouse, work_dir)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        recipients = score_recipients(recipient_labels, produced_recipient_keys(connection))
        areas = score_areas(area_labels, resolved_areas(connection))
    return recipients, areas


def print_report(
    recipients: RecipientScore, areas: AreaScore, misses_shown: int, out=sys.stdout
) -> None:
    print("Recipient resolution (labelled sample, listed keys ods:/nb:)", file=out)
    precision = share(recipients.correct, recipients.produced)
    recall = share(recipients.correct, recipients.expected)
    print(f"  precision {precision}   target >= 97%", file=out)
    print(f"  recall    {recall}   target >= 90%", file=out)
    print(f"  wrong matches ({len(recipients.wrong)}; first {misses_shown}):", file=out)
    for sample_id, sent_to, key, name in recipients.wrong[:misses_shown]:
        print(f"    #{sample_id} {key} <- {name!r} in {_one_line(sent_to)!r}", file=out)
    print(f"  missed ({len(recipients.missed)}; first {misses_shown}):", file=out)
    for sample_id, _sent_to, key, piece in recipients.missed[:misses_shown]:
        print(f"    #{sample_id} expected {key} for {_one_line(piece)!r}", file=out)
    print("Coroner area resolution (labelled spellings)", file=out)
    print(
        f"  current area accuracy {share(areas.current_correct, areas.total)}   target >= 99%",
        file=out,
    )
    print(f"  area-as-named accuracy {share(areas.named_correct, areas.total)}", file=out)
    for raw, expected, current, named in areas.misses[:misses_shown]:
        print(
            f"    {_one_line(raw)!r}: expected {expected!r}, got {current!r} (named {named!r})",
            file=out,
        )


def print_snapshot(path: Path, misses_shown: int, out=sys.stdout) -> None:
    print(f"Full snapshot ({path})", file=out)
    for label, (numerator, denominator) in snapshot_shares(path).items():
        print(f"  {share(numerator, denominator)}  {label}", file=out)
    print(f"  unmatched responses (first {misses_shown}):", file=out)
    for _report_url, file_name, organisation_text in unmatched_responses(path, misses_shown):
        print(f"    {file_name}  [{organisation_text}]", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pfdw quality", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help="built warehouse for the full-snapshot shares (default: the configured warehouse)",
    )
    parser.add_argument("--recipients", type=Path, default=RECIPIENTS_SAMPLE)
    parser.add_argument("--areas", type=Path, default=AREAS_SAMPLE)
    parser.add_argument("--misses", type=int, default=20, help="misses listed per measure")
    parser.add_argument("--skip-samples", action="store_true", help="only the full-snapshot shares")
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="build the labelled-sample warehouse in this folder and keep it (for debugging)",
    )
    args = parser.parse_args(argv)

    if not args.skip_samples:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / "quality.duckdb").unlink(missing_ok=True)
            recipients, areas = measure_samples(args.recipients, args.areas, args.keep)
        else:
            with tempfile.TemporaryDirectory(prefix="pfdw-quality-") as work_dir:
                recipients, areas = measure_samples(args.recipients, args.areas, Path(work_dir))
        print_report(recipients, areas, args.misses)
        theme_quality, theme_rules = measure_themes()
        print_theme_quality(theme_quality, theme_rules)

    snapshot = args.warehouse or warehouse_path()
    if snapshot.exists():
        print_snapshot(snapshot, args.misses)
        print_organisation_figures(organisation_figures(snapshot))
        print_report_text(measure_report_text(snapshot))
        try:
            print_hssib_figures(hssib_figures(snapshot))
        except HssibMartsMissing as error:
            print(f"HSSIB action states: not measured: {error}")
    elif args.warehouse is not None:
        print(f"error: --warehouse {snapshot} does not exist", file=sys.stderr)
        return 2
    else:
        print(f"Full snapshot: no warehouse at {snapshot} (run `make run` or pass --warehouse)")
    return 0
