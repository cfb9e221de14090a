"""Search filters a person's own record may propose in the therapist finder, with their consent.

PRODUCT.md 3.9: results can be weighted "with consent, by their measured profile". Consent is off
until the person turns it on (`DirectoryProfileConsent`), and then exactly two things are read,
each time the finder opens, through their own features' services:

- the latest PTSD screen (PC-PTSD-5 or PCL-5, whichever was finished last): when it was positive,
  the trauma-focused therapies (`vocabulary.TRAUMA_FOCUSED_MODALITIES`) are proposed as
  preferences;
- the emotional-range analysis of the check-ins: a blunting-like change that began after a
  medication start or dose change proposes including prescribers, who can review medication with
  the person.

A proposal is only a preference: it orders results and never hides anyone. Each is shown as a
chip the person can remove, and carried in `DirectoryQuery.suggested` so a reason can say where it
came from. Nothing read here is stored, sent or shown to anyone but the person. The wording
describes the finding and routes to a prescriber; it never says what to do about a medication
(SCIENCE.md 6.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.directory.repository import ProfileConsentRepository
from affectrange.directory.vocabulary import MODALITIES, TRAUMA_FOCUSED_MODALITIES
from affectrange.emotional_range import service as emotional_range
from affectrange.emotional_range.wording import long_day
from affectrange.questionnaires import service as questionnaires

PTSD_SCREENS: Final = ("pcptsd5", "pcl5")
"""The instruments whose latest result counts as "the latest PTSD screen"."""
PRESCRIBERS_TERM: Final = "prefer:prescribers"
MODALITY_PREFIX: Final = "modality:"
SCREEN_NAMES: Final = {"pcptsd5": "PC-PTSD-5", "pcl5": "PCL-5"}

WHAT_IT_READS: Final = (
    "When this is on, the finder reads two things from your own record each time you open it: "
    "the result of your latest PTSD screen (PC-PTSD-5 or PCL-5) and the analysis of your "
    "emotional range from your check-ins. It uses them only to propose search filters on this "
    "page, which you can remove. Nothing is stored about it and nothing is shared with anyone; "
    "providers never see it."
)


@dataclass(frozen=True, slots=True)
class Proposal:
    term: str
    """ "modality:cpt" or "prefer:prescribers": the value `DirectoryQuery.suggested` carries."""
    label: str
    """What the chip says."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing read from the record, in neutral words, and the filters it proposes."""

    key: str
    words: str
    proposes: str
    proposals: tuple[Proposal, ...]


@dataclass(frozen=True, slots=True)
class ProfileSuggestions:
    use_profile: bool
    findings: tuple[Finding, ...] = ()

    @property
    def proposals(self) -> tuple[Proposal, ...]:
        return tuple(proposal for finding in self.findings for proposal in finding.proposals)


def uses_profile(session: Session, person: User) -> bool:
    consent = ProfileConsentRepository(session, person).get()
    return consent is not None and consent.use_profile


def set_profile_consent(
    session: Session, person: User, use_profile: bool, *, now: dt.datetime
) -> None:
    ProfileConsentRepository(session, person).set(use_profile, now=now)


def profile_suggestions(session: Session, person: User, *, today: dt.date) -> ProfileSuggestions:
    """What the person's record proposes; nothing at all is read without their consent."""
    if not uses_profile(session, person):
        return ProfileSuggestions(use_profile=False)
    findings = [
        finding
        for finding in (_ptsd_screen(session, person), _blunting(session, person, today))
        if finding is not None
    ]
    return ProfileSuggestions(use_profile=True, findings=tuple(findings))


def _ptsd_screen(session: Session, person: User) -> Finding | None:
    latest = next(
        (
            response
            for response in questionnaires.recent_results(session, person)
            if response.instrument in PTSD_SCREENS
        ),
        None,
    )
    if latest is None or latest.positive is not True:
        return None
    name = SCREEN_NAMES[latest.instrument]
    day = f" on {long_day(latest.completed_on)}" if latest.completed_on else ""
    return Finding(
        key="ptsd_screen",
        words=(
            f"Your latest PTSD screen ({name}, finished{day}) was positive. A screen is not a "
            "diagnosis; it says that talking about it with a professional is worthwhile."
        ),
        proposes=(
            "Therapies designed for trauma are proposed as preferences: cognitive processing "
            "therapy, prolonged exposure, EMDR and trauma-focused CBT."
        ),
        proposals=tuple(
            Proposal(f"{MODALITY_PREFIX}{code}", MODALITIES[code])
            for code in TRAUMA_FOCUSED_MODALITIES
        ),
    )


def _blunting(session: Session, person: User, today: dt.date) -> Finding | None:
    view = emotional_range.emotional_range(session, person, today)
    finding = view.analysis.blunting
    if not view.enough or not finding.detected or finding.after_event is None:
        return None
    event = finding.after_event.event
    what = "a medication start" if event.event == "start" else "a dose change"
    since = f" around {long_day(finding.onset_date)}" if finding.onset_date else ""
    return Finding(
        key="blunting",
        words=(
            f"Your check-ins show a blunting-like change (feelings quieter and flatter than "
            f"before) that began{since}, {finding.after_event.lag_days} days after {what} in "
            "your medication timeline. That is an order in time, not a cause."
        ),
        proposes=(
            "Psychiatrists and psychiatric nurse practitioners are included, because a "
            "prescriber can review your medication with you and talk through what you have "
            "noticed."
        ),
        proposals=(
            Proposal(
                PRESCRIBERS_TERM,
                "Include psychiatrists and psychiatric nurse practitioners for a medication review",
            ),
        ),
    )
