"""Which pattern the most recent 28 days show, with the evidence for it (SCIENCE.md 4.4).

The profiles are a HYPOTHESIS built from the literature, not a validated digital phenotype: the
labels describe what the ratings look like and never diagnose or name a cause. Every threshold is a
named constant; docs/analysis.md explains each one and how the simulated cohort measures the rule.

Order of the rules: blunting-like is checked first because its defining mark (feeling numb or flat
while negative feelings are *low*) is the most specific; a person with high negative affect is
described as depressed affect even when they also feel numb, because that is what dominates their
ratings; anhedonia-like needs low positive affect without high negative affect or numbness.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

from affectrange.analysis.metrics import MIN_DAYS_FOR_LEVEL
from affectrange.analysis.windows import WindowMetrics

Pattern = Literal[
    "blunting_like", "anhedonia_like", "depressed_affect", "no_pattern", "insufficient_data"
]
PATTERNS: Final[tuple[Pattern, ...]] = (
    "blunting_like",
    "anhedonia_like",
    "depressed_affect",
    "no_pattern",
    "insufficient_data",
)

MIN_DAYS_FOR_PATTERN: Final = 14
"""At least half of the 28 days answered before the window is described at all."""

NUMBNESS_ENDORSED: Final = 2.5
"""Mean of "numb or flat", "indifferent" and "detached" (0..6) at which the person says they feel
flat on a typical day: halfway between "a little" and "moderately". SCIENCE.md 4.4 asks that the
person endorse the numb/flat items, not only that the numbers look flat."""

NA_HIGH: Final = 2.5
"""Mean negative affect (0..6) counted as high. Diary studies put well adults' mean negative items
near 1 and depressed adults' near 3; 2.5 sits between them."""

PA_LOW: Final = 2.5
"""Mean positive affect counted as low for depressed affect (well adults rate positive items
3-4)."""

PA_ANHEDONIA: Final = 2.0
"""Mean positive affect counted as low enough, on its own, for an anhedonia-like pattern."""

PA_DROP_SD: Final = 1.0
"""Or: positive affect fell by at least one baseline SD and now sits below `PA_LOW`."""

NA_DROP_SD: Final = 0.5
"""SCIENCE.md 4.4: versus the baseline, negative affect fell by at least 0.5 baseline SD."""

VARIABILITY_RATIO: Final = 0.7
"""Versus the baseline, the mean-adjusted day-to-day spread of PA and NA (their geometric mean) is
at most 70% of what it was: swings have clearly narrowed, beyond the 0.8-1.25 ratios a steady
person shows between two 28-day windows."""

FLAT_RELATIVE_SD: Final = 0.2
"""Without a usable earlier period, flat means PA and NA use at most 20% of the spread their means
leave room for (geometric mean of the two); steady well adults use 22-34%."""


@dataclass(frozen=True, slots=True)
class Criterion:
    """One test of a rule, with the numbers a person and their clinician can check."""

    name: str
    """Stable id, e.g. "numbness_endorsed"."""
    description: str
    """Plain words: what was tested."""
    value: float | None
    threshold: float
    met: bool


@dataclass(frozen=True, slots=True)
class PatternResult:
    pattern: Pattern
    criteria: tuple[Criterion, ...]
    """The tests of the rule that decided, in the order they were applied."""


def classify(current: WindowMetrics, baseline: WindowMetrics | None) -> PatternResult:
    """The pattern of `current`, judged against the person's own `baseline` where there is one."""
    if current.n_days < MIN_DAYS_FOR_PATTERN:
        enough = Criterion(
            "enough_days",
            "Days answered in the last 28",
            float(current.n_days),
            float(MIN_DAYS_FOR_PATTERN),
            met=False,
        )
        return PatternResult("insufficient_data", (enough,))
    unanswered = _unanswered_levels(current)
    if unanswered:
        return PatternResult("insufficient_data", unanswered)
    blunting = blunting_criteria(current, baseline)
    if all(criterion.met for criterion in blunting):
        return PatternResult("blunting_like", blunting)
    depressed = _depressed_criteria(current)
    if all(criterion.met for criterion in depressed):
        return PatternResult("depressed_affect", depressed)
    anhedonia = _anhedonia_criteria(current, baseline)
    if all(criterion.met for criterion in anhedonia):
        return PatternResult("anhedonia_like", anhedonia)
    return PatternResult("no_pattern", blunting)


_LEVELS: Final = (
    ("pa_mean", "positive_answered", "Positive feelings rated"),
    ("na_mean", "negative_answered", "Negative feelings rated"),
    ("numbness_mean", "numbness_answered", "Numb, indifferent or detached rated"),
)


