"""The crisis card's contents per country (SCIENCE.md 6.1 rule 2)."""

from __future__ import annotations

import dataclasses

import pytest

from affectrange.safety import (
    CRISIS_RESOURCE_COUNTRIES,
    LOCAL_EMERGENCY_NUMBER,
    CrisisResource,
    CrisisResources,
    crisis_resources,
)


def card_text(entry: CrisisResources) -> str:
    return " ".join(f"{resource.label} {resource.detail}" for resource in entry.resources)


def test_the_us_card_is_exactly_science_6_1_and_verified() -> None:
    us = crisis_resources("US")

    assert us.country == "US"
    assert us.emergency_number == "911"
    assert us.verified is True
    assert us.resources[0] == CrisisResource(
        "Call or text 988",
        "The 988 Suicide & Crisis Lifeline. Help in Spanish is available too.",
        "tel:988",
    )
    assert us.resources[1].label == "Chat at 988lifeline.org"
    assert us.resources[1].href == "https://988lifeline.org"
    assert us.resources[2] == CrisisResource(
        "Veterans: dial 988, then press 1", "Or text 838255.", "tel:988"
    )
    assert us.resources[-1] == CrisisResource(
        "Call 911", "If you or someone else is in danger right now.", "tel:911"
    )
    assert len(us.resources) == 4


def test_the_us_is_the_default() -> None:
    assert crisis_resources() == crisis_resources("US")


@pytest.mark.parametrize("country", ["us", " US ", "Us"])
def test_country_codes_are_read_in_any_case(country: str) -> None:
    assert crisis_resources(country) is crisis_resources("US")


@pytest.mark.parametrize(
    ("country", "code", "emergency", "phrases"),
    [
        ("GB", "GB", "999", ("116 123", "999", "112")),
        ("UK", "GB", "999", ("116 123", "999", "112")),
        ("IE", "IE", "112", ("116 123", "112")),
        ("CA", "CA", "911", ("988", "911")),
    ],
)
def test_the_other_countries_are_marked_unverified(
    country: str, code: str, emergency: str, phrases: tuple[str, ...]
) -> None:
    entry = crisis_resources(country)

    assert entry.country == code
    assert entry.emergency_number == emergency
    assert entry.verified is False  # SCIENCE.md 6.1 marks Samaritans [U]; Canada's 988 is not in it
    assert all(phrase in card_text(entry) for phrase in phrases)


@pytest.mark.parametrize("country", ["FR", "de", "", "  ", "XYZ"])
def test_an_unknown_country_gets_the_local_emergency_number(country: str) -> None:
    entry = crisis_resources(country)

    assert entry.country == country.strip().upper()
    assert entry.emergency_number == LOCAL_EMERGENCY_NUMBER
    assert entry.verified is False
    assert entry.resources[0].label == "Call your local emergency number"
    assert all(resource.href is None for resource in entry.resources)


@pytest.mark.parametrize("country", [*CRISIS_RESOURCE_COUNTRIES, "FR"])
def test_every_card_ends_with_the_emergency_number(country: str) -> None:
    entry = crisis_resources(country)
    emergency = entry.resources[-1]

    assert entry.resources
    assert entry.emergency_number in emergency.label
    assert "danger" in emergency.detail
    if emergency.href is not None:
        assert emergency.href == f"tel:{entry.emergency_number}"


@pytest.mark.parametrize("country", CRISIS_RESOURCE_COUNTRIES)
def test_links_are_dialable_or_https_and_text_is_filled_in(country: str) -> None:
    for resource in crisis_resources(country).resources:
        assert resource.label.strip()
        assert resource.detail.strip()
        assert resource.href is None or resource.href.startswith(("tel:", "sms:", "https://"))
        if resource.href is not None and resource.href.startswith("tel:"):
            assert resource.href[4:].isdigit()


def test_the_table_is_small_and_has_the_us() -> None:
    assert CRISIS_RESOURCE_COUNTRIES == ("US", "GB", "IE", "CA")


def test_entries_cannot_be_changed_by_a_caller() -> None:
    us = crisis_resources("US")

    with pytest.raises(dataclasses.FrozenInstanceError):
        us.verified = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        us.resources[0].href = "tel:0"  # type: ignore[misc]
