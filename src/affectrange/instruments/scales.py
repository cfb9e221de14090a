"""Response scales used by more than one item, built as data.

A value is what is stored (and what a responses file holds); its score is what counts towards the
total. They are equal except where an instrument says otherwise (DAST-10 item 3, SHAPS).
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import ResponseOption, Value


def labelled(
    labels: Sequence[str | None],
    *,
    first: int = 0,
    loinc: Sequence[str] | None = None,
) -> tuple[ResponseOption, ...]:
    """Options valued and scored first, first + 1, ... in the order of their labels, with their
    LOINC answer codes in the same order when given."""
    if loinc is not None and len(loinc) != len(labels):
        raise ValueError("one LOINC answer code per label")
    return tuple(
        ResponseOption(
            value=first + offset,
            score=first + offset,
            label=label,
            loinc=None if loinc is None else loinc[offset],
        )
        for offset, label in enumerate(labels)
    )


def unlabelled(low: int, high: int) -> tuple[ResponseOption, ...]:
    """Options low..high, each scoring its value, without words (licensed or unverified)."""
    return labelled([None] * (high - low + 1), first=low)


def coded(pairs: Sequence[tuple[Value, int, str | None]]) -> tuple[ResponseOption, ...]:
    """Options given as (value, score, label) where value and score differ."""
    return tuple(ResponseOption(value, score, label) for value, score, label in pairs)


NO_YES = labelled(["No", "Yes"])
"""0 = No, 1 = Yes: the coding CONTRACTS.md section 4 uses for PC-PTSD-5."""

NO_YES_UNLABELLED = unlabelled(0, 1)
"""No/yes for licensed plug-ins, whose labels come from the host's text file."""

# Spitzer, Kroenke, Williams (PHQ-9, PHQ-2, GAD-7): SCIENCE.md 3.1; CamCOPS phq9.xml, gad7.xml.
# LOINC answer list codes as SCIENCE.md 3.1 gives them (LA6568-5 ... LA6571-9).
PHQ_FREQUENCY = labelled(
    ["Not at all", "Several days", "More than half the days", "Nearly every day"],
    loinc=["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"],
)
