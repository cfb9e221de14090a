"""PHQ-9 and PHQ-2, the Patient Health Questionnaire depression scales.

Sources: Kroenke, Spitzer, Williams, J Gen Intern Med 2001;16:606-13 (PHQ-9); Kroenke et al.,
Med Care 2003;41:1284-92 (PHQ-2). Scoring, bands, cut-offs and LOINC codes as SCIENCE.md 3.1 and
3.2; item text as the Pfizer public-domain form ("No permission required to reproduce, translate,
display or distribute"), checked against CamCOPS `extra_strings/phq9.xml`.

The PHQ-2 ships without a stem. The PHQ-9's is not assumed for it: copies of the PHQ-2 disagree,
"Over the last 2 weeks, how often have you been bothered by the following problems?" (IHE's ACDC
example Questionnaire for LOINC 55757-9; mymenoplan.org) against "... by any of the following
problems?" (rhavekost/clinical-toolkit `skills/depression-screening/assets/phq-2.md`; "Over the
past 2 weeks" at screeningtools.masiviwe.org.za), and "Over the past two weeks, how often have
you:" (hindawi.com/journals/cpn/2013/695925, Table 1). LOINC's Questionnaires carry no stem,
and the Pfizer PHQ-2 form itself was not available to settle it.

Item 9 is the critical item: any answer above "Not at all" raises the safety flag whatever the
total, and an unanswered item 9 is never imputed (SCIENCE.md 6.1).
"""

from __future__ import annotations

from typing import Final

from .model import Instrument, Item, Responses, Scored
from .scales import PHQ_FREQUENCY, labelled
from .scoring import Band, at_least, band_for

_STEM: Final = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)

# (id, text, LOINC item code). Items 1, 2 and 9: SCIENCE.md 3.1. Items 3-8 and the difficulty
# item: the LOINC 44249-1 panel as two independent FHIR sources list it, which agree code for
# code (HL7's PACIO Personal Functioning and Engagement IG, ConceptMap "LOINCtoICFPHQ9", and a
# Questionnaire generated from LOINC's own 44249-1 form). Note the check digits: 44254-1,
# 44251-7, 44252-5 and 44253-3, not the -9/-6/-4/-2 sometimes typed from memory.
_ITEMS: Final = (
    ("q1", "Little interest or pleasure in doing things", "44250-9"),
    ("q2", "Feeling down, depressed, or hopeless", "44255-8"),
    ("q3", "Trouble falling or staying asleep, or sleeping too much", "44259-0"),
    ("q4", "Feeling tired or having little energy", "44254-1"),
    ("q5", "Poor appetite or overeating", "44251-7"),
    (
        "q6",
        "Feeling bad about yourself \u2014 or that you are a failure or have let yourself "
        "or your family down",
        "44258-2",
    ),
    (
        "q7",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "44252-5",
    ),
    (
        "q8",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite "
        "\u2014 being so fidgety or restless that you have been moving around a lot more than "
        "usual",
        "44253-3",
    ),
    (
        "q9",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
        "44260-8",
    ),
)

DIFFICULTY = Item(
    id="q10",
    text=(
        "If you checked off any problems, how difficult have these problems made it for you to "
        "do your work, take care of things at home, or get along with other people?"
    ),
    # LOINC answer codes: LA6575-0 is "Very difficult" and LA6574-3 "Extremely difficult" (not in
    # number order), as LOINC-derived FHIR Questionnaires for 44249-1 and HL7 IG instances list
    # them; two hand-typed tables elsewhere swap the last two, which is why this is spelled out.
    options=labelled(
        ["Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult"],
        loinc=["LA6572-7", "LA6573-5", "LA6575-0", "LA6574-3"],
    ),
    scored=False,  # recorded, never added to the total (SCIENCE.md 3.2)
    loinc="69722-7",
    loinc_verified=True,
)

PHQ9_BANDS: Final = (
    Band(0, "none-minimal"),
    Band(5, "mild"),
    Band(10, "moderate"),
    Band(15, "moderately severe"),
    Band(20, "severe"),
)
PHQ9_POSITIVE_AT: Final = 10  # detects major depression, sens 77-88%, spec 88-94% (Kroenke 2010)
PHQ2_POSITIVE_AT: Final = 3

SCORED_IDS: Final = tuple(item_id for item_id, _, _ in _ITEMS)


def _frequency_item(item_id: str, text: str, loinc: str | None) -> Item:
    return Item(
        id=item_id,
        text=text,
        options=PHQ_FREQUENCY,
        scored=True,
        loinc=loinc,
        loinc_verified=loinc is not None,
        critical=item_id == "q9",
    )


def dsm_algorithm(responses: Responses) -> tuple[bool, bool] | None:
    """(major depressive syndrome, other depressive syndrome) by the PHQ-9 DSM algorithm.

    From CamCOPS `phq9.py` (SCIENCE.md 3.2): an item counts at "more than half the days" (2),
    except item 9, which counts at any endorsement. None unless all nine items are answered.
    """
    if responses.unanswered(SCORED_IDS):
        return None
    scores = responses.scores
    core = sum(scores[item_id] >= 2 for item_id in ("q1", "q2"))
    other = sum(scores[f"q{n}"] >= 2 for n in range(3, 9)) + (scores["q9"] >= 1)
    major = core >= 1 and core + other >= 5
    other_depressive = core >= 1 and 2 <= core + other <= 4
    return major, other_depressive


def _score_phq9(instrument: Instrument, responses: Responses) -> Scored:
    total = responses.sum(SCORED_IDS)
    syndromes = dsm_algorithm(responses)
    return Scored(
        total=total,
        band=band_for(total, PHQ9_BANDS),
        positive=at_least(total, PHQ9_POSITIVE_AT),
        missing=responses.unanswered(SCORED_IDS),
        details={
            "major_depressive_syndrome": None if syndromes is None else syndromes[0],
            "other_depressive_syndrome": None if syndromes is None else syndromes[1],
            "difficulty": responses.value("q10"),
        },
    )


def _score_phq2(instrument: Instrument, responses: Responses) -> Scored:
    # No band, and no item 9: a positive PHQ-2 should be followed by the full PHQ-9.
    items = instrument.scored_item_ids()
    total = responses.sum(items)
    return Scored(
        total=total,
        positive=at_least(total, PHQ2_POSITIVE_AT),
        missing=responses.unanswered(items),
        details={"offer_phq9": at_least(total, PHQ2_POSITIVE_AT)},
    )


PHQ9: Final = Instrument(
    id="phq9",
    name="Patient Health Questionnaire (PHQ-9)",
    version="1",
    items=(*(_frequency_item(*row) for row in _ITEMS), DIFFICULTY),
    loinc_panel="44249-1",
    loinc_total="44261-6",
    loinc_verified=True,
    validated=True,
    licensed_text=False,
    scorer=_score_phq9,
    optional=frozenset({"q10"}),
    stem=_STEM,
    reference="Kroenke, Spitzer, Williams 2001, J Gen Intern Med 16:606; SCIENCE.md 3.1-3.2",
)

PHQ2: Final = Instrument(
    id="phq2",
    name="Patient Health Questionnaire-2 (PHQ-2)",
    version="1",
    items=tuple(_frequency_item(*row) for row in _ITEMS[:2]),
    loinc_panel="55757-9",
    loinc_total="55758-7",
    loinc_verified=True,
    validated=True,
    licensed_text=False,
    scorer=_score_phq2,
    stem=None,  # copies disagree; see the module docstring
    reference="Kroenke, Spitzer, Williams 2003, Med Care 41:1284; SCIENCE.md 3.1-3.2",
)
