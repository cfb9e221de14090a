"""The care plan's numbers in plain words, as the progress view shows them (pure functions).

An association is a description of the person's own days, never a cause and never advice; the
page puts "association, not proof" beside every goal's comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from affectrange.analysis.goal_associations import (
    MIN_DAYS_PER_GROUP,
    MIN_PAIRED_DAYS,
    GoalAssociation,
)

OUTCOME_WORDS: Final = {
    "pa": "positive feelings",
    "na": "negative feelings",
    "numb": "numbness ratings",
}
LAG_WORDS: Final = {"same_day": "the same day", "next_day": "the next day"}
NOT_PROOF: Final = (
    "Association, not proof: a good day can bring both the kept goal and the better mood, so a "
    "difference here does not show what causes what."
)
MINIMUM_RULE: Final = (
    f"Each comparison needs at least {MIN_PAIRED_DAYS} days with a check-in, with at least "
    f"{MIN_DAYS_PER_GROUP} days you kept the goal and {MIN_DAYS_PER_GROUP} days you did not."
)
SAME: Final = 0.005
"""Below this a difference prints as 0.00: "about the same"."""


@dataclass(frozen=True, slots=True)
class AssociationRow:
    outcome: str
    lag: str
    enough: bool
    clear: bool
    difference: str
    interval: str
    n_kept: int
    n_not_kept: int
    words: str


def _days(count: int, what: str) -> str:
    return f"{count} more day{'s' if count != 1 else ''} {what}"


def not_enough_words(association: GoalAssociation) -> str:
    """ "Not enough days yet: 6 more check-ins needed, including 2 more days you keep it." """
    more = association.more_days_needed
    parts = []
    if association.more_kept_needed:
        parts.append(_days(association.more_kept_needed, "you keep it"))
    if association.more_not_kept_needed:
        parts.append(_days(association.more_not_kept_needed, "you do not"))
    including = f", including {' and '.join(parts)}" if parts else ""
    noun = "check-in" if more == 1 else "check-ins"
    return f"Not enough days yet: {more} more {noun} needed{including}."


def association_row(association: GoalAssociation) -> AssociationRow:
    outcome = OUTCOME_WORDS[association.outcome]
    lag = LAG_WORDS[association.lag]
    if association.difference is None:
        return AssociationRow(
            outcome,
            lag,
            enough=False,
            clear=False,
            difference="",
            interval="",
            n_kept=association.n_kept,
            n_not_kept=association.n_not_kept,
            words=not_enough_words(association),
        )
    difference = association.difference
    if abs(difference) < SAME:
        size = "about the same as"
    else:
        size = f"{abs(difference):.2f} points {'higher' if difference > 0 else 'lower'} than"
    interval = ""
    if association.ci_low is not None and association.ci_high is not None:
        interval = f"{association.ci_low:+.2f} to {association.ci_high:+.2f}"
    clear = association.clear
    verdict = "a clear difference" if clear else "no clear difference (the interval includes 0)"
    days = f"{association.n_kept} days kept, {association.n_not_kept} not"
    detail = f"95% interval {interval}, " if interval else ""
    words = (
        f"On days you kept it, {outcome} {lag} were {size} on other days "
        f"({detail}{days}): {verdict}."
    )
    return AssociationRow(
        outcome,
        lag,
        enough=True,
        clear=clear,
        difference=f"{difference:+.2f}",
        interval=interval,
        n_kept=association.n_kept,
        n_not_kept=association.n_not_kept,
        words=words,
    )
