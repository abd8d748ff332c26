"""How the benchmarks and `pfdw quality` print a measured share."""

from __future__ import annotations


def share(numerator: int, denominator: int) -> str:
    """``" 75.5% (6,387/8,457)"``: the percentage and the counts it rests on (0% of nothing)."""
    percent = 100 * numerator / denominator if denominator else 0.0
    return f"{percent:5.1f}% ({numerator:,}/{denominator:,})"
