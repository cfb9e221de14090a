"""PHQ-9 and PHQ-2 against hand-computed vectors (SCIENCE.md 3.2)."""

from __future__ import annotations

import pytest

from affectrange.instruments import get_instrument

from .helpers import items

PHQ9 = get_instrument("phq9")
PHQ2 = get_instrument("phq2")


@pytest.mark.parametrize(
    ("scores", "total", "band", "positive"),
    [
        ((0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "none-minimal", False),
        ((1, 1, 1, 1, 0, 0, 0, 0, 0), 4, "none-minimal", False),
        ((1, 1, 1, 1, 1, 0, 0, 0, 0), 5, "mild", False),
        ((2, 2, 2, 2, 1, 0, 0, 0, 0), 9, "mild", False),
        ((2, 2, 2, 2, 2, 0, 0, 0, 0), 10, "moderate", True),
        ((2, 2, 2, 2, 2, 2, 2, 0, 0), 14, "moderate", True),
        ((3, 2, 2, 2, 2, 2, 2, 0, 0), 15, "moderately severe", True),
        ((3, 3, 3, 3, 3, 2, 2, 0, 0), 19, "moderately severe", True),
        ((3, 3, 3, 3, 3, 3, 2, 0, 0), 20, "severe", True),
        ((3, 3, 3, 3, 3, 3, 3, 3, 3), 27, "severe", True),
    ],
)
def test_phq9_total_band_and_screen_at_every_boundary(
    scores: tuple[int, ...], total: int, band: str, positive: bool
) -> None:
    result = PHQ9.score(items(*scores))

    assert (result.total, result.band, result.positive) == (total, band, positive)
    assert result.missing == ()
    assert result.instrument == "phq9"


def test_item_9_endorsed_raises_the_safety_flag_whatever_the_total() -> None:
    result = PHQ9.score(items(0, 0, 0, 0, 0, 0, 0, 0, 1))

    assert result.total == 1
    assert result.band == "none-minimal"
    assert result.safety is True


def test_item_9_endorsed_raises_the_safety_flag_even_when_other_items_are_missing() -> None:
    result = PHQ9.score({"q9": 1})

    assert result.total is None
    assert result.band is None
    assert result.positive is None
    assert result.safety is True
    assert result.missing == ("q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8")


def test_item_9_unanswered_is_never_imputed() -> None:
    result = PHQ9.score(items(3, 3, 3, 3, 3, 3, 3, 3, None))

    assert result.total is None
    assert result.safety is False
    assert result.missing == ("q9",)


def test_item_9_at_zero_is_no_safety_flag() -> None:
    assert PHQ9.score(items(3, 3, 3, 3, 3, 3, 3, 3, 0)).safety is False


@pytest.mark.parametrize("q9", [1, 2, 3])
def test_every_answer_above_not_at_all_on_item_9_is_a_safety_flag(q9: int) -> None:
    assert PHQ9.score({"q9": q9}).safety is True


def test_difficulty_item_is_recorded_not_scored_and_never_missing() -> None:
    scores = items(2, 2, 2, 2, 2, 0, 0, 0, 0)

    with_difficulty = PHQ9.score({**scores, "q10": 3})
    without_difficulty = PHQ9.score(scores)

    assert with_difficulty.total == without_difficulty.total == 10
    assert with_difficulty.details["difficulty"] == 3
    assert without_difficulty.details["difficulty"] is None
    assert without_difficulty.missing == ()


@pytest.mark.parametrize(
    ("scores", "major", "other"),
    [
        # core 2 (q1, q2 >= 2) + other 3 (q3-q5 >= 2) = 5: major depressive syndrome
        ((2, 2, 2, 2, 2, 0, 0, 0, 0), True, False),
        # core 1 + other 1 = 2: other depressive syndrome
        ((2, 0, 2, 0, 0, 0, 0, 0, 0), False, True),
        # core 1 + other 2 + item 9 at 1 (counts at >= 1) = 4: other depressive syndrome
        ((0, 3, 2, 2, 0, 0, 0, 0, 1), False, True),
        # core 1 + other 3 + item 9 = 5: major
        ((0, 3, 2, 2, 2, 0, 0, 0, 1), True, False),
        # no core symptom: neither, however high the rest
        ((1, 1, 3, 3, 3, 3, 3, 3, 3), False, False),
        # items at 1 do not count
        ((1, 1, 1, 1, 1, 1, 1, 1, 0), False, False),
    ],
)
def test_dsm_algorithm(scores: tuple[int, ...], major: bool, other: bool) -> None:
    details = PHQ9.score(items(*scores)).details

    assert details["major_depressive_syndrome"] is major
    assert details["other_depressive_syndrome"] is other


def test_dsm_algorithm_needs_all_nine_items() -> None:
    details = PHQ9.score(items(3, 3, 3, 3, 3, 3, 3, 3)).details

    assert details["major_depressive_syndrome"] is None
    assert details["other_depressive_syndrome"] is None


@pytest.mark.parametrize(
    ("q1", "q2", "positive"),
    [(0, 0, False), (1, 1, False), (2, 0, False), (2, 1, True), (0, 3, True), (3, 3, True)],
)
def test_phq2_screens_positive_at_3(q1: int, q2: int, positive: bool) -> None:
    result = PHQ2.score({"q1": q1, "q2": q2})

    assert result.total == q1 + q2
    assert result.positive is positive
    assert result.details["offer_phq9"] is positive
    assert result.band is None
    assert result.safety is False  # PHQ-2 has no item 9


def test_phq2_missing_item() -> None:
    result = PHQ2.score({"q1": 3})

    assert (result.total, result.positive, result.missing) == (None, None, ("q2",))


def test_phq2_items_are_phq9_items_1_and_2_and_its_stem_is_not_assumed() -> None:
    assert PHQ2.items == PHQ9.items[:2]
    # Copies of the PHQ-2 form disagree on the stem ("the following" / "any of the following");
    # the PHQ-9's is not borrowed for it.
    assert PHQ2.stem is None
    assert PHQ9.stem is not None
