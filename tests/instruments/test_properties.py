"""Properties every instrument keeps, for any answers (hypothesis).

- A complete set of answers gives a total within the published range and nothing missing.
- Raising any scored item's score never lowers the total.
- Any unanswered scored item gives no total, and is listed in `missing`, in item order.
Routing questions (PC-PTSD-5 trauma, blunting check q1, WSAS working, ODQ antidepressant) are
held at the value that asks every scored item; the other branch has its own properties below.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affectrange.instruments import Instrument, InvalidAnswer, get_instrument, instrument_ids

Answers = dict[str, int | str | None]


@dataclass(frozen=True)
class Case:
    instrument_id: str
    low: int
    high: int
    routing: dict[str, int] = field(default_factory=dict)

    @property
    def instrument(self) -> Instrument:
        return get_instrument(self.instrument_id)


CASES = [
    Case("phq9", 0, 27),
    Case("phq2", 0, 6),
    Case("gad7", 0, 21),
    Case("pcl5", 0, 80),
    Case("pcptsd5", 0, 5, {"trauma": 1}),
    Case("auditc", 0, 12),
    Case("blunting_check", 0, 10, {"q1": 1}),
    Case("odq", 26, 130, {"antidepressant": 1}),
    Case("shaps", 0, 14),
    Case("wsas", 0, 40, {"working": 1}),
    Case("dast10", 0, 10),
]
IDS = [case.instrument_id for case in CASES]


def complete_answers(case: Case) -> st.SearchStrategy[Answers]:
    """Every scored item answered; unscored items (q10, sex, ...) answered or not."""
    parts: dict[str, st.SearchStrategy[int | str | None]] = {}
    for item in case.instrument.items:
        values = st.sampled_from(item.allowed_values())
        if item.id in case.routing:
            parts[item.id] = st.just(case.routing[item.id])
        elif item.scored:
            parts[item.id] = values
        else:
            parts[item.id] = st.none() | values
    return st.fixed_dictionaries(parts)


def test_every_instrument_has_a_case() -> None:
    assert set(IDS) == set(instrument_ids())


@pytest.mark.parametrize("case", CASES, ids=IDS)
@given(data=st.data())
def test_complete_answers_give_a_total_in_range(case: Case, data: st.DataObject) -> None:
    answers = data.draw(complete_answers(case))

    result = case.instrument.score(answers)

    assert result.total is not None
    assert case.low <= result.total <= case.high
    assert result.missing == ()


@pytest.mark.parametrize("case", CASES, ids=IDS)
@given(data=st.data())
def test_raising_a_scored_item_never_lowers_the_total(case: Case, data: st.DataObject) -> None:
    instrument = case.instrument
    answers = data.draw(complete_answers(case))
    item = instrument.item(data.draw(st.sampled_from(instrument.scored_item_ids())))
    first, second = data.draw(st.lists(st.sampled_from(item.options), min_size=2, max_size=2))
    lower, higher = sorted((first, second), key=lambda option: option.score)

    low = instrument.score({**answers, item.id: lower.value}).total
    high = instrument.score({**answers, item.id: higher.value}).total

    assert low is not None
    assert high is not None
    assert low <= high
    assert high - low == higher.score - lower.score  # a plain sum of item scores


@pytest.mark.parametrize("case", CASES, ids=IDS)
@given(data=st.data())
def test_any_missing_scored_item_means_no_total(case: Case, data: st.DataObject) -> None:
    instrument = case.instrument
    answers = data.draw(complete_answers(case))
    scored = instrument.scored_item_ids()
    dropped = data.draw(st.sets(st.sampled_from(scored), min_size=1))
    leave_out_key = data.draw(st.booleans())  # None and an absent key mean the same
    partial = {
        key: value
        for key, value in {**answers, **dict.fromkeys(dropped)}.items()
        if not (leave_out_key and key in dropped)
    }

    result = instrument.score(partial)

    assert result.total is None
    assert result.band is None
    assert result.positive is None
    assert result.missing == tuple(item_id for item_id in scored if item_id in dropped)


@given(answers=complete_answers(CASES[0]), dropped=st.sets(st.sampled_from(["q1", "q9"])))
def test_phq9_safety_is_item_9_as_answered(answers: Answers, dropped: set[str]) -> None:
    partial = {**answers, **dict.fromkeys(dropped)}

    result = get_instrument("phq9").score(partial)

    q9 = partial["q9"]
    assert result.safety is (isinstance(q9, int) and q9 >= 1)
    assert ("q9" in result.missing) is (q9 is None)


@given(data=st.data())
def test_no_trauma_scores_0_whatever_follows(data: st.DataObject) -> None:
    answers = data.draw(complete_answers(CASES[4]))
    some_unanswered = {key: data.draw(st.none() | st.just(value)) for key, value in answers.items()}

    result = get_instrument("pcptsd5").score({**some_unanswered, "trauma": 0})

    assert (result.total, result.missing, result.positive) == (0, (), False)


@given(data=st.data())
def test_no_blunting_scores_0_whatever_follows(data: st.DataObject) -> None:
    answers = data.draw(complete_answers(CASES[6]))

    result = get_instrument("blunting_check").score({**answers, "q1": 0, "q2": None})

    assert (result.total, result.missing) == (0, ())


@given(data=st.data())
def test_wsas_without_work_item_ranges_to_32(data: st.DataObject) -> None:
    answers = data.draw(complete_answers(CASES[9]))

    result = get_instrument("wsas").score({**answers, "working": 0, "q1": None})

    assert result.total is not None
    assert 0 <= result.total <= 32
    assert result.missing == ()


@given(data=st.data())
def test_odq_without_antidepressant_reports_odq20_only(data: st.DataObject) -> None:
    answers = data.draw(complete_answers(CASES[7]))
    without_ac = {
        key: None if key in {f"q{n}" for n in range(21, 27)} else v for key, v in answers.items()
    }

    result = get_instrument("odq").score({**without_ac, "antidepressant": 0})

    odq20 = result.details["odq20"]
    assert isinstance(odq20, int)
    assert 20 <= odq20 <= 100
    assert (result.total, result.missing) == (None, ())


@pytest.mark.parametrize("case", CASES, ids=IDS)
@given(data=st.data())
def test_any_value_outside_the_options_is_refused(case: Case, data: st.DataObject) -> None:
    item = data.draw(st.sampled_from(case.instrument.items))
    value = data.draw(
        st.one_of(st.integers(), st.text(max_size=3)).filter(
            lambda v: v not in item.allowed_values()
        )
    )

    with pytest.raises(InvalidAnswer) as caught:
        case.instrument.score({item.id: value})

    assert caught.value.item_id == item.id
