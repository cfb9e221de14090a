"""A person's record of every kind, recorded through the features' own services, and the
hand-worked numbers the export must show for it.

NOW is 16:00 UTC on Monday 15 June 2026, noon in New York, where alice lives. The record:

- Four check-ins, 12 to 15 June. The 12th was entered on the 13th (back-filled). The 13th carries
  every context field and a note with accents, an emoji and blank lines; its three daily means
  are worked out by hand below. The 15th's note holds crisis language (a safety event).
- A PHQ-9 completed on 14 June with item 9 answered 1 (a safety event), a GAD-7 left half done,
  a PCL-5 completed on 10 June.
- Sertraline (RxNorm 36437) started at 50 mg, raised to 100 mg, then stopped; an uncatalogued
  herbal blend (no RxNorm code) started at 300 mg. Each with a note.
- Two care-plan goals from 1 June: "movement" still active, "sleep" paused on 13 June, both
  ticked on the days they were kept.
- Impact ratings for May and June; two questions for an appointment, one with crisis language
  (a safety event); one message to Ben Okafor, a listed psychiatrist without an e-mail address.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.careplan import service as careplan
from affectrange.careplan.models import CareGoal, CareGoalTick, ImpactRating
from affectrange.careplan.schemas import GoalIn, ImpactIn
from affectrange.checkins.models import Checkin
from affectrange.checkins.schemas import CheckinIn
from affectrange.directory.contact import ContactRequestIn, send_contact_request
from affectrange.directory.models import ContactRequest
from affectrange.instruments import get_instrument
from affectrange.mail import OutboxMailer
from affectrange.medications import service as medications
from affectrange.medications.models import MedicationEvent
from affectrange.medications.schemas import MedicationEventIn
from affectrange.portability import service
from affectrange.portability.schemas import PersonalData
from affectrange.preparation import service as preparation
from affectrange.preparation.models import AppointmentQuestion
from affectrange.preparation.schemas import QuestionIn
from affectrange.questionnaires import service as questionnaires
from affectrange.questionnaires.models import QuestionnaireResponse
from affectrange.safety_events.models import SafetyEvent
from tests.conftest import NOW, TODAY
from tests.directory.test_routes import BEN, load_providers

NEW_YORK: Final = ZoneInfo("America/New_York")

CHOSEN_DAY: Final = dt.date(2026, 6, 13)
CHOSEN_ITEMS: Final = {
    "joyful": 4,
    "calm": 3,
    "interested": 5,
    "close": 2,
    "proud": 1,
    "amused": 5,
    "hopeful": 0,
    "sad": 1,
    "anxious": 4,
    "irritable": 0,
    "guilty": 2,
    "stressed": 5,
    "lonely": 3,
    "numb": 5,
    "indifferent": 3,
    "detached": 3,
}
# The 13th's daily means, by hand, written to 4 decimals:
# positive affect (joyful..hopeful): (4 + 3 + 5 + 2 + 1 + 5 + 0) / 7 = 20 / 7 = 2.857... -> 2.8571
# negative affect (sad..lonely):     (1 + 4 + 0 + 2 + 5 + 3) / 6     = 15 / 6 = 2.5
# numbness (numb, indifferent, detached):   (5 + 3 + 3) / 3          = 11 / 3 = 3.666... -> 3.6667
CHOSEN_MEANS: Final = {
    "positive-affect": Decimal("2.8571"),
    "negative-affect": Decimal("2.5"),
    "numbness": Decimal("3.6667"),
}
NOTE: Final = "Café with Zoë ☕ and a long walk.\nFelt far away from it all.\n\n“Quiet” — not sad."
CRISIS_NOTE: Final = "Flat again. Some nights I think everyone is better off without me."
CRISIS_QUESTION: Final = "I have had thoughts of suicide at night. Who can I call then?"
PLAIN_QUESTION: Final = "Could the numbness be a side effect?"
CONTACT_MESSAGE: Final = "Hello Dr Okafor,\nare you taking new patients for medication reviews?"
UNCATALOGUED: Final = "Hypericum blend (health shop)"

PHQ9_ANSWERS: Final[dict[str, int]] = {
    "q1": 2, "q2": 1, "q3": 3, "q4": 0, "q5": 1, "q6": 2, "q7": 1, "q8": 0, "q9": 1, "q10": 1,
}  # fmt: skip
PHQ9_TOTAL: Final = 2 + 1 + 3 + 0 + 1 + 2 + 1 + 0 + 1  # = 11 (q10 is not scored): "moderate"
PCL5_ANSWERS: Final[dict[str, int]] = {f"q{n}": n % 5 for n in range(1, 21)}
PCL5_TOTAL: Final = 4 * (0 + 1 + 2 + 3 + 4)  # n % 5 over 1..20 runs 1,2,3,4,0 four times = 40
GAD7_PARTIAL: Final[dict[str, int | None]] = {"q1": 2, "q2": 1}


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A wall-clock time in New York, as an aware UTC datetime."""
    return dt.datetime.combine(day, dt.time(hour, minute), NEW_YORK).astimezone(dt.UTC)


def _checkin(
    session: Session,
    person: User,
    day: dt.date,
    items: dict[str, int],
    *,
    entered: dt.datetime,
    goals: list[int],
    **fields: Any,
) -> None:
    careplan.record_checkin_with_goals(
        session,
        person,
        CheckinIn(date=day, **items, **fields),
        goals_kept=goals,
        today=entered.astimezone(NEW_YORK).date(),
        now=entered,
    )


