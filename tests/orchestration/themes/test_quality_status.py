"""A theme measured below 0.8 precision on the held-out labelled sample (or with too few
predictions to judge) must be `experimental` in themes.yml; rows not yet labelled are skipped."""

from __future__ import annotations

import pytest

from orchestration.bench.quality_themes import (
    ThemeLabel,
    ThemeSampleError,
    measure,
    measure_sample,
    print_theme_quality,
    read_theme_labels,
)
from orchestration.themes.rules import load_rules

SAMPLE_HEADER = "sample,report_url,theme,label,evidence,note\n"


def test_every_theme_below_the_bar_on_the_labelled_sample_is_experimental():
    quality, rules = measure_sample()
    wrong = [
        f"{theme.theme_id}: precision {quality.total(theme.theme_id).precision}"
        f" on {quality.total(theme.theme_id).predicted} predicted"
        for theme in rules.themes
        if quality.should_be_experimental(theme.theme_id) and theme.status != "experimental"
    ]
    assert not wrong, "mark these experimental in themes.yml: " + "; ".join(wrong)
    assert not quality.without_text, "every sample report has text in the snapshot"


def test_the_status_check_fails_for_a_reviewed_theme_with_poor_precision(tmp_path):
    rules = load_rules()
    sections = {
        "r1": {"coroners_concerns": "She fell down the stairs and fell again."},
        "r2": {"coroners_concerns": "He fell from the ladder; he fell twice."},
    }
    labels = [
        ThemeLabel("random", "r1", "falls", True),
        ThemeLabel("random", "r2", "falls", False),
    ]
    quality = measure(labels, sections, rules)
    counts = quality.total("falls")
    assert (counts.judgements, counts.labelled, counts.predicted) == (2, 1, 2)
    assert counts.precision == 0.5 and counts.recall == 1.0
    assert quality.should_be_experimental("falls")  # 0.5 < 0.8
    many = [ThemeLabel("targeted", f"r{n}", "falls", True) for n in range(5)]
    sections.update({f"r{n}": sections["r1"] for n in range(5)})
    assert not measure(many, sections, rules).should_be_experimental("falls")
    assert measure(many[:4], sections, rules).should_be_experimental("falls")  # too few


def test_unlabelled_rows_are_skipped_and_counted(tmp_path):
    (tmp_path / "themes_sample_random.csv").write_text(
        SAMPLE_HEADER + "random,r1,falls,yes,,\nrandom,r2,falls,,,\nrandom,r3,falls,NO,,\n"
    )
    labels, skipped = read_theme_labels(tmp_path)
    assert skipped == 1
    assert [(lab.report_url, lab.is_positive) for lab in labels] == [("r1", True), ("r3", False)]
    (tmp_path / "themes_sample_targeted.csv").write_text(
        SAMPLE_HEADER + "targeted,r4,falls,maybe,,\n"
    )
    with pytest.raises(ThemeSampleError, match="themes_sample_targeted.csv line 2: label 'maybe'"):
        read_theme_labels(tmp_path)


def test_the_quality_print_gives_counts_per_part(capsys):
    rules = load_rules()
    labels = [ThemeLabel("random", "r1", "falls", True)]
    quality = measure(labels, {"r1": {"coroners_concerns": "She fell. She fell."}}, rules, 3)
    print_theme_quality(quality, rules)
    out = capsys.readouterr().out
    assert "3 rows not yet labelled (skipped)" in out
    assert "1.00 (1/1)" in out
