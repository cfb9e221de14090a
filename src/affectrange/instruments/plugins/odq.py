"""ODQ, the Oxford Depression Questionnaire (formerly OQuESA). Scoring-only plug-in.

Sources: Price, Cole, Doll, Goodwin, J Affect Disord 2012;140:66-74 (development, dimensions);
Christensen et al., J Affect Disord 2021;294:924-31 (ODQ-20 and ODQ-26); Christensen et al.,
Ann Gen Psychiatry 2022 (AC domain, range 26-130). SCIENCE.md 1.1.

26 items scored 1-5 (SCIENCE.md 1.1: implied by the 26-130 range) in five domains: general
reduction in emotions (GR), reduction in positive emotions (RP), emotional detachment (ED), not
caring (NC), and antidepressant as cause (AC, 6 items). ODQ-20 sums GR+RP+ED+NC (20-100); ODQ-26
adds AC (26-130) and is the `total`.

ASSUMPTION: the item-to-domain mapping comes with the licensed manual and was not available
(SCIENCE.md 1.1 [U]). Here GR = q1-q5, RP = q6-q10, ED = q11-q15, NC = q16-q20, AC = q21-q26,
marked `assumed` (so `details["domain_mapping_assumed"]` is True). A licensed text file can
replace the mapping (its "domains" key); ODQ-20 and ODQ-26 do not depend on it, as long as AC
remains the antidepressant section.

The AC section is answered only by people who currently take an antidepressant (SCIENCE.md 1.1).
We model that with a routing item, `antidepressant` (0 = no, 1 = yes; an optional column):
- 1 or unanswered: the AC items are required; the total is ODQ-26 (None if any item is missing).
  Unanswered counts as "on an antidepressant" so that a missing AC answer is never mistaken for
  a skipped section; say 0 to skip it.
- 0: the AC items are not required (answers given are ignored); ODQ-20 is reported in
  `details["odq20"]`, and `total` is None with nothing missing, because the two metrics must not
  be mixed in one series (SCIENCE.md 1.2) and ODQ-26 does not exist for this person.
No proration (no published rule). No band or cut-off: total >= 50 was a trial inclusion criterion
of unclear metric, and there is no validated general-population banding (SCIENCE.md 1.1).
"""

from __future__ import annotations

from typing import Final

from ..model import Instrument, Item, Responses, Scored, Subscale
from ..scales import NO_YES_UNLABELLED, unlabelled

ROUTING: Final = "antidepressant"
ITEM_IDS: Final = tuple(f"q{n}" for n in range(1, 27))
BLUNTING_DOMAINS: Final = ("GR", "RP", "ED", "NC")
CAUSE_DOMAIN: Final = "AC"
DOMAIN_NAMES: Final = {
    "GR": "General reduction in emotions",
    "RP": "Reduction in positive emotions",
    "ED": "Emotional detachment",
    "NC": "Not caring",
    "AC": "Antidepressant as cause",
}


def _ids(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"q{n}" for n in range(first, last + 1))


ASSUMED_DOMAINS: Final = (
    Subscale("GR", DOMAIN_NAMES["GR"], _ids(1, 5), assumed=True),
    Subscale("RP", DOMAIN_NAMES["RP"], _ids(6, 10), assumed=True),
    Subscale("ED", DOMAIN_NAMES["ED"], _ids(11, 15), assumed=True),
    Subscale("NC", DOMAIN_NAMES["NC"], _ids(16, 20), assumed=True),
    Subscale("AC", DOMAIN_NAMES["AC"], _ids(21, 26), assumed=True),
)


def _score(instrument: Instrument, responses: Responses) -> Scored:
    domains = {subscale.id: subscale.item_ids for subscale in instrument.subscales}
    blunting_items = tuple(item_id for item_id in ITEM_IDS if item_id not in domains[CAUSE_DOMAIN])
    cause_applies = responses.value(ROUTING) != 0
    odq20 = responses.sum(blunting_items)
    odq26 = responses.sum(ITEM_IDS) if cause_applies else None
    needed = ITEM_IDS if cause_applies else blunting_items
    details: dict[str, object] = {
        domain: responses.sum(items)
        for domain, items in domains.items()
        if domain != CAUSE_DOMAIN or cause_applies
    }
    if not cause_applies:
        details[CAUSE_DOMAIN] = None
    details.update(
        odq20=odq20,
        odq26=odq26,
        antidepressant_section=cause_applies,
        domain_mapping_assumed=any(subscale.assumed for subscale in instrument.subscales),
    )
    return Scored(total=odq26, missing=responses.unanswered(needed), details=details)


def _item(item_id: str) -> Item:
    return Item(
        id=item_id,
        text=None,  # licensed: never shipped
        options=unlabelled(1, 5),
        scored=True,
    )


ODQ: Final = Instrument(
    id="odq",
    name="Oxford Depression Questionnaire (ODQ)",
    version="1",
    items=(
        *(_item(item_id) for item_id in ITEM_IDS[:20]),
        Item(
            id=ROUTING,
            text=None,
            options=NO_YES_UNLABELLED,
            scored=False,
        ),
        *(_item(item_id) for item_id in ITEM_IDS[20:]),
    ),
    loinc_panel=None,
    loinc_total=None,
    loinc_verified=False,
    validated=True,
    licensed_text=True,
    scorer=_score,
    optional=frozenset({ROUTING}),
    subscales=ASSUMED_DOMAINS,
    reference="Price et al. 2012, J Affect Disord 140:66; Christensen et al. 2021, "
    "J Affect Disord 294:924; SCIENCE.md 1.1",
)
