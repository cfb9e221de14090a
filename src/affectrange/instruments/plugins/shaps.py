"""SHAPS, the Snaith-Hamilton Pleasure Scale. Scoring-only plug-in.

Source: Snaith, Hamilton, Morley et al., Br J Psychiatry 1995;167:99-103. SCIENCE.md 2: 14 items,
four answers (definitely/strongly agree, agree, disagree, strongly/definitely disagree); either
"disagree" answer scores 1, either "agree" answer 0; total 0-14, higher = more anhedonia; 3 or
more is abnormal (2 or less normal). No severity band.

Values are coded by MEANING, not by printed position: 0 = strongly (definitely) agree, 1 = agree,
2 = disagree, 3 = strongly (definitely) disagree, on every item. The printed forms do not all list
the answers in the same order, so a host's form must map each printed answer to this code; the
licensed text file gives each code its label (LICENSED_TEXT.md).
"""

from __future__ import annotations

from typing import Final

from ..model import Instrument, Item, Responses, Scored
from ..scales import coded
from ..scoring import sum_of_scored_items

POSITIVE_AT: Final = 3
ITEM_IDS: Final = tuple(f"q{n}" for n in range(1, 15))
# (value, score): agreeing that one would enjoy something scores 0, disagreeing scores 1.
_OPTIONS: Final = coded([(0, 0, None), (1, 0, None), (2, 1, None), (3, 1, None)])


def _score(instrument: Instrument, responses: Responses) -> Scored:
    return sum_of_scored_items(instrument, responses, positive_at=POSITIVE_AT)


SHAPS: Final = Instrument(
    id="shaps",
    name="Snaith-Hamilton Pleasure Scale (SHAPS)",
    version="1",
    items=tuple(
        Item(
            id=item_id,
            text=None,  # licensed: never shipped
            options=_OPTIONS,
            scored=True,
        )
        for item_id in ITEM_IDS
    ),
    loinc_panel=None,
    loinc_total=None,
    loinc_verified=False,
    validated=True,
    licensed_text=True,
    scorer=_score,
    reference="Snaith et al. 1995, Br J Psychiatry 167:99; SCIENCE.md 2",
)
