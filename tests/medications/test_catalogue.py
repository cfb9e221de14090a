"""The medication catalogue: every medication of SCIENCE.md 7.1, found by typing."""

from __future__ import annotations

import pytest

from affectrange.medications.catalogue import (
    CATALOGUE,
    CLASSES,
    SSRI,
    find_medication,
    search_catalogue,
)

SSRIS = ["citalopram", "escitalopram", "fluoxetine", "fluvoxamine", "paroxetine", "sertraline"]


def names(query: str, limit: int = 10) -> list[str]:
    return [entry.name for entry in search_catalogue(query, limit)]


def test_sert_finds_sertraline_with_its_cpic_verified_rxcui() -> None:
    found = search_catalogue("sert")

    assert [entry.name for entry in found] == ["sertraline"]
    assert (found[0].rxcui, found[0].rxcui_status, found[0].drug_class) == ("36437", "CPIC", SSRI)


def test_a_class_name_lists_its_medications() -> None:
    assert names("ssri") == SSRIS
    assert names("SSRI") == SSRIS
    assert names("tca", limit=20) == sorted(names("tca", limit=20))
    assert len(names("tca", limit=20)) == 8


def test_name_prefixes_come_before_substrings() -> None:
    # "citalo" starts citalopram and is inside escitalopram: the prefix comes first.
    assert names("citalo") == ["citalopram", "escitalopram"]
    assert names("escitalo") == ["escitalopram"]
    # "pram" starts nothing; names containing it follow in alphabetical order.
    assert names("pram") == [
        "citalopram",
        "clomipramine",
        "desipramine",
        "escitalopram",
        "imipramine",
        "trimipramine",
    ]


def test_search_ignores_case_and_spaces_and_finds_nothing_for_nothing() -> None:
    assert names("  Valproic   ACID ") == ["valproic acid"]
    assert names("") == []
    assert names("   ") == []
    assert names("no such medicine") == []


def test_the_limit_is_kept() -> None:
    assert len(names("antipsychotic", limit=3)) == 3
    assert len(names("antipsychotic", limit=100)) == 16
    assert names("ssri", limit=0) == []


def test_valproate_is_the_catalogues_valproic_acid() -> None:
    entry = find_medication("Valproate")

    assert entry is not None
    assert (entry.name, entry.rxcui, entry.rxcui_status) == ("valproic acid", "11118", "CPIC")
    assert names("valproate") == ["valproic acid"]


def test_find_medication_is_exact_not_a_search() -> None:
    assert find_medication("sert") is None
    assert find_medication("Sertraline") is find_medication("sertraline")


@pytest.mark.parametrize(
    ("name", "rxcui", "status"),
    [
        ("agomelatine", None, "unverified"),  # not in US RxNorm
        ("pimozide", "8331", "CPIC"),  # not the third-party 8332
        ("trazodone", "10737", "third_party"),
        ("lithium", "6448", "third_party"),
        ("desvenlafaxine", "734064", "unverified"),
        ("vortioxetine", "1455099", "CPIC"),
    ],
)
def test_codes_keep_their_verification_status(name: str, rxcui: str | None, status: str) -> None:
    entry = find_medication(name)

    assert entry is not None
    assert (entry.rxcui, entry.rxcui_status) == (rxcui, status)


def test_every_medication_of_science_7_1_is_listed_once_with_a_class() -> None:
    listed = [entry.name for entry in CATALOGUE]

    assert len(listed) == len(set(listed)) == 50
    assert {entry.drug_class for entry in CATALOGUE} == set(CLASSES)
    for name in ("milnacipran", "zuclopenthixol", "paliperidone", "selegiline", "lithium"):
        assert name in listed
    # A code is never claimed verified without one.
    assert all(entry.rxcui is not None for entry in CATALOGUE if entry.rxcui_status != "unverified")
