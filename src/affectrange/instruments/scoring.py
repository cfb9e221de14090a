"""Scoring pieces shared by the instruments: severity bands, cut-offs and the plain sum.

Missing data follow SCIENCE.md section 3.2: the sources give no proration rules, so a total
that needs an unanswered item is None, and the item is listed as missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import Instrument, Responses, Scored


@dataclass(frozen=True, slots=True)
class Band:
    """A severity band starting at `minimum` (inclusive) and running up to the next band."""

    minimum: int
    label: str


def band_for(total: int | None, bands: Sequence[Band]) -> str | None:
    """The label of the highest band whose minimum the total reaches; bands run upwards."""
    if total is None:
        return None
    label: str | None = None
    for band in bands:
        if total >= band.minimum:
            label = band.label
    return label


def at_least(total: int | None, cutoff: int) -> bool | None:
    return None if total is None else total >= cutoff


def sum_of_scored_items(
    instrument: Instrument,
    responses: Responses,
    *,
    bands: Sequence[Band] = (),
    positive_at: int | None = None,
) -> Scored:
    """The plain rule: total = sum of the scored items, banded, and screened at one cut-off."""
    items = instrument.scored_item_ids()
    total = responses.sum(items)
    return Scored(
        total=total,
        band=band_for(total, bands),
        positive=None if positive_at is None else at_least(total, positive_at),
        missing=responses.unanswered(items),
    )
