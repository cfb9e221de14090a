"""Where to get help now: the crisis card's contents per country (SCIENCE.md 6.1, rule 2).

Only the United States entry is `verified`: its numbers are the ones SCIENCE.md 6.1 marks [V]
(call or text 988 for the 988 Suicide & Crisis Lifeline, chat at 988lifeline.org, Veterans dial 988
then press 1 or text 838255, Spanish available, 911 for immediate danger). Every other entry is
`verified=False` until SCIENCE.md verifies it, so the interface can say so and a maintainer knows
what to check. The table is kept small on purpose: a wrong number on a crisis card is worse than
none, and every country falls back to its local emergency number.

All labels and details are the project's own plain words, short enough to read in distress.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CrisisResource:
    """One way to reach help: what to do (`label`), what it is (`detail`), and a link if any."""

    label: str
    detail: str
    href: str | None
    """A tel:, sms: or https: link the card can make clickable; None when there is none."""


@dataclass(frozen=True, slots=True)
class CrisisResources:
    """Everything the crisis card shows for one country."""

    country: str
    """ISO 3166-1 alpha-2 code ("US", "GB"), upper case; for an unknown country, what was asked."""
    emergency_number: str
    """What to dial in immediate danger ("911"), or words ("your local emergency number")."""
    resources: tuple[CrisisResource, ...]
    """In the order to show them; the emergency entry comes last."""
    verified: bool
    """True only where SCIENCE.md 6.1 verifies every number shown."""


LOCAL_EMERGENCY_NUMBER = "your local emergency number"

_US = CrisisResources(
    country="US",
    emergency_number="911",
    resources=(
        CrisisResource(
            "Call or text 988",
            "The 988 Suicide & Crisis Lifeline. Help in Spanish is available too.",
            "tel:988",
        ),
        CrisisResource(
            "Chat at 988lifeline.org",
            "Write to the 988 Lifeline online if calling is too hard.",
            "https://988lifeline.org",
        ),
        CrisisResource(
            "Veterans: dial 988, then press 1",
            "Or text 838255.",
            "tel:988",
        ),
        # The old Lifeline number, 1-800-273-8255, still works (SCIENCE.md 6.1); it is left off the
        # card so that a person in crisis sees one number to remember.
        CrisisResource("Call 911", "If you or someone else is in danger right now.", "tel:911"),
    ),
    verified=True,
)

# Samaritans' 116 123 is marked [U] in SCIENCE.md 6.1, hence verified=False for GB and IE.
_SAMARITANS = CrisisResource(
    "Call Samaritans on 116 123",
    "Someone to talk to, whatever you are going through.",
    "tel:116123",
)

_GB = CrisisResources(
    country="GB",
    emergency_number="999",
    resources=(
        _SAMARITANS,
        CrisisResource(
            "Call 999 or 112", "If you or someone else is in danger right now.", "tel:999"
        ),
    ),
    verified=False,
)

_IE = CrisisResources(
    country="IE",
    emergency_number="112",
    resources=(
        _SAMARITANS,
        # 999 also reaches the emergency services in Ireland; 112 is the one shared across Europe.
        CrisisResource(
            "Call 112 or 999", "If you or someone else is in danger right now.", "tel:112"
        ),
    ),
    verified=False,
)

# Canada opened its own 9-8-8 line (call or text) in November 2023. SCIENCE.md does not cover it
# yet, so the entry is unverified.
_CA = CrisisResources(
    country="CA",
    emergency_number="911",
    resources=(
        CrisisResource(
            "Call or text 988",
            "Canada's suicide crisis helpline.",
            "tel:988",
        ),
        CrisisResource("Call 911", "If you or someone else is in danger right now.", "tel:911"),
    ),
    verified=False,
)

_TABLE: dict[str, CrisisResources] = {entry.country: entry for entry in (_US, _GB, _IE, _CA)}

# People and settings write "UK"; the ISO code is GB.
_ALIASES = {"UK": "GB"}

CRISIS_RESOURCE_COUNTRIES: tuple[str, ...] = tuple(_TABLE)
"""The countries with their own entry, for a settings drop-down; others get the generic entry."""


def _generic(country: str) -> CrisisResources:
    # No helpline is guessed for a country we have not checked. The "contact my clinician / trusted
    # person" shortcuts (SCIENCE.md 6.1 rule 3) are the card's own, for every country.
    return CrisisResources(
        country=country,
        emergency_number=LOCAL_EMERGENCY_NUMBER,
        resources=(
            CrisisResource(
                "Call your local emergency number",
                "If you or someone else is in danger right now. Or go to the nearest emergency "
                "department.",
                None,
            ),
        ),
        verified=False,
    )


def crisis_resources(country: str = "US") -> CrisisResources:
    """The crisis card's contents for `country` (ISO code, any case; "UK" means GB).

    A country without an entry gets a generic one that points to the local emergency number: the
    card is never empty (SCIENCE.md 6.1: "default to the local emergency number").
    """
    code = country.strip().upper()
    code = _ALIASES.get(code, code)
    return _TABLE.get(code) or _generic(code)
