"""DAST-10, the Drug Abuse Screening Test (10 items). Scoring-only plug-in.

Source: Skinner, Addict Behav 1982;7:363-71. SCIENCE.md 3.1-3.2: ten yes/no questions about the
past 12 months; Yes scores 1 except item 3, which is reverse-scored (No scores 1); total 0-10.
Bands: 0 none, 1-2 low, 3-5 moderate, 6-8 substantial, 9-10 severe. No separate screening cut-off
is given, so `positive` is None. LOINC 82666-9 / 82667-7 are from secondary sources only [S], so
they are marked unverified. Text: (c) Skinner/CAMH, non-commercial use only, so not shipped.
"""

from __future__ import annotations

from typing import Final

from ..model import Instrument, Item, Responses, Scored
from ..scales import NO_YES_UNLABELLED, coded
from ..scoring import Band, sum_of_scored_items

ITEM_IDS: Final = tuple(f"q{n}" for n in range(1, 11))
REVERSED: Final = frozenset({"q3"})
DAST10_BANDS: Final = (
    Band(0, "none"),
    Band(1, "low"),
    Band(3, "moderate"),
    Band(6, "substantial"),
    Band(9, "severe"),
)
# Values stay 0 = No, 1 = Yes on every item; only the score of item 3 is reversed.
_REVERSED_OPTIONS: Final = coded([(0, 1, None), (1, 0, None)])


def _score(instrument: Instrument, responses: Responses) -> Scored:
    return sum_of_scored_items(instrument, responses, bands=DAST10_BANDS)


DAST10: Final = Instrument(
    id="dast10",
    name="Drug Abuse Screening Test (DAST-10)",
    version="1",
    items=tuple(
        Item(
            id=item_id,
            text=None,  # licensed: never shipped
            options=_REVERSED_OPTIONS if item_id in REVERSED else NO_YES_UNLABELLED,
            scored=True,
        )
        for item_id in ITEM_IDS
    ),
    loinc_panel="82666-9",
    loinc_total="82667-7",
    loinc_verified=False,
    validated=True,
    licensed_text=True,
    scorer=_score,
    reference="Skinner 1982, Addict Behav 7:363; SCIENCE.md 3.1-3.2",
)
