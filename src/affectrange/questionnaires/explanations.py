"""Plain-language words for a result, in the project's own words.

A score describes how the past weeks went; it is not a diagnosis, and nothing here says a person
is safe or well (SCIENCE.md 6.1.3: no "you're fine" after item 9 = 0). Nothing here advises on
medication (6.2); a change worth discussing is framed as that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from affectrange.instruments.auditc import CUTOFF_BY_SEX, SEX_NEUTRAL_CUTOFF
from affectrange.instruments.gad7 import GAD7_BANDS
from affectrange.instruments.pcl5 import DEFAULT_CUTOFF as PCL5_CUTOFF
from affectrange.instruments.pcptsd5 import POSITIVE_AT as PCPTSD5_CUTOFF
from affectrange.instruments.phq import PHQ2_POSITIVE_AT, PHQ9_BANDS
from affectrange.instruments.plugins.dast10 import DAST10_BANDS
from affectrange.instruments.plugins.wsas import WSAS_BANDS
from affectrange.instruments.scoring import Band

NOT_A_DIAGNOSIS: Final = (
    "A questionnaire score describes the past weeks as you reported them. It is not a "
    "diagnosis; a clinician reads it together with everything else they know about you."
)


@dataclass(frozen=True, slots=True)
class Scale:
    """What a trend chart of an instrument needs: the range of totals, bands, a cut-off."""

    maximum: int
    bands: tuple[Band, ...] = ()
    cutoff: int | None = None


SCALES: Final[Mapping[str, Scale]] = {
    "phq9": Scale(27, PHQ9_BANDS),
    "phq2": Scale(6, cutoff=PHQ2_POSITIVE_AT),
    "gad7": Scale(21, GAD7_BANDS),
    "pcl5": Scale(80, cutoff=PCL5_CUTOFF),
    "pcptsd5": Scale(5, cutoff=PCPTSD5_CUTOFF),
    "auditc": Scale(12, cutoff=SEX_NEUTRAL_CUTOFF),
    "blunting_check": Scale(10),
    "dast10": Scale(10, DAST10_BANDS),
    "wsas": Scale(40, WSAS_BANDS),
    "shaps": Scale(14, cutoff=3),
    "odq": Scale(130),
}

_BAND_WORDS: Final[Mapping[tuple[str, str], str]] = {
    ("phq9", "none-minimal"): "Few or no signs of depression were reported for the past two weeks.",
    ("phq9", "mild"): "Some signs of depression were reported: the range called mild.",
    ("phq9", "moderate"): (
        "Signs of depression in the moderate range. This is the level at which the PHQ-9 is "
        "usually followed by a conversation with a clinician."
    ),
    ("phq9", "moderately severe"): (
        "Signs of depression in the moderately severe range. Please share this result with a "
        "clinician soon."
    ),
    ("phq9", "severe"): (
        "Signs of depression in the severe range. Please talk with a clinician soon, and use the "
        "crisis lines if things feel unsafe."
    ),
    ("gad7", "minimal"): "Few or no signs of anxiety were reported for the past two weeks.",
    ("gad7", "mild"): "Some signs of anxiety were reported: the range called mild.",
    ("gad7", "moderate"): (
        "Signs of anxiety in the moderate range, the level at which the GAD-7 is usually "
        "followed by a conversation with a clinician."
    ),
    ("gad7", "severe"): "Signs of anxiety in the severe range. Please share this with a clinician.",
}

_ABOUT: Final[Mapping[str, str]] = {
    "phq9": "The PHQ-9 asks about nine signs of depression over the past two weeks (0 to 27).",
    "phq2": "The PHQ-2 asks the first two PHQ-9 questions (0 to 6); 3 or more suggests the full "
    "PHQ-9.",
    "gad7": "The GAD-7 asks about seven signs of anxiety over the past two weeks (0 to 21).",
    "pcl5": "The PCL-5 asks about twenty reactions to a stressful experience over the past month "
    "(0 to 80).",
    "pcptsd5": "The PC-PTSD-5 is a five-question screen for post-traumatic stress (0 to 5).",
    "auditc": "The AUDIT-C asks three questions about drinking (0 to 12).",
    "blunting_check": "Our weekly blunting check asks whether feelings seemed dulled this week and "
    "how much that bothered you (0 to 10). We wrote it ourselves; it is not a validated "
    "questionnaire, so read it as your own description of the week.",
}


def about(instrument_id: str) -> str | None:
    return _ABOUT.get(instrument_id)


def explain(instrument_id: str, band: str | None, positive: bool | None, details: Any) -> str:
    """One or two sentences on what this result means, in plain words."""
    detail: Mapping[str, Any] = details if isinstance(details, Mapping) else {}
    if band is not None and (instrument_id, band) in _BAND_WORDS:
        return _BAND_WORDS[(instrument_id, band)]
    explainer = _EXPLAINERS.get(instrument_id)
    if explainer is None:
        return "Your total is shown against the published ranges for this questionnaire."
    return explainer(positive, detail)


def _pcl5(positive: bool | None, detail: Mapping[str, Any]) -> str:
    if positive:
        return (
            "Above the score at which the PCL-5 suggests post-traumatic stress is worth a closer "
            "look with a clinician."
        )
    return (
        "Below the score at which the PCL-5 is usually followed up. The items about numbness "
        "(12 to 14) are shown on their own below."
    )


def _pcptsd5(positive: bool | None, detail: Mapping[str, Any]) -> str:
    if detail.get("trauma_exposure") is False:
        return "You said you have not lived through such an event, so the screen ends here."
    if positive:
        return (
            "A positive screen: a longer questionnaire (the PCL-5) is added to your schedule, and "
            "this is worth talking over with a clinician."
        )
    return (
        "Below the screening cut-off. If these experiences trouble you, they are still worth "
        "raising with a clinician."
    )


def _auditc(positive: bool | None, detail: Mapping[str, Any]) -> str:
    cutoff = detail.get("cutoff", SEX_NEUTRAL_CUTOFF)
    cutoffs = ", ".join(f"{value} ({sex})" for sex, value in sorted(CUTOFF_BY_SEX.items()))
    if positive:
        return (
            f"At or above the cut-off of {cutoff} (published cut-offs: {cutoffs}): drinking at "
            "this level is worth talking over with a clinician, and alcohol can itself dull "
            "feelings."
        )
    return f"Below the cut-off of {cutoff}. Alcohol can still affect mood and sleep."


def _phq2(positive: bool | None, detail: Mapping[str, Any]) -> str:
    if positive:
        return "A positive screen: the full PHQ-9 gives a fuller picture."
    return "Below the screening cut-off of 3."


def _blunting_check(positive: bool | None, detail: Mapping[str, Any]) -> str:
    if detail.get("blunted") is False:
        return "You did not notice dulled feelings this week."
    return (
        "You noticed dulled feelings this week. Tracking it over weeks, next to your daily "
        "check-ins, shows whether it is changing; it is worth discussing with your clinician."
    )


_EXPLAINERS: Final[Mapping[str, Callable[[bool | None, Mapping[str, Any]], str]]] = {
    "pcl5": _pcl5,
    "pcptsd5": _pcptsd5,
    "auditc": _auditc,
    "phq2": _phq2,
    "blunting_check": _blunting_check,
}
