"""AUDIT-C, the three alcohol-consumption questions of the AUDIT.

Sources: Bush et al., Arch Intern Med 1998;158:1789-95; Bradley et al. 2003 and 2007. SAMHSA:
"AUDIT-C is available for use in the public domain". SCIENCE.md 3.1-3.2: items 0-4, total 0-12,
positive at 4 or more for men and 3 or more for women (local thresholds vary).

The optional `sex` column ("F"/"M") picks the cut-off. Without it (a sex-neutral deployment) a
total of 4 or more is positive and 3 or more sets `details["consider"]` (SCIENCE.md 3.2, a design
choice), so a woman's positive screen is not silently lost.

Item text: the three questions and their answer labels are the public-domain AUDIT-C form that
SAMHSA reprints, which is also the wording of LOINC's AUDIT-C panel 72109-2 (LOINC writes item 3
with digits, "6 or more drinks on 1 occasion"). Each text and label was accepted only where two
independent sources agree word for word; `_ITEMS` names them. The WHO AUDIT words items 1-3 a
little differently ("How many drinks containing alcohol do you have on a typical day when you are
drinking?", "2 to 4 times a month", "7, 8, or 9"); the scores are the same in all. Answer labels
are in score order, 0 to 4, as every source prints them.

The `sex` question is our own wording, not part of the AUDIT-C, and is not scored: it only picks
the cut-off, and says so.
"""

from __future__ import annotations

from typing import Final

from .model import Instrument, Item, Responses, Scored
from .scales import coded, labelled
from .scoring import at_least

ITEM_IDS: Final = ("q1", "q2", "q3")
SEX: Final = "sex"
CUTOFF_BY_SEX: Final = {"F": 3, "M": 4}
SEX_NEUTRAL_CUTOFF: Final = 4
CONSIDER_AT: Final = 3

# (id, text, answer labels scoring 0-4, LOINC item code). Sources compared word for word:
# - LOINC: Regenstrief's FHIR Questionnaire for 72109-2 (http://loinc.org/q/72109-2, as stored in
#   jmandel/ktc-questionnaire-starters `fhir-loinc/72109-2.json`), answer lists LL2179-1,
#   LL2180-9 and LL2181-7;
# - SAMHSA: TIP 42, Appendix C, AUDIT-C ("Reprinted from material in the public domain", Bush et
#   al. 1998; copy at scribd.com/document/693011752/ap2-p302), and a copy of SAMHSA's AUDIT-C
#   tool page (victorybayrecovery.com/treatment/self-assessment);
# - WHO AUDIT items 1-3 as CamCOPS holds them
#   (ucam-department-of-psychiatry/camcops `server/camcops_server/extra_strings/audit.xml`).
# q1 text: LOINC = SAMHSA = WHO. q1 labels: LOINC = SAMHSA (WHO writes "2 to 4", "2 to 3").
# q2 text: LOINC = SAMHSA. q2 labels: LOINC = the SAMHSA tool copy; "1 or 2" and "7 to 9" also
# TIP 42, which prints "3 to 4" and "5 to 6"; all but "7 to 9" also WHO.
# q3 text: WHO = SAMHSA (TIP 42, which misspells "occassion") = LOINC's English display for
# 68520-6 in a Portuguese national LOINC value set (Centro de Terminologias Clinicas); the LOINC
# Questionnaire writes it in LOINC's naming style, "... 6 or more drinks on 1 occasion?".
# q3 labels: LOINC = SAMHSA = WHO.
_ITEMS: Final = (
    (
        "q1",
        "How often do you have a drink containing alcohol?",
        (
            "Never",
            "Monthly or less",
            "2-4 times a month",
            "2-3 times a week",
            "4 or more times a week",
        ),
        "68518-0",
    ),
    (
        "q2",
        "How many standard drinks containing alcohol do you have on a typical day?",
        ("1 or 2", "3 or 4", "5 or 6", "7 to 9", "10 or more"),
        "68519-8",
    ),
    (
        "q3",
        "How often do you have six or more drinks on one occasion?",
        ("Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily"),
        "68520-6",
    ),
)

# Our own words: the published instrument has no such question. It says why it is asked, that it
# may be skipped (without it, the sex-neutral rule in the module docstring applies) and that it is
# not part of the AUDIT-C. The answers keep the plain "Female"/"Male", which a clinic's system
# reading the FHIR export understands.
_SEX_QUESTION: Final = (
    "Sex (optional). The AUDIT-C's published cut-offs differ for women and men; your answer only "
    "picks which one is used for your score. This question is ours, not part of the AUDIT-C."
)


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
                text=text,
                options=labelled(labels),  # values and scores 0-4, in the sources' order
                scored=True,
                loinc=loinc,
                loinc_verified=True,
            )
            for item_id, text, labels, loinc in _ITEMS
        ),
        Item(
            id=SEX,
            text=_SEX_QUESTION,
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
