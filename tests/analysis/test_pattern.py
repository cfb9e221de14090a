"""analysis.pattern.classify: every rule of SCIENCE.md 4.4 as coded, and each threshold's edge."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affectrange.analysis.pattern import (
    FLAT_RELATIVE_SD,
    MIN_DAYS_FOR_PATTERN,
    NA_DROP_SD,
    NA_HIGH,
    NUMBNESS_ENDORSED,
    PA_ANHEDONIA,
    PA_DROP_SD,
    PA_LOW,
    VARIABILITY_RATIO,
    classify,
    is_flat_and_numb,
)
from affectrange.analysis.windows import WindowMetrics

# A well person's 28 days: PA 3.5, NA 1.5 (SD 0.5), little numbness, PA and NA each using half of
# the spread their means leave room for. Every test changes only what it is about.
WELL = WindowMetrics(
    first=dt.date(2026, 1, 5),
    last=dt.date(2026, 2, 1),
    n_days=28,
    pa_mean=3.5,
    na_mean=1.5,
    numbness_mean=0.8,
    pa_sd=0.8,
    na_sd=0.5,
    pa_rmssd=0.9,
    na_rmssd=0.6,
    pa_inertia=0.3,
    na_inertia=0.3,
    pa_relative_sd=0.5,
    na_relative_sd=0.5,
    emodiversity=2.3,
    positive_emodiversity=1.8,
    negative_emodiversity=1.6,
    pa_reactivity=0.3,
    na_reactivity=0.4,
)

# Against WELL: numb (3.0), NA down by (1.0 - 1.5) / 0.5 = -1 baseline SD, both relative SDs at
# 0.25 / 0.5 = 0.5 of the baseline's (geometric mean 0.5 <= 0.7).
BLUNTED = replace(
    WELL,
    first=dt.date(2026, 4, 6),
    last=dt.date(2026, 5, 3),
    numbness_mean=3.0,
    na_mean=1.0,
    pa_relative_sd=0.25,
    na_relative_sd=0.25,
)


def pattern_of(current: WindowMetrics, baseline: WindowMetrics | None = WELL) -> str:
    return classify(current, baseline).pattern


def test_thresholds_are_the_documented_ones() -> None:
    assert (NUMBNESS_ENDORSED, NA_HIGH, PA_LOW, PA_ANHEDONIA) == (2.5, 2.5, 2.5, 2.0)
    assert (PA_DROP_SD, NA_DROP_SD, VARIABILITY_RATIO, FLAT_RELATIVE_SD) == (1.0, 0.5, 0.7, 0.2)
    assert MIN_DAYS_FOR_PATTERN == 14


# --------------------------------------------------------------------------------------------------
# Blunting-like, against a baseline


def test_numb_with_lower_na_and_narrower_swings_is_blunting_like() -> None:
    result = classify(BLUNTED, WELL)

    assert result.pattern == "blunting_like"
    assert [criterion.name for criterion in result.criteria] == [
        "numbness_endorsed",
        "negative_not_high",
        "negative_fell",
        "spread_narrowed",
    ]
    assert all(criterion.met for criterion in result.criteria)
    values = {criterion.name: criterion.value for criterion in result.criteria}
    assert values["negative_fell"] == pytest.approx(-1.0)
    assert values["spread_narrowed"] == pytest.approx(0.5)


def test_numbness_of_2_5_is_endorsed_and_2_49_is_not() -> None:
    assert pattern_of(replace(BLUNTED, numbness_mean=2.5)) == "blunting_like"
    assert pattern_of(replace(BLUNTED, numbness_mean=2.49)) == "no_pattern"


def test_na_of_2_5_is_high_so_not_blunting_like() -> None:
    # Baseline NA 3.5 (SD 0.5) so that 2.5 and 2.49 are both large drops.
    high_baseline = replace(WELL, na_mean=3.5)

    assert pattern_of(replace(BLUNTED, na_mean=2.49), high_baseline) == "blunting_like"
    assert pattern_of(replace(BLUNTED, na_mean=2.5), high_baseline) == "no_pattern"


def test_na_must_fall_by_half_a_baseline_sd() -> None:
    # (1.25 - 1.5) / 0.5 = -0.5 exactly: met. (1.26 - 1.5) / 0.5 = -0.48: not met.
    assert pattern_of(replace(BLUNTED, na_mean=1.25)) == "blunting_like"
    assert pattern_of(replace(BLUNTED, na_mean=1.26)) == "no_pattern"


def test_swings_must_narrow_to_at_most_70_percent_of_the_baseline() -> None:
    # 0.35 / 0.5 = 0.7 for both, geometric mean 0.7: met. 0.36 / 0.5 = 0.72: not met.
    at_ratio = replace(BLUNTED, pa_relative_sd=0.35, na_relative_sd=0.35)
    above = replace(BLUNTED, pa_relative_sd=0.36, na_relative_sd=0.36)

    assert pattern_of(at_ratio) == "blunting_like"
    assert pattern_of(above) == "no_pattern"


def test_the_narrowing_is_the_geometric_mean_of_the_pa_and_na_ratios() -> None:
    # PA ratio 0.25 / 0.5 = 0.5, NA ratio 0.49 / 0.5 = 0.98: sqrt(0.5 * 0.98) = sqrt(0.49) = 0.7.
    lopsided = replace(BLUNTED, pa_relative_sd=0.25, na_relative_sd=0.49)
    criteria = {criterion.name: criterion for criterion in classify(lopsided, WELL).criteria}

    assert criteria["spread_narrowed"].value == pytest.approx(0.7)
    assert criteria["spread_narrowed"].met


def test_an_unknown_spread_is_not_evidence_of_narrowing() -> None:
    assert pattern_of(replace(BLUNTED, na_relative_sd=None)) == "no_pattern"


def test_a_response_to_treatment_is_not_blunting_like() -> None:
    # Depressed before (PA 1.8, NA 3.2); now NA down by 4 SD, PA up, swings narrower: a response.
    depressed = replace(WELL, pa_mean=1.8, na_mean=3.2, numbness_mean=1.5)
    responded = replace(
        WELL, pa_mean=3.4, na_mean=1.2, numbness_mean=0.6, pa_relative_sd=0.3, na_relative_sd=0.3
    )

    assert pattern_of(responded, depressed) == "no_pattern"


@given(
    numbness=st.floats(0.0, 2.49),
    pa=st.floats(0.0, 6.0),
    na=st.floats(0.0, 6.0),
    spread=st.floats(0.0, 1.0),
)
def test_without_endorsed_numbness_the_pattern_is_never_blunting_like(
    numbness: float, pa: float, na: float, spread: float
) -> None:
    current = replace(
        BLUNTED,
        numbness_mean=numbness,
        pa_mean=pa,
        na_mean=na,
        pa_relative_sd=spread,
        na_relative_sd=spread,
    )

    assert pattern_of(current, WELL) != "blunting_like"
    assert pattern_of(current, None) != "blunting_like"


# --------------------------------------------------------------------------------------------------
# Blunting-like without a usable baseline


def test_without_a_baseline_flat_and_numb_is_blunting_like() -> None:
    # Geometric mean of relative SDs sqrt(0.2 * 0.2) = 0.2 <= 0.2: flat.
    flat = replace(BLUNTED, pa_relative_sd=0.2, na_relative_sd=0.2)
    result = classify(flat, None)

    assert result.pattern == "blunting_like"
    assert [criterion.name for criterion in result.criteria] == [
        "numbness_endorsed",
        "negative_not_high",
        "flat_spread",
    ]


def test_without_a_baseline_flat_means_at_most_20_percent_of_the_room() -> None:
    # sqrt(0.1 * 0.4) = 0.2: flat. sqrt(0.21 * 0.21) = 0.21: not flat.
    assert pattern_of(replace(BLUNTED, pa_relative_sd=0.1, na_relative_sd=0.4), None) == (
        "blunting_like"
    )
    assert pattern_of(replace(BLUNTED, pa_relative_sd=0.21, na_relative_sd=0.21), None) == (
        "no_pattern"
    )


def test_a_flat_and_numb_baseline_makes_the_no_baseline_rule_apply() -> None:
    # The baseline itself is blunted: the same numbers now show no fall and no narrowing against
    # it, yet the person is flat and numb on the no-baseline rule.
    already = replace(BLUNTED, pa_relative_sd=0.15, na_relative_sd=0.15)
    result = classify(already, already)

    assert is_flat_and_numb(already)
    assert not is_flat_and_numb(WELL)
    assert result.pattern == "blunting_like"
    assert "flat_spread" in [criterion.name for criterion in result.criteria]
    assert "negative_fell" not in [criterion.name for criterion in result.criteria]


# --------------------------------------------------------------------------------------------------
# Depressed affect


def test_high_na_with_low_pa_is_depressed_affect_even_when_numb() -> None:
    current = replace(WELL, na_mean=2.5, pa_mean=2.0, numbness_mean=3.0)

    result = classify(current, WELL)

    assert result.pattern == "depressed_affect"
    assert [criterion.name for criterion in result.criteria] == ["negative_high", "positive_low"]


def test_depressed_affect_needs_pa_below_2_5() -> None:
    assert pattern_of(replace(WELL, na_mean=3.0, pa_mean=2.49)) == "depressed_affect"
    assert pattern_of(replace(WELL, na_mean=3.0, pa_mean=2.5)) == "no_pattern"


def test_depressed_affect_needs_na_of_at_least_2_5() -> None:
    # No baseline: PA 2.2 is above the absolute anhedonia line (2.0), so nothing else applies.
    assert pattern_of(replace(WELL, na_mean=2.49, pa_mean=2.2), None) == "no_pattern"
    assert pattern_of(replace(WELL, na_mean=2.5, pa_mean=2.2), None) == "depressed_affect"


# --------------------------------------------------------------------------------------------------
# Anhedonia-like


def test_pa_of_2_or_less_without_high_na_or_numbness_is_anhedonia_like() -> None:
    result = classify(replace(WELL, pa_mean=2.0), None)

    assert result.pattern == "anhedonia_like"
    assert [criterion.name for criterion in result.criteria] == [
        "positive_low",
        "negative_not_high",
        "numbness_not_endorsed",
    ]
    assert pattern_of(replace(WELL, pa_mean=2.01), None) == "no_pattern"


def test_a_drop_of_one_baseline_sd_to_below_2_5_is_anhedonia_like() -> None:
    # Baseline PA 2.75, SD 0.5. (2.25 - 2.75) / 0.5 = -1.0: fell; 2.25 < 2.5: below.
    baseline = replace(WELL, pa_mean=2.75, pa_sd=0.5)
    result = classify(replace(WELL, pa_mean=2.25), baseline)

    assert result.pattern == "anhedonia_like"
    assert [criterion.name for criterion in result.criteria][:2] == [
        "positive_fell",
        "positive_below",
    ]


def test_a_drop_just_short_of_one_sd_is_not_anhedonia_like() -> None:
    # (2.26 - 2.75) / 0.5 = -0.98, and 2.26 is above the absolute 2.0.
    baseline = replace(WELL, pa_mean=2.75, pa_sd=0.5)

    assert pattern_of(replace(WELL, pa_mean=2.26), baseline) == "no_pattern"


def test_a_large_drop_that_leaves_pa_at_2_5_is_not_anhedonia_like() -> None:
    # (2.5 - 4.0) / 0.5 = -3 SD, but 2.5 is not below 2.5.
    baseline = replace(WELL, pa_mean=4.0, pa_sd=0.5)

    assert pattern_of(replace(WELL, pa_mean=2.5), baseline) == "no_pattern"


def test_low_pa_with_numbness_is_not_anhedonia_like() -> None:
    # Numb, NA not low enough versus baseline: not blunting either.
    current = replace(WELL, pa_mean=1.5, numbness_mean=2.5)

    assert pattern_of(current) == "no_pattern"


# --------------------------------------------------------------------------------------------------
# Not enough data


def test_fewer_than_14_answered_days_is_insufficient_data() -> None:
    result = classify(replace(BLUNTED, n_days=13), WELL)

    assert result.pattern == "insufficient_data"
    assert result.criteria[0].name == "enough_days"
    assert result.criteria[0].value == 13.0
    assert pattern_of(replace(BLUNTED, n_days=14)) == "blunting_like"


@pytest.mark.parametrize(
    "current",
    [
        replace(BLUNTED, pa_mean=None),
        replace(BLUNTED, na_mean=None),
        replace(BLUNTED, numbness_mean=None),
    ],
    ids=["pa_mean", "na_mean", "numbness_mean"],
)
def test_a_missing_level_is_insufficient_data(current: WindowMetrics) -> None:
    assert pattern_of(current) == "insufficient_data"


def test_the_evidence_for_insufficient_data_does_not_contradict_itself() -> None:
    # 28 days answered, but never the blunting items (a long CSV may carry a subset of items).
    # Criteria are "the numbers a person and their clinician can check": a criterion saying
    # "28 days answered, 14 needed, not met" cannot be checked, it contradicts itself.
    result = classify(replace(BLUNTED, numbness_mean=None), WELL)

    assert result.pattern == "insufficient_data"
    for criterion in result.criteria:
        if criterion.name == "enough_days":
            enough = criterion.value is not None and criterion.value >= criterion.threshold
            assert criterion.met == enough, criterion
