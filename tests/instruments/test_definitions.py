"""The registry, the definitions as data, answer checking and the text policy."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import affectrange.instruments as instruments_package
from affectrange.instruments import (
    Instrument,
    InvalidAnswer,
    Item,
    ResponseOption,
    UnknownInstrument,
    built_in,
    get_instrument,
    instrument_ids,
    register_instrument,
    registry,
    reset_registry,
)

SHIPPED = ("phq9", "phq2", "gad7", "pcl5", "pcptsd5", "auditc", "blunting_check")
PLUGINS = ("odq", "shaps", "wsas", "dast10")


@pytest.fixture
def clean_registry() -> Iterator[None]:
    yield
    reset_registry()


def test_instrument_ids_in_order() -> None:
    assert instrument_ids() == (*SHIPPED, *PLUGINS)


@pytest.mark.parametrize("instrument_id", [*SHIPPED, *PLUGINS])
def test_every_instrument_is_found_by_its_id(instrument_id: str) -> None:
    assert get_instrument(instrument_id).id == instrument_id


def test_unknown_instrument() -> None:
    with pytest.raises(UnknownInstrument) as caught:
        get_instrument("phq8")

    assert isinstance(caught.value, KeyError)
    assert caught.value.instrument_id == "phq8"
    assert str(caught.value).startswith("unknown instrument 'phq8'; known: phq9, phq2")


@pytest.mark.parametrize(
    ("instrument_id", "columns", "optional"),
    [
        ("phq9", (*(f"q{n}" for n in range(1, 10)), "q10"), {"q10"}),
        ("phq2", ("q1", "q2"), set()),
        ("gad7", tuple(f"q{n}" for n in range(1, 8)), set()),
        ("pcl5", tuple(f"q{n}" for n in range(1, 21)), set()),
        ("pcptsd5", ("trauma", "q1", "q2", "q3", "q4", "q5"), set()),
        ("auditc", ("q1", "q2", "q3", "sex"), {"sex"}),
        ("blunting_check", ("q1", "q2", "q3"), {"q3"}),
        ("odq", (*(f"q{n}" for n in range(1, 27)), "antidepressant"), {"antidepressant"}),
        ("shaps", tuple(f"q{n}" for n in range(1, 15)), set()),
        ("wsas", ("q1", "q2", "q3", "q4", "q5", "working"), {"working"}),
        ("dast10", tuple(f"q{n}" for n in range(1, 11)), set()),
    ],
)
def test_csv_columns_as_contracts_section_4(
    instrument_id: str, columns: tuple[str, ...], optional: set[str]
) -> None:
    instrument = get_instrument(instrument_id)

    assert instrument.csv_columns() == columns
    assert instrument.optional_columns() == optional


@pytest.mark.parametrize(
    ("instrument_id", "scored"),
    [
        ("phq9", tuple(f"q{n}" for n in range(1, 10))),
        ("pcptsd5", ("q1", "q2", "q3", "q4", "q5")),
        ("auditc", ("q1", "q2", "q3")),
        ("blunting_check", ("q2",)),
        ("wsas", ("q1", "q2", "q3", "q4", "q5")),
        ("odq", tuple(f"q{n}" for n in range(1, 27))),
    ],
)
def test_scored_item_ids(instrument_id: str, scored: tuple[str, ...]) -> None:
    assert get_instrument(instrument_id).scored_item_ids() == scored


def test_only_phq9_item_9_is_critical() -> None:
    critical = [
        (instrument_id, item.id)
        for instrument_id in instrument_ids()
        for item in get_instrument(instrument_id).items
        if item.critical
    ]

    assert critical == [("phq9", "q9")]


@pytest.mark.parametrize(
    ("instrument_id", "panel", "total", "verified"),
    [
        ("phq9", "44249-1", "44261-6", True),
        ("phq2", "55757-9", "55758-7", True),
        ("gad7", "69737-5", "70274-6", True),
        # SCIENCE.md 8 item 3 still asks to confirm 75626-2, so the pair is not verified.
        ("auditc", "72109-2", "75626-2", False),
        ("dast10", "82666-9", "82667-7", False),  # [S]
        ("pcl5", None, None, False),
        ("pcptsd5", None, None, False),
        ("wsas", None, None, False),
    ],
)
def test_loinc_panel_and_total_codes(
    instrument_id: str, panel: str | None, total: str | None, verified: bool
) -> None:
    instrument = get_instrument(instrument_id)

    assert (instrument.loinc_panel, instrument.loinc_total) == (panel, total)
    assert instrument.loinc_verified is verified


@pytest.mark.parametrize(
    ("instrument_id", "codes"),
    [
        (
            "phq9",
            # Items 3-8 and q10 as HL7's PACIO PFE ConceptMap LOINCtoICFPHQ9 lists the panel.
            {
                "q1": "44250-9",
                "q2": "44255-8",
                "q3": "44259-0",
                "q4": "44254-1",
                "q5": "44251-7",
                "q6": "44258-2",
                "q7": "44252-5",
                "q8": "44253-3",
                "q9": "44260-8",
                "q10": "69722-7",
            },
        ),
        ("phq2", {"q1": "44250-9", "q2": "44255-8"}),
        (
            "gad7",
            {
                "q1": "69725-0",
                "q2": "68509-9",
                "q3": "69733-4",
                "q4": "69734-2",
                "q5": "69735-9",
                "q6": "69689-8",
                "q7": "69736-7",
            },
        ),
        ("auditc", {"q1": "68518-0", "q2": "68519-8", "q3": "68520-6"}),
    ],
)
def test_item_loinc_codes_are_the_verified_ones_only(
    instrument_id: str, codes: dict[str, str]
) -> None:
    instrument = get_instrument(instrument_id)

    assert {item.id: item.loinc for item in instrument.items if item.loinc} == codes
    assert all(item.loinc_verified == (item.loinc is not None) for item in instrument.items)


def test_no_other_instrument_has_item_loinc_codes() -> None:
    others = [i for i in instrument_ids() if i not in {"phq9", "phq2", "gad7", "auditc"}]

    assert [item.loinc for i in others for item in get_instrument(i).items if item.loinc] == []


def test_validated_and_licensed_flags() -> None:
    flags = {
        i: (get_instrument(i).validated, get_instrument(i).licensed_text) for i in instrument_ids()
    }

    assert flags == {
        **{i: (True, False) for i in SHIPPED if i != "blunting_check"},
        "blunting_check": (False, False),
        **dict.fromkeys(PLUGINS, (True, True)),
    }


@pytest.mark.parametrize("instrument_id", PLUGINS)
def test_the_package_ships_no_text_for_licensed_instruments(instrument_id: str) -> None:
    instrument = built_in(instrument_id)

    assert instrument.stem is None
    assert [item.text for item in instrument.items] == [None] * len(instrument.items)
    assert {option.label for item in instrument.items for option in item.options} == {None}
    assert all(item.preamble is None for item in instrument.items)


def test_the_package_holds_no_licensed_text_files() -> None:
    package = Path(instruments_package.__file__).parent

    assert list(package.rglob("*.json")) == []
    assert list(package.rglob("*.xml")) == []


def test_the_registry_lists_the_shipped_and_licensed_instruments() -> None:
    assert tuple(instrument.id for instrument in registry.SHIPPED) == SHIPPED
    assert tuple(instrument.id for instrument in registry.PLUGINS) == PLUGINS


@pytest.mark.parametrize("instrument", registry.SHIPPED, ids=SHIPPED)
def test_every_shipped_item_has_its_text_and_every_option_its_label(
    instrument: Instrument,
) -> None:
    assert [item.id for item in instrument.items if item.text is None] == []
    assert all(item.text and item.text.strip() for item in instrument.items)
    assert [
        (item.id, option.value)
        for item in instrument.items
        for option in item.options
        if not option.label
    ] == []


PHQ_STEM = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)
GAD7_STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"


@pytest.mark.parametrize(
    ("instrument_id", "stem"),
    [
        ("phq9", PHQ_STEM),
        # Copies of the PHQ-2 form disagree on its stem; none is shipped until one is verified.
        ("phq2", None),
        # The GAD-7 form's own stem, not the PHQ-9's.
        ("gad7", GAD7_STEM),
        ("pcl5", "In the past month, how much were you bothered by:"),
        # Its items' stem follows the trauma question, so it is item 1's preamble.
        ("pcptsd5", None),
        ("auditc", None),
        ("blunting_check", None),
    ],
)
def test_stems(instrument_id: str, stem: str | None) -> None:
    assert built_in(instrument_id).stem == stem


def test_phq9_item_9_text() -> None:
    item = get_instrument("phq9").item("q9")

    assert (
        item.text == "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert [option.label for option in item.options] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]


def test_invalid_answer_names_the_item_and_the_allowed_values() -> None:
    with pytest.raises(InvalidAnswer) as caught:
        get_instrument("phq9").score({"q3": 4})

    assert caught.value.item_id == "q3"
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == "item q3 of phq9: 4 is not an allowed answer; allowed: 0, 1, 2, 3"


@pytest.mark.parametrize("value", [-1, 4, True, "1", 1.0])
def test_only_the_options_themselves_are_answers(value: object) -> None:
    with pytest.raises(InvalidAnswer):
        get_instrument("gad7").score({"q1": value})  # type: ignore[dict-item]


def test_an_unknown_item_is_an_invalid_answer() -> None:
    with pytest.raises(InvalidAnswer, match="'q10' is not an item of gad7") as caught:
        get_instrument("gad7").score({"q10": 1})

    assert caught.value.item_id == "q10"


@pytest.mark.parametrize("instrument_id", [*SHIPPED, *PLUGINS])
def test_results_are_json_serialisable(instrument_id: str) -> None:
    instrument = get_instrument(instrument_id)
    lowest = {item.id: item.options[0].value for item in instrument.items}

    result = instrument.score(lowest)

    json.dumps(dataclasses.asdict(result))


def test_definitions_refuse_repeated_item_ids() -> None:
    item = Item("q1", None, (ResponseOption(0, 0, None),), True, None, False)

    with pytest.raises(ValueError, match="repeated item ids"):
        dataclasses.replace(get_instrument("phq2"), items=(item, item))


def test_a_host_registers_a_plug_in_version(clean_registry: None) -> None:
    original = get_instrument("shaps")
    renamed = dataclasses.replace(original, name="SHAPS (licensed)")

    with pytest.raises(ValueError, match="already registered"):
        register_instrument(renamed)
    register_instrument(renamed, replace=True)

    assert get_instrument("shaps").name == "SHAPS (licensed)"
    assert built_in("shaps") is original


def test_a_new_plug_in_is_listed(clean_registry: None) -> None:
    extra: Instrument = dataclasses.replace(get_instrument("phq2"), id="phq2_copy")

    register_instrument(extra)

    assert instrument_ids()[-1] == "phq2_copy"
    reset_registry()
    assert "phq2_copy" not in instrument_ids()
