"""PC-PTSD-5, the Primary Care PTSD Screen for DSM-5.

Sources: Prins et al., J Gen Intern Med 2016;31:1206-11 (a US VA National Center for PTSD work);
Bovin et al., JAMA Netw Open 2021;4:e2036733. SCIENCE.md 3.1-3.2. No LOINC codes were found.

A trauma-exposure question gates the five yes/no items: if it is answered No, the screen is
complete with a score of 0 and items 1-5 are not asked (any answers given are ignored). Otherwise
the score counts the Yes answers.

Two cut-offs are published: 3 (Prins 2016: optimally sensitive; the VA's "positive if yes to any
3 items") and 4 (Bovin 2021: best balance overall and in men; 3 may suit women). `positive` uses
3, because a screen should favour sensitivity and 3 is the VA's published rule; both results are
in `details` (`positive_at_3`, `positive_at_4`) for those who use 4.

Text as the published screen (Prins 2016, Table; the VA's form). Its stem for items 1-5, "In the
past month, have you...", comes after the trauma question, so it is item 1's `preamble` (shown
only once trauma is answered Yes) rather than the instrument's `stem`, which is shown above every
item, the trauma question included.
"""

from __future__ import annotations

from typing import Final

from .model import Instrument, Item, Responses, Scored
from .scales import NO_YES
from .scoring import at_least

GATE: Final = "trauma"
ITEM_IDS: Final = tuple(f"q{n}" for n in range(1, 6))
POSITIVE_AT: Final = 3
ALTERNATIVE_POSITIVE_AT: Final = 4

_TRAUMA_EXAMPLES: Final = (
    "Sometimes things happen to people that are unusually or especially frightening, horrible, "
    "or traumatic. For example:\n"
    "\u2022 a serious accident or fire\n"
    "\u2022 a physical or sexual assault or abuse\n"
    "\u2022 an earthquake or flood\n"
    "\u2022 a war\n"
    "\u2022 seeing someone be killed or seriously injured\n"
    "\u2022 having a loved one die through homicide or suicide."
)
# Compared word for word: Prins et al. 2016, Table (PMC5023594), "In the past month, have you…";
# comorbidityguidelines.org.au Appendix R ("In the past month have you:") and
# overdosefreepa.org's copy ("In the past month, have you:"): the same words, punctuation aside.
# The primary source's punctuation is kept.
_PAST_MONTH: Final = "In the past month, have you\u2026"
_TEXTS: Final = (
    "Had nightmares about the event(s) or thought about the event(s) when you did not want to?",
    "Tried hard not to think about the event(s) or went out of your way to avoid situations "
    "that reminded you of the event(s)?",
    "Been constantly on guard, watchful, or easily startled?",
    "Felt numb or detached from people, activities, or your surroundings?",
    "Felt guilty or unable to stop blaming yourself or others for the event(s) or any problems "
    "the event(s) may have caused?",
)


def _score(instrument: Instrument, responses: Responses) -> Scored:
    gate = responses.value(GATE)
    if gate == 0:
        total: int | None = 0
        missing: tuple[str, ...] = ()
    elif gate is None:
        # Unknown exposure: the items might not be needed, but the screen cannot be scored.
        total = None
        missing = (GATE, *responses.unanswered(ITEM_IDS))
    else:
        total = responses.sum(ITEM_IDS)
        missing = responses.unanswered(ITEM_IDS)
    return Scored(
        total=total,
        positive=at_least(total, POSITIVE_AT),
        missing=missing,
        details={
            "trauma_exposure": None if gate is None else gate == 1,
            "positive_at_3": at_least(total, POSITIVE_AT),
            "positive_at_4": at_least(total, ALTERNATIVE_POSITIVE_AT),
        },
    )


PCPTSD5: Final = Instrument(
    id="pcptsd5",
    name="Primary Care PTSD Screen for DSM-5 (PC-PTSD-5)",
    version="1",
    items=(
        Item(
            id=GATE,
            text="Have you ever experienced this kind of event?",
            options=NO_YES,
            scored=False,  # routes, does not count
            preamble=_TRAUMA_EXAMPLES,
        ),
        *(
            Item(
                id=item_id,
                text=text,
                options=NO_YES,
                scored=True,
                preamble=_PAST_MONTH if item_id == ITEM_IDS[0] else None,
            )
            for item_id, text in zip(ITEM_IDS, _TEXTS, strict=True)
        ),
    ),
    loinc_panel=None,
    loinc_total=None,
    loinc_verified=False,
    validated=True,
    licensed_text=False,
    scorer=_score,
    stem=None,  # the items' stem follows the trauma question: item 1's preamble
    reference="Prins et al. 2016, J Gen Intern Med 31:1206; Bovin et al. 2021, "
    "JAMA Netw Open 4:e2036733; SCIENCE.md 3.1-3.2",
)
