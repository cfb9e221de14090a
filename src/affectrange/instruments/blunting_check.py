"""The weekly blunting check: a short question set written by this project. NOT VALIDATED.

SCIENCE.md 1.3: the "standardized screening question" of the COMPLETE study and the "gold standard
question" of the ODQ validations exist, but their wording was not retrieved and may be licensed.
So this is our own wording, copied from no instrument, and it is labelled unvalidated wherever it
is shown (`validated=False`). Its number is a description of how the week felt, never a diagnosis,
and the cause question records the person's own view, not ours (SCIENCE.md sections 0.3, 6.2).

q1 (no/yes) routes: after No the check is complete with a total of 0; after Yes, q2 (how much it
bothered the person, 0-10) is the total and q3 (what they think causes it) is recorded unscored.
There is no band and no cut-off.
"""

from __future__ import annotations

from typing import Final

from .model import Instrument, Item, Responses, Scored
from .scales import NO_YES, labelled

BOTHER_MAX: Final = 10
CAUSES: Final = ("my condition", "my medication", "something else", "not sure")

_BOTHER_LABELS: Final = (
    "0 - not at all",
    *(str(n) for n in range(1, BOTHER_MAX)),
    f"{BOTHER_MAX} - extremely",
)


def _score(instrument: Instrument, responses: Responses) -> Scored:
    blunted = responses.value("q1")
    cause = responses.value("q3")
    if blunted == 0:
        total: int | None = 0
        missing: tuple[str, ...] = ()
    elif blunted is None:
        total = None
        missing = ("q1", *responses.unanswered(["q2"]))
    else:
        total = responses.score("q2")
        missing = responses.unanswered(["q2"])
    return Scored(
        total=total,
        missing=missing,
        details={
            "blunted": None if blunted is None else blunted == 1,
            "bother": total,
            "cause": None if blunted != 1 or cause is None else CAUSES[int(cause)],
            "validated": False,
        },
    )


BLUNTING_CHECK: Final = Instrument(
    id="blunting_check",
    name="Weekly blunting check (project-written, not validated)",
    version="1",
    items=(
        Item(
            id="q1",
            text=(
                "In the past 7 days, have your feelings seemed dulled, flattened or less intense "
                "than usual, for good things and bad alike?"
            ),
            options=NO_YES,
            scored=False,  # routes to q2; the total is q2
        ),
        Item(
            id="q2",
            text="How much has this bothered you over these 7 days?",
            options=labelled(_BOTHER_LABELS),
            scored=True,
        ),
        Item(
            id="q3",
            text="What do you think is behind it?",
            options=labelled([cause.capitalize() for cause in CAUSES]),
            scored=False,
        ),
    ),
    loinc_panel=None,
    loinc_total=None,
    loinc_verified=False,
    validated=False,
    licensed_text=False,
    scorer=_score,
    optional=frozenset({"q3"}),
    reference="Project-written after SCIENCE.md 1.3; not a validated instrument",
)
