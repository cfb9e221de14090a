"""PC-PTSD-5, AUDIT-C and the blunting check against hand-computed vectors (SCIENCE.md 1.3, 3.2)."""

from __future__ import annotations

import pytest

from affectrange.instruments import InvalidAnswer, get_instrument

from .helpers import items

PCPTSD5 = get_instrument("pcptsd5")
AUDITC = get_instrument("auditc")
BLUNTING = get_instrument("blunting_check")


def test_pcptsd5_no_trauma_is_a_complete_screen_scoring_0() -> None:
    result = PCPTSD5.score({"trauma": 0})

    assert result.total == 0
    assert result.missing == ()
    assert result.positive is False
    assert result.details == {
        "trauma_exposure": False,
        "positive_at_3": False,
        "positive_at_4": False,
    }


def test_pcptsd5_answers_after_no_trauma_are_ignored() -> None:
    assert PCPTSD5.score({"trauma": 0, **items(1, 1, 1, 1, 1)}).total == 0


@pytest.mark.parametrize(
    ("answers", "total", "at_3", "at_4"),
    [
        ((0, 0, 0, 0, 0), 0, False, False),
        ((1, 1, 0, 0, 0), 2, False, False),
        ((1, 0, 1, 0, 1), 3, True, False),
        ((1, 1, 1, 1, 0), 4, True, True),
        ((1, 1, 1, 1, 1), 5, True, True),
    ],
)
def test_pcptsd5_counts_yes_answers_and_reports_both_cut_offs(
    answers: tuple[int, ...], total: int, at_3: bool, at_4: bool
) -> None:
    result = PCPTSD5.score({"trauma": 1, **items(*answers)})

    assert result.total == total
    assert result.positive is at_3  # `positive` uses the cut-off of 3 (Prins 2016)
    assert result.details["positive_at_3"] is at_3
    assert result.details["positive_at_4"] is at_4
    assert result.details["trauma_exposure"] is True


def test_pcptsd5_missing_item_after_trauma() -> None:
    result = PCPTSD5.score({"trauma": 1, **items(1, 1, None, 1, 1)})

    assert (result.total, result.positive, result.missing) == (None, None, ("q3",))
    assert result.details["positive_at_4"] is None


def test_pcptsd5_unanswered_gate_cannot_be_scored() -> None:
    result = PCPTSD5.score({"trauma": None, **items(1, 1, 1, None, None)})

    assert result.total is None
    assert result.missing == ("trauma", "q4", "q5")


def test_pcptsd5_text_as_published() -> None:
    # Prins et al. 2016, Table: the stem of items 1-5 comes after the trauma question.
    preambles = {item.id: item.preamble for item in PCPTSD5.items}

    assert PCPTSD5.stem is None
    assert preambles["q1"] == "In the past month, have you\u2026"
    assert [preambles[f"q{n}"] for n in range(2, 6)] == [None] * 4
    assert PCPTSD5.item("trauma").text == "Have you ever experienced this kind of event?"
    assert (preambles["trauma"] or "").startswith("Sometimes things happen to people")
    assert PCPTSD5.item("q4").text == (
        "Felt numb or detached from people, activities, or your surroundings?"
    )


def test_pcptsd5_answers_are_0_or_1() -> None:
    with pytest.raises(InvalidAnswer) as caught:
        PCPTSD5.score({"trauma": 2})

    assert caught.value.item_id == "trauma"


@pytest.mark.parametrize(
    ("sex", "scores", "positive"),
    [
        ("F", (1, 1, 0), False),
        ("F", (1, 1, 1), True),
        ("M", (1, 1, 1), False),
        ("M", (2, 1, 1), True),
        ("F", (0, 0, 0), False),
        ("M", (4, 4, 4), True),
    ],
)
def test_auditc_sex_specific_cut_offs(sex: str, scores: tuple[int, ...], positive: bool) -> None:
    result = AUDITC.score({**items(*scores), "sex": sex})

    assert result.total == sum(scores)
    assert result.positive is positive
    assert result.details["cutoff"] == {"F": 3, "M": 4}[sex]
    assert result.details["consider"] is None  # the sex-specific cut-off already applies


