"""The appointment report as plain data: what `reports.render` draws and a clinician's page reads.

Frozen dataclasses only, no ORM objects: a report is built once (`reports.service.build_report`)
from what the person shares, then rendered to HTML or PDF, with no database in reach. Each
section is one optional part; a part is None when that part of the record is not shared or when
the period has nothing for it, and the render says which in one line (or leaves the section
out) rather than drawing an empty chart. Which of the two it is, the scopes tell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from affectrange.analysis.engine import PersonAnalysis
from affectrange.emotional_range.chart import RangeChart
from affectrange.emotional_range.wording import ChangeText, ComparisonText, PatternCard
from affectrange.questionnaires.chart import TrendChart
from affectrange.sharing.scopes import Scopes


@dataclass(frozen=True, slots=True)
class AffectPart:
    """Section 2: the period's check-ins on the emotional-range chart, with the medication
    events of the period marked when the timeline is shared."""

    n_checkins: int
    """Answered days inside the period."""
    chart: RangeChart


@dataclass(frozen=True, slots=True)
class QuestionnaireTrend:
    """One instrument's totals completed in the period, against its bands."""

    instrument_id: str
    name: str
    n_responses: int
    latest_on: dt.date
    latest_total: int
    latest_band: str | None
    maximum: int
    chart: TrendChart


@dataclass(frozen=True, slots=True)
class QuestionnairesPart:
    """Section 3: the instruments with at least one response completed in the period."""

    trends: tuple[QuestionnaireTrend, ...]


@dataclass(frozen=True, slots=True)
class PatternPart:
    """Section 4: the pattern of the period's last 4 weeks and the numbers behind it."""

    analysis: PersonAnalysis
    """The engine's result, ending on the last day of the period (its baseline may lie before
    the period; it reads at most `emotional_range.service.MAX_DAYS` of check-ins)."""
    card: PatternCard
    change: ChangeText | None
    """When a blunting-like change began (and, with medications shared, what came before it)."""


@dataclass(frozen=True, slots=True)
class ComparisonsPart:
    """Section 5: check-ins before and after each medication event inside the period."""

    comparisons: tuple[ComparisonText, ...]


@dataclass(frozen=True, slots=True)
class SafetyItem:
    """A moment the crisis card was shown: the day and what triggered it, never a note's words
    and never a risk score."""

    day: dt.date
    trigger: str


@dataclass(frozen=True, slots=True)
class SafetyPart:
    """Section 6: safety events of the period, oldest first."""

    events: tuple[SafetyItem, ...]


@dataclass(frozen=True, slots=True)
class GoalKept:
    """Section 7: one care-plan goal and the days it was kept in the period."""

    title: str
    kept: str
    """ "kept on 9 days in 4 weeks (aim: 3 times a week)"."""


@dataclass(frozen=True, slots=True)
class Report:
    person_name: str
    first: dt.date
    last: dt.date
    generated_at: dt.datetime
    """When it was built (aware); shown in the person's time zone."""
    timezone: str
    """The person's time zone (IANA name): the period's days and the safety events' are theirs."""
    prepared_for: str | None
    """Who it is for (a clinician's name), or None for the person's own copy."""
    scopes: Scopes
    """What the reader may see; the parts below hold nothing outside it."""
    affect: AffectPart | None
    questionnaires: QuestionnairesPart | None
    pattern: PatternPart | None
    comparisons: ComparisonsPart | None
    safety: SafetyPart | None
    crisis_line: str
    """Where to get help now, in one line (shown with the safety section)."""
    methods: tuple[str, ...]
    """Section 8: how the numbers are made and what they cannot say, one paragraph each."""
    questions: tuple[str, ...] | None = None
    """Section 7: the person's own questions for the appointment, in their words and order
    (`preparation`); shared with a clinician only with the notes scope."""
    goals: tuple[GoalKept, ...] | None = None
    """Section 7: the care-plan goals and the days kept in the period (with the check-ins)."""

    @property
    def n_days(self) -> int:
        return (self.last - self.first).days + 1
