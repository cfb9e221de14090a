"""When each questionnaire is due: the pure rules, checked against dates worked out by hand.

The account below was opened on Monday 1 June 2026. Every expected date is written out in full
(never computed with the code's own arithmetic), so an off-by-one in the rules shows up here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import pytest

from affectrange.instruments.registry import SHIPPED
from affectrange.questionnaires.schedules import (
    DEFAULT_SCHEDULE,
    OVERDUE_AFTER_DAYS,
    REASSESSMENT_EARLY_DAYS,
    Completion,
    DueItem,
    PendingReassessment,
    ScheduleRule,
    due_items,
    effective_rules,
    frequency_text,
    next_due,
    reassessment_dates,
)

START = dt.date(2026, 6, 1)
"""The day the account was opened."""
SHIPPED_IDS = tuple(instrument.id for instrument in SHIPPED)
"""phq9, phq2, gad7, pcl5, pcptsd5, auditc, blunting_check: what a plain install can answer."""
MED_CHANGE = "2 weeks after the medication change of 15 June 2026"


def rules(choices: Mapping[str, tuple[bool, int | None]] | None = None) -> list[ScheduleRule]:
    return effective_rules(choices or {}, SHIPPED_IDS)


def due(
    today: dt.date,
    latest: Mapping[str, Completion] | None = None,
    *,
    choices: Mapping[str, tuple[bool, int | None]] | None = None,
    reassessments: Iterable[PendingReassessment] = (),
) -> list[DueItem]:
    return due_items(
        rules(choices),
        latest=latest or {},
        reassessments=reassessments,
        start=START,
        today=today,
    )


def due_on(today: dt.date, latest: Mapping[str, Completion] | None = None) -> dict[str, dt.date]:
    return {item.instrument: item.due_on for item in due(today, latest)}


def done(day: dt.date, positive: bool | None = None) -> Completion:
    return Completion(completed_on=day, positive=positive)


def rule_for(instrument: str, choices: Mapping[str, tuple[bool, int | None]]) -> ScheduleRule:
    return next(rule for rule in rules(choices) if rule.instrument == instrument)


# --- the defaults of issue 3 --------------------------------------------------------------------


def test_the_default_schedule_is_the_one_the_issue_asks_for() -> None:
    by_id = {rule.instrument: rule for rule in rules()}

    assert by_id["phq9"] == ScheduleRule("phq9", True, 14)
    assert by_id["gad7"] == ScheduleRule("gad7", True, 14)
    assert by_id["blunting_check"] == ScheduleRule("blunting_check", True, 7)
    assert by_id["pcptsd5"] == ScheduleRule("pcptsd5", True, None)
    assert by_id["pcl5"] == ScheduleRule("pcl5", True, 30, only_after_positive="pcptsd5")
    assert by_id["auditc"] == ScheduleRule("auditc", True, 30)
    # Answerable but not on the default schedule: off until the person turns it on.
    assert by_id["phq2"].enabled is False
    assert {rule.instrument for rule in DEFAULT_SCHEDULE} == set(by_id) - {"phq2"}


def test_a_licensed_questionnaire_without_its_text_is_not_scheduled() -> None:
    scheduled = {rule.instrument for rule in effective_rules({}, ["phq9", "gad7"])}

    assert scheduled == {"phq9", "gad7"}


def test_a_licensed_questionnaire_whose_text_is_loaded_starts_switched_off() -> None:
    by_id = {rule.instrument: rule for rule in effective_rules({}, [*SHIPPED_IDS, "odq"])}

    assert by_id["odq"].enabled is False
    assert due(START) == due_items(
        effective_rules({}, [*SHIPPED_IDS, "odq"]),
        latest={},
        reassessments=(),
        start=START,
        today=START,
    )


# --- never answered: due from the day the account was opened ------------------------------------


def test_a_new_account_is_asked_for_everything_but_the_gated_pcl5_on_its_first_day() -> None:
    items = due(START)

    assert [item.instrument for item in items] == [
        "auditc",
        "blunting_check",
        "gad7",
        "pcptsd5",
        "phq9",
    ]
    assert all(item.due_on == START for item in items)
    assert not any(item.overdue for item in items)
    reasons = {item.instrument: item.reasons for item in items}
    assert reasons["phq9"] == ("every 2 weeks",)
    assert reasons["blunting_check"] == ("every week",)
    assert reasons["pcptsd5"] == ("once",)
    assert reasons["auditc"] == ("every month",)


def test_nothing_is_due_before_the_account_was_opened() -> None:
    assert due(dt.date(2026, 5, 31)) == []


def test_never_answered_stays_due_from_the_start_and_turns_overdue() -> None:
    items = {item.instrument: item for item in due(dt.date(2026, 6, 20))}

    assert items["phq9"].due_on == START
    assert items["phq9"].overdue is True


# --- answered: due again one interval after the last completion ---------------------------------


def test_phq9_answered_on_1_june_is_due_again_on_15_june() -> None:
    latest = {"phq9": done(dt.date(2026, 6, 1))}

    assert "phq9" not in due_on(dt.date(2026, 6, 14), latest)
    assert due_on(dt.date(2026, 6, 15), latest)["phq9"] == dt.date(2026, 6, 15)


def test_the_weekly_blunting_check_answered_on_wednesday_is_due_the_next_wednesday() -> None:
    latest = {"blunting_check": done(dt.date(2026, 6, 3))}

    assert "blunting_check" not in due_on(dt.date(2026, 6, 9), latest)
    assert due_on(dt.date(2026, 6, 10), latest)["blunting_check"] == dt.date(2026, 6, 10)


def test_audit_c_monthly_is_thirty_days_across_a_month_end() -> None:
    latest = {"auditc": done(dt.date(2026, 1, 31))}

    assert "auditc" not in due_on(dt.date(2026, 3, 1), latest)
    assert due_on(dt.date(2026, 3, 2), latest)["auditc"] == dt.date(2026, 3, 2)


def test_gad7_answered_late_counts_from_the_late_day_not_the_old_due_date() -> None:
    # Due on 15 June, answered on 20 June: next due 4 July (20 + 14), not 29 June.
    latest = {"gad7": done(dt.date(2026, 6, 20))}

    assert "gad7" not in due_on(dt.date(2026, 7, 3), latest)
    assert due_on(dt.date(2026, 7, 4), latest)["gad7"] == dt.date(2026, 7, 4)


# --- overdue: a few days' grace -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "overdue"),
    [
        (dt.date(2026, 6, 15), False),  # the due date itself
        (dt.date(2026, 6, 17), False),  # 2 days late
        (dt.date(2026, 6, 18), False),  # exactly 3 days late: still on schedule
        (dt.date(2026, 6, 19), True),  # 4 days late: overdue
        (dt.date(2026, 7, 31), True),
    ],
)
def test_due_turns_overdue_only_after_three_full_days(today: dt.date, overdue: bool) -> None:
    latest = {"phq9": done(dt.date(2026, 6, 1))}

    item = next(item for item in due(today, latest) if item.instrument == "phq9")

    assert OVERDUE_AFTER_DAYS == 3
    assert item.due_on == dt.date(2026, 6, 15)
    assert item.overdue is overdue


def test_the_most_overdue_questionnaire_comes_first() -> None:
    latest = {
        "phq9": done(dt.date(2026, 6, 1)),  # due 15 June
        "gad7": done(dt.date(2026, 6, 5)),  # due 19 June
        "blunting_check": done(dt.date(2026, 6, 10)),  # due 17 June
        "auditc": done(dt.date(2026, 6, 1)),  # due 1 July: not yet
        "pcptsd5": done(dt.date(2026, 6, 1), positive=False),
    }

    items = due(dt.date(2026, 6, 20), latest)

    assert [(item.instrument, item.due_on, item.overdue) for item in items] == [
        ("phq9", dt.date(2026, 6, 15), True),
        ("blunting_check", dt.date(2026, 6, 17), False),
        ("gad7", dt.date(2026, 6, 19), False),
    ]


# --- once ---------------------------------------------------------------------------------------


def test_a_once_questionnaire_answered_is_never_due_again() -> None:
    latest = {"pcptsd5": done(dt.date(2026, 6, 2), positive=False)}

    assert "pcptsd5" not in due_on(dt.date(2026, 6, 2), latest)
    assert "pcptsd5" not in due_on(dt.date(2027, 6, 2), latest)
    upcoming = next_due(rule_for("pcptsd5", {}), latest=latest, start=START)
    assert upcoming.applies is True
    assert upcoming.due_on is None


def test_a_once_questionnaire_not_yet_answered_stays_due() -> None:
    assert due_on(dt.date(2026, 9, 1))["pcptsd5"] == START


# --- PCL-5 only after a positive PC-PTSD-5 ------------------------------------------------------


def test_pcl5_is_due_from_the_day_of_a_positive_screen_not_from_the_account_start() -> None:
    latest = {"pcptsd5": done(dt.date(2026, 6, 10), positive=True)}

    assert due_on(dt.date(2026, 6, 10), latest)["pcl5"] == dt.date(2026, 6, 10)
    upcoming = next_due(rule_for("pcl5", {}), latest=latest, start=START)
    assert upcoming.applies is True
    assert upcoming.due_on == dt.date(2026, 6, 10)


def test_pcl5_after_a_positive_screen_is_monthly() -> None:
    latest = {
        "pcptsd5": done(dt.date(2026, 6, 10), positive=True),
        "pcl5": done(dt.date(2026, 6, 12)),
    }

    assert "pcl5" not in due_on(dt.date(2026, 7, 11), latest)
    assert due_on(dt.date(2026, 7, 12), latest)["pcl5"] == dt.date(2026, 7, 12)


def test_pcl5_is_never_asked_after_a_negative_screen() -> None:
    latest = {"pcptsd5": done(dt.date(2026, 6, 10), positive=False)}

    assert "pcl5" not in due_on(dt.date(2026, 6, 10), latest)
    assert "pcl5" not in due_on(dt.date(2027, 6, 10), latest)
    upcoming = next_due(rule_for("pcl5", {}), latest=latest, start=START)
    assert upcoming.applies is False
    assert upcoming.due_on is None


def test_pcl5_is_not_asked_before_any_screen() -> None:
    assert "pcl5" not in due_on(dt.date(2027, 1, 1))
    assert next_due(rule_for("pcl5", {}), latest={}, start=START).applies is False


def test_pcl5_stops_when_the_latest_screen_is_negative() -> None:
    # An earlier PCL-5 (after an earlier positive screen) does not keep it going: only the
    # latest screen counts.
    latest = {
        "pcptsd5": done(dt.date(2026, 8, 1), positive=False),
        "pcl5": done(dt.date(2026, 6, 12)),
    }

    assert "pcl5" not in due_on(dt.date(2026, 9, 1), latest)


def test_pcl5_reopened_by_a_new_positive_screen_is_due_from_that_screen() -> None:
    # The person made the PC-PTSD-5 recurring. Positive in January (PCL-5 answered 2 January),
    # negative in February (PCL-5 stops), positive again on 1 June: PCL-5 is due from 1 June.
    # It did not apply between February and June, so it is not "overdue since 1 February".
    latest = {
        "pcptsd5": done(dt.date(2026, 6, 1), positive=True),
        "pcl5": done(dt.date(2026, 1, 2)),
    }

    items = due_items(
        rules({"pcptsd5": (True, 30)}),
        latest=latest,
        reassessments=(),
        start=dt.date(2025, 12, 1),
        today=dt.date(2026, 6, 1),
    )

    pcl5 = next(item for item in items if item.instrument == "pcl5")
    assert pcl5.due_on == dt.date(2026, 6, 1)
    assert pcl5.overdue is False


def test_a_screen_answered_no_to_the_trauma_question_does_not_open_pcl5() -> None:
    # PC-PTSD-5 with trauma = No is complete with a total of 0, not positive.
    latest = {"pcptsd5": done(dt.date(2026, 6, 10), positive=False)}

    assert all(item.instrument != "pcl5" for item in due(dt.date(2026, 12, 1), latest))


# --- a person's changes -------------------------------------------------------------------------


def test_switching_a_questionnaire_off_means_it_is_never_due() -> None:
    items = due(dt.date(2026, 6, 20), choices={"phq9": (False, 14)})

    assert "phq9" not in {item.instrument for item in items}
    assert "gad7" in {item.instrument for item in items}


def test_a_changed_interval_replaces_the_default() -> None:
    latest = {"gad7": done(dt.date(2026, 6, 1))}
    choices = {"gad7": (True, 28)}

    assert "gad7" not in {
        item.instrument for item in due(dt.date(2026, 6, 15), latest, choices=choices)
    }
    assert "gad7" not in {
        item.instrument for item in due(dt.date(2026, 6, 28), latest, choices=choices)
    }
    items = {item.instrument: item for item in due(dt.date(2026, 6, 29), latest, choices=choices)}
    assert items["gad7"].due_on == dt.date(2026, 6, 29)
    assert items["gad7"].reasons == ("every 4 weeks",)


def test_a_person_can_turn_on_a_questionnaire_that_is_off_by_default() -> None:
    items = {item.instrument: item for item in due(START, choices={"phq2": (True, 7)})}

    assert items["phq2"].due_on == START
    assert items["phq2"].reasons == ("every week",)


def test_changing_pcl5_interval_keeps_its_positive_screen_gate() -> None:
    choices = {"pcl5": (True, 90)}
    negative = {"pcptsd5": done(dt.date(2026, 6, 10), positive=False)}
    positive = {
        "pcptsd5": done(dt.date(2026, 6, 10), positive=True),
        "pcl5": done(dt.date(2026, 6, 10)),
    }

    assert rule_for("pcl5", choices).only_after_positive == "pcptsd5"
    assert "pcl5" not in {item.instrument for item in due(START, negative, choices=choices)}
    # 10 June + 90 days = 8 September (20 left in June, 31 July, 31 August, 8 September).
    assert "pcl5" not in {
        item.instrument for item in due(dt.date(2026, 9, 7), positive, choices=choices)
    }
    assert "pcl5" in {
        item.instrument for item in due(dt.date(2026, 9, 8), positive, choices=choices)
    }


def test_a_weekly_questionnaire_set_to_once_is_done_after_one_answer() -> None:
    latest = {"blunting_check": done(dt.date(2026, 6, 1))}

    items = due(dt.date(2026, 12, 1), latest, choices={"blunting_check": (True, None)})

    assert "blunting_check" not in {item.instrument for item in items}


# --- re-assessments after a medication event ----------------------------------------------------


def reassessment(
    due_day: dt.date,
    instrument: str = "phq9",
    *,
    satisfied: bool = False,
    reason: str = MED_CHANGE,
) -> PendingReassessment:
    return PendingReassessment(
        id=1, instrument=instrument, due_on=due_day, reason=reason, satisfied=satisfied
    )


def test_a_reassessment_is_due_on_its_date_with_its_reason() -> None:
    pending = [reassessment(dt.date(2026, 6, 29))]
    off = {"phq9": (False, 14)}

    before = due(dt.date(2026, 6, 28), choices=off, reassessments=pending)
    on_the_day = due(dt.date(2026, 6, 29), choices=off, reassessments=pending)

    assert "phq9" not in {item.instrument for item in before}
    phq9 = next(item for item in on_the_day if item.instrument == "phq9")
    assert phq9 == DueItem("phq9", dt.date(2026, 6, 29), False, (MED_CHANGE,))


def test_a_reassessment_turns_overdue_like_any_other() -> None:
    pending = [reassessment(dt.date(2026, 6, 29))]

    items = due(dt.date(2026, 7, 3), choices={"phq9": (False, 14)}, reassessments=pending)

    assert next(item for item in items if item.instrument == "phq9").overdue is True


def test_a_satisfied_reassessment_is_not_asked() -> None:
    pending = [reassessment(dt.date(2026, 6, 29), satisfied=True)]

    items = due(dt.date(2026, 7, 10), choices={"phq9": (False, 14)}, reassessments=pending)

    assert "phq9" not in {item.instrument for item in items}
    # A completion from 3 days before the date counts (the service decides `satisfied` with it).
    assert REASSESSMENT_EARLY_DAYS == 3


def test_a_reassessment_is_asked_even_when_the_questionnaire_is_switched_off() -> None:
    pending = [reassessment(dt.date(2026, 6, 29), "blunting_check")]

    items = due(dt.date(2026, 6, 29), choices={"blunting_check": (False, 7)}, reassessments=pending)

    assert [item.reasons for item in items if item.instrument == "blunting_check"] == [
        (MED_CHANGE,)
    ]


def test_a_reassessment_and_the_recurring_schedule_give_one_entry_with_both_reasons() -> None:
    # PHQ-9 last answered 1 June: the fortnightly one is due 15 June. The re-assessment is due
    # 12 June. On 20 June there is one PHQ-9 to answer, due since the earlier date.
    latest = {"phq9": done(dt.date(2026, 6, 1))}
    pending = [reassessment(dt.date(2026, 6, 12))]

    items = due(dt.date(2026, 6, 20), latest, reassessments=pending)

    phq9 = [item for item in items if item.instrument == "phq9"]
    assert phq9 == [
        DueItem("phq9", dt.date(2026, 6, 12), True, ("every 2 weeks", MED_CHANGE)),
    ]


def test_a_recurring_due_date_earlier_than_the_reassessment_wins() -> None:
    latest = {"phq9": done(dt.date(2026, 6, 1))}  # due 15 June
    pending = [reassessment(dt.date(2026, 6, 17))]

    items = due(dt.date(2026, 6, 17), latest, reassessments=pending)

    phq9 = next(item for item in items if item.instrument == "phq9")
    assert phq9.due_on == dt.date(2026, 6, 15)
    assert phq9.reasons == ("every 2 weeks", MED_CHANGE)
    assert phq9.overdue is False  # 2 days after 15 June


def test_two_reassessments_of_the_same_questionnaire_are_one_entry() -> None:
    pending = [
        reassessment(dt.date(2026, 6, 29)),
        reassessment(
            dt.date(2026, 7, 1), reason="2 weeks after the medication change of 17 June 2026"
        ),
    ]

    items = due(dt.date(2026, 7, 1), choices={"phq9": (False, 14)}, reassessments=pending)

    phq9 = [item for item in items if item.instrument == "phq9"]
    assert len(phq9) == 1
    assert phq9[0].due_on == dt.date(2026, 6, 29)
    assert phq9[0].reasons == (MED_CHANGE, "2 weeks after the medication change of 17 June 2026")


def test_a_reassessment_in_the_future_is_not_due_yet() -> None:
    pending = [reassessment(dt.date(2026, 8, 10))]

    items = due(dt.date(2026, 8, 9), choices={"phq9": (False, 14)}, reassessments=pending)

    assert "phq9" not in {item.instrument for item in items}


# --- words and dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("every_days", "words"),
    [
        (None, "once"),
        (1, "every day"),
        (7, "every week"),
        (14, "every 2 weeks"),
        (28, "every 4 weeks"),
        (30, "every month"),
        (90, "every 90 days"),
        (10, "every 10 days"),
    ],
)
def test_frequency_text(every_days: int | None, words: str) -> None:
    assert frequency_text(every_days) == words


def test_reassessment_dates_are_two_four_and_eight_weeks_after_the_event() -> None:
    assert reassessment_dates(dt.date(2026, 6, 15)) == (
        (2, dt.date(2026, 6, 29)),
        (4, dt.date(2026, 7, 13)),
        (8, dt.date(2026, 8, 10)),
    )


def test_reassessment_dates_cross_the_year_end() -> None:
    assert reassessment_dates(dt.date(2026, 12, 20)) == (
        (2, dt.date(2027, 1, 3)),
        (4, dt.date(2027, 1, 17)),
        (8, dt.date(2027, 2, 14)),
    )
