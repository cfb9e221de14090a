"""When each questionnaire is due: the default schedule, a person's changes, and re-assessments.

Plain data in, plain data out (no database), so the rules are tested by hand-worked dates.

- A recurring questionnaire is due `every_days` after it was last completed, and due from the day
  the account was opened when it never was. "Once" means due until completed the first time.
- PCL-5 applies only while the latest PC-PTSD-5 screen is positive (the trauma gate of issue 3).
- A re-assessment (set by a medication event: +2, +4 and +8 weeks) is due on its date and counts
  as done by any completion from `REASSESSMENT_EARLY_DAYS` before it.
- Due turns overdue `OVERDUE_AFTER_DAYS` after the due date: a nudge, never a penalty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Final

OVERDUE_AFTER_DAYS: Final = 3
"""A few days' grace: a questionnaire answered a little late is still on schedule."""
REASSESSMENT_EARLY_DAYS: Final = 3
"""A completion this many days before a re-assessment date counts for it (no answering twice)."""
REASSESSMENT_WEEKS: Final = (2, 4, 8)
"""After a medication start, dose change or stop: re-assess at +2, +4 and +8 weeks."""
REASSESSMENT_INSTRUMENTS: Final = ("phq9", "blunting_check", "odq")
"""What a medication event re-assesses: mood (PHQ-9) and blunting (our check; the ODQ where the
host is licensed to show it). Instruments that cannot be answered here are skipped."""

FREQUENCY_CHOICES: Final = (7, 14, 28, 30, 90)
"""The intervals a person can pick on the schedule page (plus "once")."""


@dataclass(frozen=True, slots=True)
class ScheduleRule:
    instrument: str
    enabled: bool
    every_days: int | None
    """Days between fillings-in; None means once."""
    only_after_positive: str | None = None
    """Applies only while the latest response of this instrument was a positive screen."""


DEFAULT_SCHEDULE: Final = (
    ScheduleRule("phq9", True, 14),
    ScheduleRule("gad7", True, 14),
    ScheduleRule("blunting_check", True, 7),
    ScheduleRule("pcptsd5", True, None),
    ScheduleRule("pcl5", True, 30, only_after_positive="pcptsd5"),
    ScheduleRule("auditc", True, 30),
)
"""Issue 3's defaults; "monthly" is every 30 days."""


@dataclass(frozen=True, slots=True)
class Completion:
    """What the schedule needs to know of a person's latest response to an instrument."""

    completed_on: dt.date
    positive: bool | None


@dataclass(frozen=True, slots=True)
class PendingReassessment:
    id: int
    instrument: str
    due_on: dt.date
    reason: str
    satisfied: bool
    """A completion on or after `due_on - REASSESSMENT_EARLY_DAYS` exists."""


@dataclass(frozen=True, slots=True)
class DueItem:
    instrument: str
    due_on: dt.date
    overdue: bool
    reasons: tuple[str, ...]
    """Why it is due: "every 14 days", "2 weeks after the medication change of 3 May 2026"."""


@dataclass(frozen=True, slots=True)
class NextDue:
    instrument: str
    rule: ScheduleRule
    applies: bool
    """False when switched off, or waiting for a positive screen (PCL-5)."""
    due_on: dt.date | None
    """None when nothing more is scheduled (a "once" questionnaire already answered)."""


def effective_rules(
    choices: Mapping[str, tuple[bool, int | None]],
    answerable: Iterable[str],
) -> list[ScheduleRule]:
    """The default schedule with the person's changes over it, for instruments they can answer.

    `choices` maps an instrument to (enabled, every_days). An instrument without a default (a
    licensed plug-in whose text the host loaded) is off until the person turns it on.
    """
    can_answer = set(answerable)
    rules = {rule.instrument: rule for rule in DEFAULT_SCHEDULE}
    for instrument in sorted(can_answer - set(rules)):
        rules[instrument] = ScheduleRule(instrument, False, 30)
    result = []
    for instrument, default in rules.items():
        if instrument not in can_answer:
            continue
        if instrument in choices:
            enabled, every_days = choices[instrument]
            result.append(replace(default, enabled=enabled, every_days=every_days))
        else:
            result.append(default)
    return result


def frequency_text(every_days: int | None) -> str:
    if every_days is None:
        return "once"
    if every_days == 7:
        return "every week"
    if every_days % 7 == 0:
        return f"every {every_days // 7} weeks"
    if every_days == 30:
        return "every month"
    return "every day" if every_days == 1 else f"every {every_days} days"


def next_due(
    rule: ScheduleRule,
    *,
    latest: Mapping[str, Completion],
    start: dt.date,
) -> NextDue:
    """When the rule next wants the questionnaire, from the latest completions by instrument."""
    applies = rule.enabled
    if applies and rule.only_after_positive is not None:
        gate = latest.get(rule.only_after_positive)
        applies = gate is not None and gate.positive is True
    last = latest.get(rule.instrument)
    if not applies:
        return NextDue(rule.instrument, rule, False, None)
    if last is None:
        # Gated rules start when the gate turned positive, not when the account was opened.
        gate = latest.get(rule.only_after_positive) if rule.only_after_positive else None
        return NextDue(rule.instrument, rule, True, gate.completed_on if gate else start)
    if rule.every_days is None:
        return NextDue(rule.instrument, rule, True, None)
    due_on = last.completed_on + dt.timedelta(days=rule.every_days)
    gate = latest.get(rule.only_after_positive) if rule.only_after_positive else None
    if gate is not None and gate.completed_on > last.completed_on:
        # Re-opened by a newer positive screen: due from that screen, not overdue for the
        # weeks the rule did not apply.
        due_on = max(due_on, gate.completed_on)
    return NextDue(rule.instrument, rule, True, due_on)


def due_items(
    rules: Iterable[ScheduleRule],
    *,
    latest: Mapping[str, Completion],
    reassessments: Iterable[PendingReassessment],
    start: dt.date,
    today: dt.date,
) -> list[DueItem]:
    """Everything due today or earlier, one entry per instrument, most overdue first."""
    found: dict[str, tuple[dt.date, list[str]]] = {}

    def add(instrument: str, due_on: dt.date, reason: str) -> None:
        earliest, reasons = found.get(instrument, (due_on, []))
        found[instrument] = (min(earliest, due_on), [*reasons, reason])

    for rule in rules:
        upcoming = next_due(rule, latest=latest, start=start)
        if upcoming.due_on is not None and upcoming.due_on <= today:
            add(rule.instrument, upcoming.due_on, frequency_text(rule.every_days))
    for reassessment in reassessments:
        if not reassessment.satisfied and reassessment.due_on <= today:
            add(reassessment.instrument, reassessment.due_on, reassessment.reason)
    items = [
        DueItem(
            instrument=instrument,
            due_on=due_on,
            overdue=(today - due_on).days > OVERDUE_AFTER_DAYS,
            reasons=tuple(reasons),
        )
        for instrument, (due_on, reasons) in found.items()
    ]
    return sorted(items, key=lambda item: (item.due_on, item.instrument))


def reassessment_dates(event_date: dt.date) -> tuple[tuple[int, dt.date], ...]:
    """(weeks, date) for each re-assessment after an event on `event_date`."""
    return tuple((weeks, event_date + dt.timedelta(weeks=weeks)) for weeks in REASSESSMENT_WEEKS)
