"""Theme rules against the held-out labelled sample (`make quality`, issue 16).

The sample (tests/fixtures/labelled/themes/themes_sample_{random,targeted,rules_v1_check}.csv,
labelled by reading the texts, blind to the rules; README.md there says how each part was drawn)
has one judgement per row: report x theme, label yes|no. The rules
(orchestration/themes/themes.yml) are applied to the same words the labellers read (the bundled
snapshot texts, scrapers/snapshot/data/report_texts.csv.gz), and per theme we count: judgements,
labelled positives, predicted positives, true positives; precision = true / predicted, recall =
true / labelled, per part and for all parts. Precision counts every part; recall counts only the
parts drawn without the rules (random, targeted): the rules-check part was drawn mostly from
what the rules assign, so it would flatter recall.

A theme whose precision is below 0.8, or that has fewer than MIN_PREDICTED predicted positives
to judge from, should be ``experimental`` in the YAML (tests/orchestration/themes/
test_quality_status.py fails otherwise). Rows whose label is still empty are skipped and counted.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.bench.formatting import share
from orchestration.themes.rules import ThemeRules, assign_themes, load_rules

PROJECT_ROOT = Path(__file__).resolve().parents[2]
THEMES_SAMPLE_DIR = PROJECT_ROOT / "tests" / "fixtures" / "labelled" / "themes"
PARTS = ("random", "targeted", "rules_v1_check")
RECALL_PARTS = ("random", "targeted")  # drawn without the rules
LABEL_COLUMNS = ("sample", "report_url", "theme", "label")
MIN_PRECISION = 0.8
MIN_PREDICTED = 5


class ThemeSampleError(ValueError):
    """A labelled-sample file that cannot be read: one line naming the file and row."""


@dataclass(frozen=True)
class ThemeLabel:
    part: str
    report_url: str
    theme_id: str
    is_positive: bool


@dataclass
class Counts:
    judgements: int = 0
    labelled: int = 0
    predicted: int = 0
    true_positives: int = 0

    @property
    def precision(self) -> float | None:
        return self.true_positives / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.labelled if self.labelled else None

    def add(self, other: Counts) -> None:
        self.judgements += other.judgements
        self.labelled += other.labelled
        self.predicted += other.predicted
        self.true_positives += other.true_positives


@dataclass
class ThemeQuality:
    rules_version: int
    counts: dict[tuple[str, str], Counts] = field(default_factory=dict)  # (theme, part) -> counts
    unlabelled: int = 0
    without_text: set[str] = field(default_factory=set)

    def total(self, theme_id: str, parts: Sequence[str] = PARTS) -> Counts:
        total = Counts()
        for part in parts:
            total.add(self.counts.get((theme_id, part), Counts()))
        return total

    def should_be_experimental(self, theme_id: str) -> bool:
        total = self.total(theme_id)
        precision = total.precision
        return total.predicted < MIN_PREDICTED or precision is None or precision < MIN_PRECISION


def read_theme_labels(directory: Path = THEMES_SAMPLE_DIR) -> tuple[list[ThemeLabel], int]:
    """(labelled rows, rows skipped because their label is still empty)."""
    labels: list[ThemeLabel] = []
    skipped = 0
    for part in PARTS:
        path = directory / f"themes_sample_{part}.csv"
        if not path.exists():
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in LABEL_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ThemeSampleError(f"{path.name}: missing column {missing[0]!r}")
            for line, row in enumerate(reader, start=2):
                label = (row["label"] or "").strip().lower()
                if not label:
                    skipped += 1
                    continue
                if label not in ("yes", "no"):
                    raise ThemeSampleError(
                        f"{path.name} line {line}: label {label!r} is not yes|no"
                    )
                labels.append(ThemeLabel(part, row["report_url"], row["theme"], label == "yes"))
    return labels, skipped


def sample_sections(report_urls: Iterable[str]) -> dict[str, dict[str, str]]:
    """The words the labellers read: the bundled snapshot texts of these reports."""
    from scrapers.snapshot.report_text import bundled_report_texts

    texts = bundled_report_texts()
    return {url: dict(texts[url].sections) for url in set(report_urls) if url in texts}


def measure(
    labels: Sequence[ThemeLabel],
    sections: Mapping[str, Mapping[str, str]],
    rules: ThemeRules,
    unlabelled: int = 0,
) -> ThemeQuality:
    quality = ThemeQuality(rules.version, unlabelled=unlabelled)
    predicted = {
        url: {a.theme_id for a in assign_themes(rules, report)} for url, report in sections.items()
    }
    for label in labels:
        counts = quality.counts.setdefault((label.theme_id, label.part), Counts())
        if label.report_url not in sections:
            quality.without_text.add(label.report_url)
        is_predicted = label.theme_id in predicted.get(label.report_url, set())
        counts.judgements += 1
        counts.labelled += label.is_positive
        counts.predicted += is_predicted
        counts.true_positives += is_predicted and label.is_positive
    return quality


def measure_sample(
    directory: Path = THEMES_SAMPLE_DIR, rules: ThemeRules | None = None
) -> tuple[ThemeQuality, ThemeRules]:
    rules = rules or load_rules()
    labels, unlabelled = read_theme_labels(directory)
    sections = sample_sections(label.report_url for label in labels)
    return measure(labels, sections, rules, unlabelled), rules


def _ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.2f} ({numerator}/{denominator})" if denominator else "-"


def print_theme_quality(quality: ThemeQuality, rules: ThemeRules, out=None) -> None:
    out = out or sys.stdout
    print(f"Themes (rules version {quality.rules_version}; held-out labelled sample)", file=out)
    judged = sum(c.judgements for c in quality.counts.values())
    print(f"  {judged} judgements; {quality.unlabelled} rows not yet labelled (skipped)", file=out)
    if quality.without_text:
        print(f"  {len(quality.without_text)} sample reports have no text here", file=out)
    header = f"  {'theme':32} {'part':14} {'judged':>6} {'labelled':>8} {'predicted':>9}"
    print(f"{header}  {'precision':16} {'recall':16} status", file=out)
    statuses = Counter()
    for theme in rules.themes:
        for part in (*PARTS, "all"):
            counts = (
                quality.total(theme.theme_id)
                if part == "all"
                else quality.counts.get((theme.theme_id, part), Counts())
            )
            recall_counts = quality.total(theme.theme_id, RECALL_PARTS) if part == "all" else counts
            recall = (
                _ratio(recall_counts.true_positives, recall_counts.labelled)
                if part in (*RECALL_PARTS, "all")
                else "(rules-drawn)"
            )
            status = ""
            if part == "all":
                measured = (
                    "experimental" if quality.should_be_experimental(theme.theme_id) else "reviewed"
                )
                statuses[measured] += 1
                flag = "" if measured == theme.status else f"  (YAML says {theme.status})"
                status = measured + flag
            print(
                f"  {theme.theme_id if part == PARTS[0] else '':32} {part:14}"
                f" {counts.judgements:>6} {counts.labelled:>8} {counts.predicted:>9}"
                f"  {_ratio(counts.true_positives, counts.predicted):16}"
                f" {recall:16} {status}",
                file=out,
            )
    print(
        f"  measured: {statuses['reviewed']} reviewed, {statuses['experimental']} experimental"
        f" (experimental: precision < {MIN_PRECISION} or fewer than {MIN_PREDICTED} predicted)",
        file=out,
    )
    every, independent = Counts(), Counts()
    for (_, part), counts in quality.counts.items():
        every.add(counts)
        if part in RECALL_PARTS:
            independent.add(counts)
    print(
        f"  all themes: precision {share(every.true_positives, every.predicted)} (every part),"
        f" recall {share(independent.true_positives, independent.labelled)}"
        f" ({' and '.join(RECALL_PARTS)} parts)",
        file=out,
    )
