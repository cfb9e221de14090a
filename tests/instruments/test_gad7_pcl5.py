"""GAD-7 and PCL-5 against hand-computed vectors (SCIENCE.md 3.2)."""

from __future__ import annotations

import pytest

from affectrange.instruments import get_instrument
from affectrange.instruments.pcl5 import make_pcl5

from .helpers import items

GAD7 = get_instrument("gad7")
PCL5 = get_instrument("pcl5")


@pytest.mark.parametrize(
    ("scores", "total", "band", "positive"),
    [
        ((0, 0, 0, 0, 0, 0, 0), 0, "minimal", False),
        ((1, 1, 1, 1, 0, 0, 0), 4, "minimal", False),
        ((1, 1, 1, 1, 1, 0, 0), 5, "mild", False),
        ((2, 2, 2, 2, 1, 0, 0), 9, "mild", False),
        ((2, 2, 2, 2, 2, 0, 0), 10, "moderate", True),
        ((2, 2, 2, 2, 2, 2, 2), 14, "moderate", True),
        ((3, 2, 2, 2, 2, 2, 2), 15, "severe", True),
        ((3, 3, 3, 3, 3, 3, 3), 21, "severe", True),
    ],
)
def test_gad7_total_band_and_screen_at_every_boundary(
    scores: tuple[int, ...], total: int, band: str, positive: bool
) -> None:
    result = GAD7.score(items(*scores))

    assert (result.total, result.band, result.positive) == (total, band, positive)
    assert result.safety is False


def test_gad7_missing_item() -> None:
    result = GAD7.score(items(3, 3, 3, None, 3, 3, 3))

    assert (result.total, result.band, result.positive) == (None, None, None)
    assert result.missing == ("q4",)


def test_gad7_stem_is_the_gad7_forms_own() -> None:
    # Not the PHQ-9's "... by any of the following problems?".
    assert GAD7.stem == (
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    )
    assert GAD7.stem != get_instrument("phq9").stem


def pcl5(**scores: int) -> dict[str, int | None]:
    """All 20 items at 0 except those given."""
    return {**items(*[0] * 20), **scores}


def test_pcl5_cluster_rule_makes_a_positive_screen_below_the_cut_off() -> None:
    # One symptom (>= 2) in B and C, two in D and E: total 12, far below 33.
    answers = pcl5(q1=2, q6=2, q8=2, q9=2, q15=2, q16=2)

    result = PCL5.score(answers)

    assert result.total == 12
    assert result.details["total_at_or_above_cutoff"] is False
    assert result.details["cluster_rule_met"] is True
    assert result.positive is True
    assert result.band is None  # no empirically derived severity ranges


def test_pcl5_cluster_rule_needs_every_cluster() -> None:
    # Everything at 2 except the avoidance cluster C (q6, q7) at 1: total 18 * 2 + 2 = 38.
    answers = {**items(*[2] * 20), "q6": 1, "q7": 1}

    result = PCL5.score(answers)

    assert result.total == 38
    assert result.details["cluster_rule_met"] is False
    assert result.details["total_at_or_above_cutoff"] is True
    assert result.positive is True  # by the total alone


def test_pcl5_items_at_1_are_not_symptoms_for_the_cluster_rule() -> None:
    result = PCL5.score(items(*[1] * 20))

    assert result.total == 20
    assert result.details["cluster_rule_met"] is False
    assert result.positive is False


@pytest.mark.parametrize(("extra", "total", "positive"), [(0, 32, False), (1, 33, True)])
def test_pcl5_cut_off_at_33(extra: int, total: int, positive: bool) -> None:
    # B items at 4 (20) + q8-q10 at 4 (12) = 32; clusters C and E empty, so no cluster rule.
    answers = pcl5(q1=4, q2=4, q3=4, q4=4, q5=4, q8=4, q9=4, q10=4, q15=extra)

    result = PCL5.score(answers)

    assert result.total == total
    assert result.details["cluster_rule_met"] is False
    assert result.positive is positive


@pytest.mark.parametrize(("cutoff", "positive_at_31"), [(31, True), (32, False), (33, False)])
def test_pcl5_cut_off_is_configurable_from_31_to_33(cutoff: int, positive_at_31: bool) -> None:
    answers = pcl5(q1=4, q2=4, q3=4, q4=4, q5=4, q8=4, q9=4, q10=3)  # total 31, no cluster rule

    result = make_pcl5(cutoff).score(answers)

    assert result.total == 31
    assert result.positive is positive_at_31
    assert result.details["cutoff"] == cutoff


@pytest.mark.parametrize("cutoff", [30, 34])
def test_pcl5_cut_off_outside_the_published_range_is_refused(cutoff: int) -> None:
    with pytest.raises(ValueError, match="31, 32 or 33"):
        make_pcl5(cutoff)


def test_pcl5_cluster_scores_and_numbing_subscore() -> None:
    # q_n = n mod 5: B 1+2+3+4+0, C 1+2, D 3+4+0+1+2+3+4, E 0+1+2+3+4+0
    answers = items(*[n % 5 for n in range(1, 21)])

    details = PCL5.score(answers).details

    assert (details["B"], details["C"], details["D"], details["E"]) == (10, 3, 17, 10)
    assert details["numbing_subscore"] == 2 + 3 + 4  # items 12-14
    assert PCL5.score(answers).total == 40


def test_pcl5_missing_item_leaves_its_cluster_and_the_screen_unknown() -> None:
    answers = {**items(*[4] * 20), "q20": None}

    result = PCL5.score(answers)

    assert result.total is None
    assert result.positive is None
    assert result.missing == ("q20",)
    assert result.details["E"] is None
    assert result.details["cluster_rule_met"] is None
    assert result.details["B"] == 20
    assert result.details["numbing_subscore"] == 12