def load_everything(session: Session, person: User, outbox: Path) -> None:
    """The record of the module docstring, committed (the per-test rollback still undoes it)."""
    load_providers(session)
    june_1 = dt.date(2026, 6, 1)
    movement = careplan.add_goal(
        session,
        person,
        GoalIn(strategy_id="movement", times_per_week=3, title="Walk to the harbour — 20 min"),
        today=june_1,
        now=local(june_1, 9),
    )
    sleep = careplan.add_goal(
        session,
        person,
        GoalIn(strategy_id="sleep", times_per_week=5),
        today=june_1,
        now=local(june_1, 9, 5),
    )
    flat = dict.fromkeys(CHOSEN_ITEMS, 2)
    _checkin(
        session,
        person,
        dt.date(2026, 6, 12),
        flat,
        entered=local(dt.date(2026, 6, 13), 8),  # the next morning: back-filled
        goals=[movement.id, sleep.id],
        note="Forgot yesterday.",
    )
    _checkin(
        session,
        person,
        CHOSEN_DAY,
        CHOSEN_ITEMS,
        entered=local(CHOSEN_DAY, 21, 30),
        goals=[sleep.id],
        event_pleasantness=-2,
        sleep_hours=7.5,
        exercise_minutes=35,
        social_minutes=90,
        alcohol_drinks=2,
        other_substances="cannabis (one joint)",
        note=NOTE,
    )
    careplan.pause_goal(session, person, sleep.id, today=CHOSEN_DAY, now=local(CHOSEN_DAY, 22))
    _checkin(
        session,
        person,
        dt.date(2026, 6, 14),
        dict.fromkeys(CHOSEN_ITEMS, 1),
        entered=local(dt.date(2026, 6, 14), 20),
        goals=[movement.id],
        sleep_hours=6.25,
    )
    _checkin(
        session,
        person,
        TODAY,
        dict.fromkeys(CHOSEN_ITEMS, 0),
        entered=NOW,
        goals=[movement.id],
        note=CRISIS_NOTE,
    )

    questionnaires.save_answers(
        session,
        person,
        get_instrument("pcl5"),
        PCL5_ANSWERS,
        finish=True,
        now=local(dt.date(2026, 6, 10), 19),
        today=dt.date(2026, 6, 10),
    )
    questionnaires.save_answers(
        session,
        person,
        get_instrument("phq9"),
        PHQ9_ANSWERS,
        finish=True,
        now=local(dt.date(2026, 6, 14), 19, 45),
        today=dt.date(2026, 6, 14),
    )
    questionnaires.save_answers(
        session,
        person,
        get_instrument("gad7"),
        GAD7_PARTIAL,
        finish=False,
        now=local(TODAY, 11),
        today=TODAY,
    )

    for name, kind, day, dose, note in (
        ("sertraline", "start", dt.date(2026, 4, 1), 50.0, "Dr Ng: start low, review in 4 weeks"),
        ("Sertraline", "dose_change", dt.date(2026, 4, 29), 100.0, None),
        ("sertraline", "stop", dt.date(2026, 6, 5), None, "Stopped with Dr Ng's plan."),
        (UNCATALOGUED, "start", dt.date(2026, 5, 20), 300.0, "Bought it myself; 1 tablet a day"),
    ):
        medications.record_medication_event(
            session,
            person,
            MedicationEventIn(medication=name, event=kind, date=day, dose_mg=dose, note=note),
            now=local(day, 18),
        )

    careplan.save_impact(
        session,
        person,
        ImpactIn(connect=1, misread=2, drive=3, satisfaction=0),
        today=dt.date(2026, 5, 31),
        now=local(dt.date(2026, 5, 31), 20),
    )
    careplan.save_impact(
        session,
        person,
        ImpactIn(connect=2, misread=1, drive=0, satisfaction=4),
        today=TODAY,
        now=NOW,
    )

    preparation.add_question(session, person, QuestionIn(text=PLAIN_QUESTION), now=local(TODAY, 9))
    preparation.add_question(
        session, person, QuestionIn(text=CRISIS_QUESTION), now=local(TODAY, 9, 10)
    )

    send_contact_request(
        session,
        person,
        BEN,
        ContactRequestIn(message=CONTACT_MESSAGE, sign_as="Alice"),
        mailer=OutboxMailer(folder=outbox, sender="AffectRange <test@affectrange.example>"),
        now=local(TODAY, 10),
    )
    session.commit()


PERSONAL_MODELS: Final[tuple[type[Any], ...]] = (
    Checkin,
    QuestionnaireResponse,
    MedicationEvent,
    CareGoal,
    CareGoalTick,
    ImpactRating,
    AppointmentQuestion,
    SafetyEvent,
    ContactRequest,
)


def row_counts(session: Session) -> dict[str, int]:
    """Rows per personal table, everyone's: an import that was refused leaves every one alone."""
    counts = {
        model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for model in PERSONAL_MODELS
    }
    session.commit()
    return counts


def record_in(content: bytes) -> PersonalData:
    """The whole record a file holds, read as an import reads it (fully checked)."""
    parsed = service.parse_import(content, source="the file")
    assert isinstance(parsed, PersonalData), parsed
    return parsed
