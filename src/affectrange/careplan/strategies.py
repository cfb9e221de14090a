"""The strategies a person can pick as goals: data, written by AffectRange in plain words.

Drawn from the management facts of PRODUCT.md section 1 (a medication review by the prescriber,
therapy for the underlying condition, lifestyle and self-care, social support). Each says why it
may help in a sentence or three and gives one small first step; none promises a result. The
medication review is about preparing for the talk: the prescriber decides, and nothing here names
a change to a medicine (SCIENCE.md 6.2). Reading level is checked in tests (grade 8 or lower).
Ids are stable: goals store them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Strategy:
    id: str
    """Stable: stored with every goal made from it."""
    title: str
    why: str
    """Why it may help, in 1-3 short sentences."""
    first_step: str
    default_times_per_week: int


STRATEGIES: Final[tuple[Strategy, ...]] = (
    Strategy(
        id="medication_review",
        title="Prepare for a medication review",
        why=(
            "Feeling numb can come with some medicines, and it can also come from depression "
            "itself. Your prescriber can look at the whole picture with you. What happens next "
            "is a choice you and your prescriber make together."
        ),
        first_step=(
            "Write down when the numb feeling began, what it gets in the way of, and two "
            "questions you want to ask. Bring these notes and your report to the appointment."
        ),
        default_times_per_week=1,
    ),
    Strategy(
        id="therapy",
        title="Go to therapy, or look for a therapist",
        why=(
            "Talking therapy is chosen for what lies under the numbness, such as depression or "
            "trauma. A steady weekly session gives you a place to put feelings into words."
        ),
        first_step=(
            "Look through the therapist finder for one person who takes your plan, and save "
            "their details. If you already have a therapist, note one thing to bring up."
        ),
        default_times_per_week=1,
    ),
    Strategy(
        id="sleep",
        title="Keep a regular sleep time",
        why=(
            "Poor sleep makes feelings harder to notice and to handle. Going to bed and getting "
            "up at about the same time each day is a simple place to start."
        ),
        first_step=(
            "Pick a time to be in bed tonight, and set a reminder 30 minutes before it to put "
            "your phone away."
        ),
        default_times_per_week=5,
    ),
    Strategy(
        id="movement",
        title="Move your body",
        why=(
            "Moving raises your heart rate and can lift energy and mood for a while. It does not "
            "need to be a workout: a walk counts."
        ),
        first_step="Take a ten-minute walk today, outside if you can.",
        default_times_per_week=3,
    ),
    Strategy(
        id="time_with_people",
        title="Spend time with people",
        why=(
            "Numbness can make you pull away from others, and being alone can deepen it. Time "
            "with someone you trust keeps a link open, even when you feel flat."
        ),
        first_step="Send a message to one person you like and suggest a short coffee or a call.",
        default_times_per_week=2,
    ),
    Strategy(
        id="less_alcohol",
        title="Drink less alcohol",
        why=(
            "Alcohol slows the brain down and can dull feelings even more. Days without it make "
            "it easier to see how you really feel."
        ),
        first_step="Choose two days this week with no alcohol, and plan a drink you enjoy instead.",
        default_times_per_week=4,
    ),
    Strategy(
        id="old_interests",
        title="Do something that used to matter to you",
        why=(
            "Numbness can make old hobbies seem pointless before you start. Doing a small part "
            "of one anyway can bring back a bit of interest, or at least show you where you are."
        ),
        first_step=(
            "Write down three things you used to enjoy. Do ten minutes of one of them this week."
        ),
        default_times_per_week=2,
    ),
    Strategy(
        id="mindfulness",
        title="Practise noticing your feelings",
        why=(
            "Mindfulness means paying calm attention to what is here right now. Short, regular "
            "practice can help you notice small feelings and body signals you might miss."
        ),
        first_step=(
            "Sit for three minutes, follow your breath, and name one thing you feel in your body."
        ),
        default_times_per_week=4,
    ),
    Strategy(
        id="creative",
        title="Make something",
        why=(
            "Drawing, music, writing or cooking give feelings a way out without words. The point "
            "is doing it, not doing it well."
        ),
        first_step="Spend fifteen minutes making anything at all: a sketch, a song, a meal.",
        default_times_per_week=2,
    ),
    Strategy(
        id="social_support",
        title="Let someone know how you are",
        why=(
            "People close to you may read numbness as not caring. Telling one person what it "
            "is like can ease that strain and bring support over the long run."
        ),
        first_step=(
            "Tell one person you trust, in a sentence or two, that your feelings have been "
            "muted lately and that it is not about them."
        ),
        default_times_per_week=1,
    ),
)

STRATEGIES_BY_ID: Final[dict[str, Strategy]] = {strategy.id: strategy for strategy in STRATEGIES}


def find_strategy(strategy_id: str) -> Strategy | None:
    return STRATEGIES_BY_ID.get(strategy_id)
