"""The strategies: stable ids, plain words (reading grade 8 or lower), and no medication advice."""

from __future__ import annotations

import textstat  # type: ignore[import-untyped]

from affectrange.careplan.impact import IMPACT_ANSWERS, IMPACT_ITEMS
from affectrange.careplan.models import IMPACT_COLUMNS, IMPACT_ITEM_MAX, IMPACT_ITEM_MIN
from affectrange.careplan.strategies import STRATEGIES, find_strategy
from affectrange.safety import medication_advice_in

MAX_GRADE = 8.0


def test_ten_strategies_with_unique_ids_and_sensible_defaults() -> None:
    ids = [strategy.id for strategy in STRATEGIES]

    assert len(ids) == len(set(ids)) == 10
    assert {
        "medication_review",
        "therapy",
        "sleep",
        "movement",
        "time_with_people",
        "less_alcohol",
        "old_interests",
        "mindfulness",
        "creative",
        "social_support",
    } == set(ids)
    for strategy in STRATEGIES:
        assert 1 <= strategy.default_times_per_week <= 7
        assert 1 <= strategy.why.count(".") <= 3, strategy.id
        assert find_strategy(strategy.id) is strategy
    assert find_strategy("nope") is None


def test_each_strategy_reads_at_grade_8_or_lower() -> None:
    grades = {
        strategy.id: float(textstat.flesch_kincaid_grade(f"{strategy.why} {strategy.first_step}"))
        for strategy in STRATEGIES
    }

    assert {key: grade for key, grade in grades.items() if grade > MAX_GRADE} == {}


def test_no_strategy_advises_a_medication_change() -> None:
    for strategy in STRATEGIES:
        text = f"{strategy.title}. {strategy.why} {strategy.first_step}"
        assert medication_advice_in(text) == (), strategy.id


def test_the_medication_review_leaves_the_decision_with_the_prescriber() -> None:
    review = find_strategy("medication_review")

    assert review is not None
    assert "prescriber" in review.why
    assert "notes" in review.first_step
    for word in ("lower", "reduce", "switch", "stop", "skip", "change"):
        assert word not in f"{review.why} {review.first_step}".lower()


def test_the_impact_items_match_their_columns_and_scale() -> None:
    assert tuple(item.id for item in IMPACT_ITEMS) == IMPACT_COLUMNS
    assert [value for value, _ in IMPACT_ANSWERS] == list(
        range(IMPACT_ITEM_MIN, IMPACT_ITEM_MAX + 1)
    )
    assert {item.area for item in IMPACT_ITEMS} == {"Relationships", "Work"}
    for item in IMPACT_ITEMS:
        assert item.text.startswith("In the past month, ")