def _unanswered_levels(window: WindowMetrics) -> tuple[Criterion, ...]:
    """A group of items rated on fewer than `MIN_DAYS_FOR_LEVEL` days (a CSV may carry a subset
    of the items): the pattern cannot be judged, and the evidence says which group is missing."""
    return tuple(
        Criterion(
            name,
            f"{description} on at least {MIN_DAYS_FOR_LEVEL} days",
            None,
            float(MIN_DAYS_FOR_LEVEL),
            met=False,
        )
        for attribute, name, description in _LEVELS
        if getattr(window, attribute) is None
    )


def is_flat_and_numb(window: WindowMetrics) -> bool:
    """The blunting-like picture on its own terms, with no baseline: used to tell whether the
    baseline itself was already blunted (then there is no onset to find)."""
    return all(criterion.met for criterion in blunting_criteria(window, None))


def blunting_criteria(
    current: WindowMetrics, baseline: WindowMetrics | None
) -> tuple[Criterion, ...]:
    numb = _at_least(
        "numbness_endorsed",
        "Feeling numb, indifferent or detached, on average (0-6)",
        current.numbness_mean,
        NUMBNESS_ENDORSED,
    )
    na_not_high = _below(
        "negative_not_high", "Negative feelings, on average (0-6)", current.na_mean, NA_HIGH
    )
    usable = baseline is not None and not is_flat_and_numb(baseline)
    if baseline is not None and usable:
        return (numb, na_not_high, *_narrowed(current, baseline))
    flat = _at_most(
        "flat_spread",
        "Share of the possible day-to-day spread used by positive and negative feelings",
        _geometric_mean(current.pa_relative_sd, current.na_relative_sd),
        FLAT_RELATIVE_SD,
    )
    return (numb, na_not_high, flat)


def _narrowed(current: WindowMetrics, baseline: WindowMetrics) -> tuple[Criterion, Criterion]:
    na_drop = _change_in_sd(current.na_mean, baseline.na_mean, baseline.na_sd)
    fell = _at_most(
        "negative_fell",
        "Change in negative feelings since the baseline, in baseline standard deviations",
        na_drop,
        -NA_DROP_SD,
    )
    ratio = _geometric_mean(
        _ratio(current.pa_relative_sd, baseline.pa_relative_sd),
        _ratio(current.na_relative_sd, baseline.na_relative_sd),
    )
    narrower = _at_most(
        "spread_narrowed",
        "Day-to-day spread of feelings now, as a share of the baseline's",
        ratio,
        VARIABILITY_RATIO,
    )
    return fell, narrower


def _depressed_criteria(current: WindowMetrics) -> tuple[Criterion, ...]:
    return (
        _at_least("negative_high", "Negative feelings, on average (0-6)", current.na_mean, NA_HIGH),
        _below("positive_low", "Positive feelings, on average (0-6)", current.pa_mean, PA_LOW),
    )


def _anhedonia_criteria(
    current: WindowMetrics, baseline: WindowMetrics | None
) -> tuple[Criterion, ...]:
    na_not_high = _below(
        "negative_not_high", "Negative feelings, on average (0-6)", current.na_mean, NA_HIGH
    )
    not_numb = _below(
        "numbness_not_endorsed",
        "Feeling numb, indifferent or detached, on average (0-6)",
        current.numbness_mean,
        NUMBNESS_ENDORSED,
    )
    low = _at_most(
        "positive_low", "Positive feelings, on average (0-6)", current.pa_mean, PA_ANHEDONIA
    )
    if not low.met and baseline is not None:
        drop = _change_in_sd(current.pa_mean, baseline.pa_mean, baseline.pa_sd)
        fell = _at_most(
            "positive_fell",
            "Change in positive feelings since the baseline, in baseline standard deviations",
            drop,
            -PA_DROP_SD,
        )
        below = _below(
            "positive_below", "Positive feelings, on average (0-6)", current.pa_mean, PA_LOW
        )
        if fell.met and below.met:
            return (fell, below, na_not_high, not_numb)
    return (low, na_not_high, not_numb)


def _change_in_sd(current: float | None, baseline: float | None, sd: float | None) -> float | None:
    if current is None or baseline is None or sd is None or sd <= 0:
        return None
    return (current - baseline) / sd


def _ratio(current: float | None, baseline: float | None) -> float | None:
    if current is None or baseline is None or baseline <= 0:
        return None
    return current / baseline


def _geometric_mean(first: float | None, second: float | None) -> float | None:
    if first is None or second is None or first < 0 or second < 0:
        return None
    return math.sqrt(first * second)


def _at_least(name: str, description: str, value: float | None, threshold: float) -> Criterion:
    met = value is not None and value >= threshold
    return Criterion(name, description, value, threshold, met)


def _at_most(name: str, description: str, value: float | None, threshold: float) -> Criterion:
    met = value is not None and value <= threshold
    return Criterion(name, description, value, threshold, met)


def _below(name: str, description: str, value: float | None, threshold: float) -> Criterion:
    met = value is not None and value < threshold
    return Criterion(name, description, value, threshold, met)
