"""The licensed plug-ins' scoring (ODQ, SHAPS, WSAS, DAST-10) against hand-computed vectors."""

from __future__ import annotations

import pytest

from affectrange.instruments import InvalidAnswer, get_instrument

from .helpers import ids, items

ODQ = get_instrument("odq")
SHAPS = get_instrument("shaps")
WSAS = get_instrument("wsas")
DAST10 = get_instrument("dast10")


def odq_by_domain(gr: int, rp: int, ed: int, nc: int, ac: int | None) -> dict[str, int | None]:
    """Every item of a domain at the same score (assumed mapping: five blocks of 5, then 6)."""
    return items(*[gr] * 5, *[rp] * 5, *[ed] * 5, *[nc] * 5, *[ac] * 6)


def test_odq_domain_sums_odq20_and_odq26() -> None:
    result = ODQ.score({**odq_by_domain(1, 2, 3, 4, 5), "antidepressant": 1})

    assert result.details["GR"] == 5
    assert result.details["RP"] == 10
    assert result.details["ED"] == 15
    assert result.details["NC"] == 20
    assert result.details["AC"] == 30
    assert result.details["odq20"] == 50
    assert result.details["odq26"] == 80
    assert result.total == 80
    assert result.details["domain_mapping_assumed"] is True
    assert (result.band, result.positive) == (None, None)


@pytest.mark.parametrize(("score", "odq20", "odq26"), [(1, 20, 26), (5, 100, 130), (3, 60, 78)])
def test_odq_range(score: int, odq20: int, odq26: int) -> None:
    result = ODQ.score(odq_by_domain(score, score, score, score, score))

    assert (result.details["odq20"], result.total) == (odq20, odq26)


def test_odq_without_antidepressant_skips_the_ac_section() -> None:
    result = ODQ.score({**odq_by_domain(2, 2, 2, 2, None), "antidepressant": 0})

    assert result.missing == ()
    assert result.details["odq20"] == 40
    assert result.details["odq26"] is None
    assert result.details["AC"] is None
    assert result.details["antidepressant_section"] is False
    assert result.total is None  # ODQ-26 does not exist here; ODQ-20 is not mixed into `total`


def test_odq_ac_answers_without_antidepressant_are_ignored() -> None:
    result = ODQ.score({**odq_by_domain(2, 2, 2, 2, 5), "antidepressant": 0})

    assert (result.total, result.details["odq20"], result.details["AC"]) == (None, 40, None)


def test_odq_unanswered_antidepressant_question_requires_the_ac_items() -> None:
    result = ODQ.score(odq_by_domain(2, 2, 2, 2, None))

    assert result.total is None
    assert result.missing == ids(21, 26)
    assert result.details["odq20"] == 40


def test_odq_missing_item_no_proration() -> None:
    result = ODQ.score({**odq_by_domain(3, 3, 3, 3, 3), "q7": None})

    assert result.total is None
    assert result.missing == ("q7",)
    assert result.details["RP"] is None
    assert result.details["odq20"] is None
    assert result.details["GR"] == 15


def test_odq_items_score_1_to_5() -> None:
    with pytest.raises(InvalidAnswer, match=r"item q1 of odq: 0 .* allowed: 1, 2, 3, 4, 5"):
        ODQ.score({"q1": 0})


@pytest.mark.parametrize(
    ("values", "total", "positive"),
    [
        ((0,) * 14, 0, False),
        ((1,) * 14, 0, False),  # "agree" scores 0
        ((2, 3) + (0,) * 12, 2, False),
        ((2, 3, 2) + (1,) * 11, 3, True),
        ((3,) * 14, 14, True),
        ((2,) * 14, 14, True),  # either "disagree" scores 1
    ],
)
def test_shaps_disagree_scores_1_and_3_or_more_is_abnormal(
    values: tuple[int, ...], total: int, positive: bool
) -> None:
    result = SHAPS.score(items(*values))

    assert (result.total, result.positive, result.band) == (total, positive, None)


@pytest.mark.parametrize(
    ("scores", "total", "band"),
    [
        ((0, 0, 0, 0, 0), 0, "subclinical"),
        ((2, 2, 2, 2, 1), 9, "subclinical"),
        ((2, 2, 2, 2, 2), 10, "significant impairment"),
        ((4, 4, 4, 4, 4), 20, "significant impairment"),
        ((5, 4, 4, 4, 4), 21, "moderately severe or worse"),
        ((8, 8, 8, 8, 8), 40, "moderately severe or worse"),
    ],
)
def test_wsas_bands_at_every_boundary(scores: tuple[int, ...], total: int, band: str) -> None:
    result = WSAS.score(items(*scores))

    assert (result.total, result.band, result.positive) == (total, band, None)
    assert result.details["maximum"] == 40


def test_wsas_work_item_omitted_when_not_working() -> None:
    result = WSAS.score({"working": 0, **items(None, 8, 8, 8, 8)})

    assert result.total == 32
    assert result.missing == ()
    assert result.band == "moderately severe or worse"
    assert result.details == {"work_item_applies": False, "maximum": 32}


def test_wsas_work_answer_is_ignored_when_not_working() -> None:
    assert WSAS.score({"working": 0, **items(8, 1, 2, 3, 3)}).total == 9


def test_wsas_missing_work_item_is_missing_unless_not_working() -> None:
    result = WSAS.score(items(None, 1, 1, 1, 1))

    assert (result.total, result.missing) == (None, ("q1",))


def test_wsas_items_score_0_to_8() -> None:
    with pytest.raises(InvalidAnswer, match="q5"):
        WSAS.score(items(0, 0, 0, 0, 9))


def dast(*yes: int) -> dict[str, int | None]:
    """Yes (1) on the given item numbers, No (0) on the rest."""
    return items(*[1 if n in yes else 0 for n in range(1, 11)])


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        (dast(3), 0, "none"),  # Yes on item 3 scores 0 (reversed)
        (dast(), 1, "low"),  # all No: item 3's No scores 1
        (dast(1, 3), 1, "low"),
        (dast(1), 2, "low"),
        (dast(1, 2), 3, "moderate"),
        (dast(1, 2, 4, 5), 5, "moderate"),
        (dast(1, 2, 4, 5, 6), 6, "substantial"),
        (dast(1, 2, 4, 5, 6, 7, 8), 8, "substantial"),
        (dast(1, 2, 4, 5, 6, 7, 8, 9), 9, "severe"),
        (dast(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 9, "severe"),
        (dast(1, 2, 4, 5, 6, 7, 8, 9, 10), 10, "severe"),
    ],
)
def test_dast10_reversed_item_3_and_bands(
    answers: dict[str, int | None], total: int, band: str
) -> None:
    result = DAST10.score(answers)

    assert (result.total, result.band, result.positive) == (total, band, None)


def test_dast10_missing_item() -> None:
    result = DAST10.score({**dast(1), "q3": None})

    assert (result.total, result.band, result.missing) == (None, None, ("q3",))
