"""GAD-7, the Generalized Anxiety Disorder scale.

Source: Spitzer, Kroenke, Williams, Lowe, Arch Intern Med 2006;166:1092-7. Bands, cut-off and
LOINC codes as SCIENCE.md 3.1-3.2 (bands from CamCOPS `gad7.py`). Item text as the Pfizer
public-domain form, checked against CamCOPS `extra_strings/gad7.xml` and LOINC's item names.
"Not at all" is the 0 anchor (Zorowitz 2021 notes a common mis-reproduction).

The stem is the GAD-7 form's own, "... bothered by the following problems?": not the PHQ-9's
"... by any of the following problems?", which CamCOPS `gad7.xml` reuses. See `STEM`.
"""

from __future__ import annotations

from typing import Final

from .model import Instrument, Item, Responses, Scored
from .scales import PHQ_FREQUENCY
from .scoring import Band, sum_of_scored_items

_ITEMS: Final = (
    ("q1", "Feeling nervous, anxious or on edge", "69725-0"),
    ("q2", "Not being able to stop or control worrying", "68509-9"),
    ("q3", "Worrying too much about different things", "69733-4"),
    ("q4", "Trouble relaxing", "69734-2"),
    ("q5", "Being so restless that it is hard to sit still", "69735-9"),
    ("q6", "Becoming easily annoyed or irritable", "69689-8"),
    ("q7", "Feeling afraid as if something awful might happen", "69736-7"),
)

# Compared word for word: copies of the Pfizer GAD-7 form at touringmanual.com (with Pfizer's "No
# permission required to reproduce, translate, display or distribute") and
# scales.arabpsychology.com ("GAD-7 Anxiety Severity", with the form's "Use ... to indicate your
# answer"), and nivlab/jspsych-demos `tasks/self-report/surveys/gad7.js` (citing Spitzer 2006).
STEM: Final = "Over the last 2 weeks, how often have you been bothered by the following problems?"

GAD7_BANDS: Final = (Band(0, "minimal"), Band(5, "mild"), Band(10, "moderate"), Band(15, "severe"))
GAD7_POSITIVE_AT: Final = 10  # GAD: sens 89%, spec 82% (Spitzer 2006)


def _score(instrument: Instrument, responses: Responses) -> Scored:
    return sum_of_scored_items(
        instrument, responses, bands=GAD7_BANDS, positive_at=GAD7_POSITIVE_AT
    )


GAD7: Final = Instrument(
    id="gad7",
    name="Generalized Anxiety Disorder 7 (GAD-7)",
    version="1",
    items=tuple(
        Item(
            id=item_id,
            text=text,
            options=PHQ_FREQUENCY,
            scored=True,
            loinc=loinc,
            loinc_verified=True,
        )
        for item_id, text, loinc in _ITEMS
    ),
    loinc_panel="69737-5",
    loinc_total="70274-6",
    loinc_verified=True,
    validated=True,
    licensed_text=False,
    scorer=_score,
    stem=STEM,
    reference="Spitzer, Kroenke, Williams, Lowe 2006, Arch Intern Med 166:1092; SCIENCE.md 3.1-3.2",
)
