"""WSAS, the Work and Social Adjustment Scale. Scoring-only plug-in.

Source: Mundt, Marks, Shear, Greist, Br J Psychiatry 2002;180:461-4. SCIENCE.md 3.1-3.2: five
items (work, home management, social leisure, private leisure, close relationships), each 0 (no
impairment) to 8 (very severe); total 0-40. Bands: below 10 subclinical; 10-20 significant
impairment with less severe symptoms; above 20 moderately severe or worse. No screening cut-off,
no LOINC code found.

People who are retired or not working for reasons unrelated to their problem omit item 1 and the
maximum becomes 32. That must not be confused with a forgotten answer, so it is an explicit
routing item, `working` (1 = item 1 applies, 0 = it does not; an optional column, unanswered
means it applies). With `working` = 0, item 1 is not required (an answer given is ignored) and
the total is q2..q5; the bands are the published ones either way.
"""

from __future__ import annotations

from typing import Final

from ..model import Instrument, Item, Responses, Scored
from ..scales import NO_YES_UNLABELLED, unlabelled
from ..scoring import Band, band_for

ROUTING: Final = "working"
WORK_ITEM: Final = "q1"
ITEM_IDS: Final = tuple(f"q{n}" for n in range(1, 6))
WSAS_BANDS: Final = (
    Band(0, "subclinical"),
    Band(10, "significant impairment"),
    Band(21, "moderately severe or worse"),
)


def _score(instrument: Instrument, responses: Responses) -> Scored:
    work_applies = responses.value(ROUTING) != 0
    needed = ITEM_IDS if work_applies else ITEM_IDS[1:]
    total = responses.sum(needed)
    return Scored(
        total=total,
        band=band_for(total, WSAS_BANDS),
        missing=responses.unanswered(needed),
        details={"work_item_applies": work_applies, "maximum": 8 * len(needed)},
    )


WSAS: Final = Instrument(
    id="wsas",
    name="Work and Social Adjustment Scale (WSAS)",
    version="1",
    items=(
        Item(
            id=ROUTING,
            text=None,
            options=NO_YES_UNLABELLED,
            scored=False,
        ),
        *(
            Item(
                id=item_id,
                text=None,  # licensed: never shipped
                options=unlabelled(0, 8),
                scored=True,
            )
            for item_id in ITEM_IDS
        ),
    ),
    loinc_panel=None,
    loinc_total=None,
    loinc_verified=False,
    validated=True,
    licensed_text=True,
    scorer=_score,
    optional=frozenset({ROUTING}),
    reference="Mundt, Marks, Shear, Greist 2002, Br J Psychiatry 180:461; SCIENCE.md 3.1-3.2",
)
