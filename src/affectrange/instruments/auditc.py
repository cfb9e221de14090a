"""AUDIT-C, the three alcohol-consumption questions of the AUDIT.

Sources: Bush et al., Arch Intern Med 1998;158:1789-95; Bradley et al. 2003 and 2007. SAMHSA:
"AUDIT-C is available for use in the public domain". SCIENCE.md 3.1-3.2: items 0-4, total 0-12,
positive at 4 or more for men and 3 or more for women (local thresholds vary).

The optional `sex` column ("F"/"M") picks the cut-off. Without it (a sex-neutral deployment) a
total of 4 or more is positive and 3 or more sets `details["consider"]` (SCIENCE.md 3.2, a design
choice), so a woman's positive screen is not silently lost.

Item text: several phrasings of the three questions are in circulation (the WHO AUDIT's, the
Bush 1998/SAMHSA past-year form, LOINC's), with differing answer wording. Until one is verified
word for word, the question text and answer labels are None; the scores are the same in all.
The `sex` question is our own wording and is not scored.
"""

from __future__ import annotations

from typing import Final

from .model import Instrument, Item, Responses, Scored
from .scales import coded, unlabelled
from .scoring import at_least

ITEM_IDS: Final = ("q1", "q2", "q3")
_LOINC_ITEMS: Final = ("68518-0", "68519-8", "68520-6")
SEX: Final = "sex"
CUTOFF_BY_SEX: Final = {"F": 3, "M": 4}
SEX_NEUTRAL_CUTOFF: Final = 4
CONSIDER_AT: Final = 3


def _score(instrument: Instrument, responses: Responses) -> Scored:
    total = responses.sum(ITEM_IDS)
    sex = responses.value(SEX)
    cutoff = SEX_NEUTRAL_CUTOFF if sex is None else CUTOFF_BY_SEX[str(sex)]
    return Scored(
        total=total,
        positive=at_least(total, cutoff),
        missing=responses.unanswered(ITEM_IDS),
        details={
            "sex": sex,
            "cutoff": cutoff,
            # Only meaningful without a sex: with one, `positive` already uses the right cut-off.
            "consider": at_least(total, CONSIDER_AT) if sex is None else None,
        },
    )


AUDITC: Final = Instrument(
    id="auditc",
    name="Alcohol Use Disorders Identification Test - Consumption (AUDIT-C)",
    version="1",
    items=(
        *(
            Item(
                id=item_id,
                text=None,  # phrasing not yet verified (see the module docstring)
                options=unlabelled(0, 4),
                scored=True,
                loinc=loinc,
                loinc_verified=True,
            )
            for item_id, loinc in zip(ITEM_IDS, _LOINC_ITEMS, strict=True)
        ),
        Item(
            id=SEX,
            text="Sex (used only to choose the screening cut-off)",
            options=coded([("F", 0, "Female"), ("M", 0, "Male")]),
            scored=False,
        ),
    ),
    loinc_panel="72109-2",
    loinc_total="75626-2",
    # SCIENCE.md 8 item 3 still asks to confirm 75626-2 in the current LOINC release, so the
    # panel/total pair is not marked verified; the three item codes are.
    loinc_verified=False,
    validated=True,
    licensed_text=False,
    scorer=_score,
    optional=frozenset({SEX}),
    reference="Bush et al. 1998, Arch Intern Med 158:1789; Bradley et al. 2007; SCIENCE.md 3.1-3.2",
)