@pytest.mark.parametrize(
    ("scores", "positive", "consider"),
    [
        ((1, 1, 0), False, False),
        ((1, 1, 1), False, True),
        ((2, 1, 1), True, True),
        ((4, 4, 4), True, True),
    ],
)
def test_auditc_without_sex_is_positive_at_4_and_flags_3_to_consider(
    scores: tuple[int, ...], positive: bool, consider: bool
) -> None:
    result = AUDITC.score(items(*scores))

    assert result.positive is positive
    assert result.details["consider"] is consider
    assert result.missing == ()  # sex is optional, never missing
    assert result.band is None


@pytest.mark.parametrize("sex", ["f", "X", "female", 1])
def test_auditc_sex_is_f_or_m(sex: object) -> None:
    with pytest.raises(InvalidAnswer, match="allowed: F, M"):
        AUDITC.score({**items(1, 1, 1), "sex": sex})  # type: ignore[dict-item]


AUDITC_TEXT = [
    (
        "q1",
        "How often do you have a drink containing alcohol?",
        [
            "Never",
            "Monthly or less",
            "2-4 times a month",
            "2-3 times a week",
            "4 or more times a week",
        ],
    ),
    (
        "q2",
        "How many standard drinks containing alcohol do you have on a typical day?",
        ["1 or 2", "3 or 4", "5 or 6", "7 to 9", "10 or more"],
    ),
    (
        "q3",
        "How often do you have six or more drinks on one occasion?",
        ["Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily"],
    ),
]


@pytest.mark.parametrize(("item_id", "text", "labels"), AUDITC_TEXT)
def test_auditc_published_text_with_scores_0_to_4_in_order(
    item_id: str, text: str, labels: list[str]
) -> None:
    item = AUDITC.item(item_id)

    assert item.text == text
    assert [(o.value, o.score, o.label) for o in item.options] == [
        (n, n, label) for n, label in enumerate(labels)
    ]


def test_auditc_sex_question_is_our_own_says_why_and_scores_nothing() -> None:
    item = AUDITC.item("sex")

    assert item.scored is False
    assert item.text is not None
    assert "optional" in item.text
    assert "cut-offs differ for women and men" in item.text
    assert "not part of the AUDIT-C" in item.text
    assert [(o.value, o.score, o.label) for o in item.options] == [
        ("F", 0, "Female"),
        ("M", 0, "Male"),
    ]


def test_auditc_items_score_0_to_4() -> None:
    with pytest.raises(InvalidAnswer, match=r"item q2 of auditc: 5 .* allowed: 0, 1, 2, 3, 4"):
        AUDITC.score(items(0, 5, 0))


def test_blunting_check_no_scores_0_and_is_complete() -> None:
    result = BLUNTING.score({"q1": 0})

    assert (result.total, result.missing, result.band, result.positive) == (0, (), None, None)
    assert result.details["blunted"] is False
    assert result.details["validated"] is False


def test_blunting_check_yes_scores_the_bother_rating() -> None:
    result = BLUNTING.score({"q1": 1, "q2": 7, "q3": 1})

    assert result.total == 7
    assert result.details["blunted"] is True
    assert result.details["cause"] == "my medication"


@pytest.mark.parametrize("bother", [0, 10])
def test_blunting_check_bother_range(bother: int) -> None:
    assert BLUNTING.score({"q1": 1, "q2": bother}).total == bother


def test_blunting_check_yes_without_a_rating_is_missing_it() -> None:
    result = BLUNTING.score({"q1": 1, "q3": 3})

    assert (result.total, result.missing) == (None, ("q2",))
    assert result.details["cause"] == "not sure"


def test_blunting_check_unanswered() -> None:
    assert BLUNTING.score({}).missing == ("q1", "q2")


def test_blunting_check_rating_above_10_is_refused() -> None:
    with pytest.raises(InvalidAnswer, match="q2"):
        BLUNTING.score({"q1": 1, "q2": 11})


def test_blunting_check_is_labelled_unvalidated() -> None:
    assert BLUNTING.validated is False
    assert "not validated" in BLUNTING.name
