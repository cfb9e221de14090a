"""A person writing that they want to stop, or have stopped, a medication (SCIENCE.md 6.2 rule 2).

Such a note is answered with the "talk to your prescriber first" card, never with advice. Matching
follows the crisis-language rules (plain phrases, whole words, any case, apostrophe and hyphen
variants); the phrases are in the first person, so a note about someone else's tablets, or a
medication the person is merely naming, does not raise the card.
"""

from __future__ import annotations

from collections.abc import Sequence

from .crisis_language import find_crisis_language

DEFAULT_STOPPING_PHRASES: tuple[str, ...] = (
    # Wanting or planning to stop.
    "want to stop taking",
    "want to stop my",
    "thinking of stopping",
    "thinking about stopping",
    "going to stop taking",
    "going to stop my",
    "want to come off",
    "want to get off my",
    # Having stopped or skipped.
    "stopped taking",
    "stopped my meds",
    "stopped my medication",
    "stopped my antidepressant",
    "quit my meds",
    "quit my medication",
    "quit taking",
    "came off my",
    "coming off my",
    "skipped my meds",
    "skipped my dose",
    "skipping my meds",
    "off my meds",
)


def find_stopping_language(
    text: str | None, phrases: Sequence[str] = DEFAULT_STOPPING_PHRASES
) -> tuple[str, ...]:
    """The stopping phrases that occur in `text`, in list order, each once."""
    return find_crisis_language(text, phrases)
