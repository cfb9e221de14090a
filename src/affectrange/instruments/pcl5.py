"""PCL-5, the PTSD Checklist for DSM-5.

Sources: Weathers et al. 2013 (the scale, National Center for PTSD, a US Government work);
Blevins et al., J Trauma Stress 2015;28:489-98. Scoring as SCIENCE.md 3.1-3.2 and CamCOPS
`pcl5.py`: total 0-80; provisional PTSD at a total of 33 or more (31-33 are in use, so the cut-off
is a parameter) OR by the DSM-5 cluster rule, where an item rated 2 ("Moderately") or more counts
as a symptom endorsed and B (items 1-5) >= 1, C (6-7) >= 1, D (8-14) >= 2, E (15-20) >= 2.
There are "no empirically derived severity ranges", so there is no band.

Items 12-14 (loss of interest, feeling distant, trouble experiencing positive feelings) are the
numbing-relevant items for this project; their sum is reported as `numbing_subscore` (0-12), a
design choice, not a validated subscale (SCIENCE.md 3.2). No LOINC codes were found.
"""

from __future__ import annotations

from functools import partial
from typing import Final

from .model import Instrument, Item, Responses, Scored, Subscale
from .scales import labelled
from .scoring import at_least

_TEXTS: Final = (
    "Repeated, disturbing, and unwanted memories of the stressful experience?",
    "Repeated, disturbing dreams of the stressful experience?",
    "Suddenly feeling or acting as if the stressful experience were actually happening again "
    "(as if you were actually back there reliving it)?",
    "Feeling very upset when something reminded you of the stressful experience?",
    "Having strong physical reactions when something reminded you of the stressful experience "
    "(for example, heart pounding, trouble breathing, sweating)?",
    "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    "Avoiding external reminders of the stressful experience (for example, people, places, "
    "conversations, activities, objects, or situations)?",
    "Trouble remembering important parts of the stressful experience?",
    "Having strong negative beliefs about yourself, other people, or the world (for example, "
    "having thoughts such as: I am bad, there is something seriously wrong with me, no one can "
    "be trusted, the world is completely dangerous)?",
    "Blaming yourself or someone else for the stressful experience or what happened after it?",
    "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    "Loss of interest in activities that you used to enjoy?",
    "Feeling distant or cut off from other people?",
    "Trouble experiencing positive feelings (for example, being unable to feel happiness or have "
    "loving feelings for people close to you)?",
    "Irritable behavior, angry outbursts, or acting aggressively?",
    "Taking too many risks or doing things that could cause you harm?",
    "Being \u201csuperalert\u201d or watchful or on guard?",
    "Feeling jumpy or easily startled?",
    "Having difficulty concentrating?",
    "Trouble falling or staying asleep?",
)
_OPTIONS: Final = labelled(["Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"])

ITEM_IDS: Final = tuple(f"q{n}" for n in range(1, 21))


def _ids(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"q{n}" for n in range(first, last + 1))


# (cluster, name, items, symptoms needed). DSM-5 criteria B-E.
CLUSTERS: Final = (
    ("B", "Intrusion", _ids(1, 5), 1),
    ("C", "Avoidance", _ids(6, 7), 1),
    ("D", "Negative alterations in cognitions and mood", _ids(8, 14), 2),
    ("E", "Alterations in arousal and reactivity", _ids(15, 20), 2),
)
NUMBING_ITEMS: Final = _ids(12, 14)
SYMPTOM_AT: Final = 2  # an item rated "Moderately" or more counts as a symptom endorsed
DEFAULT_CUTOFF: Final = 33  # CamCOPS; SCIENCE.md 3.1 gives 31-33
CUTOFF_RANGE: Final = range(31, 34)


def cluster_rule(responses: Responses) -> bool | None:
    """The DSM-5 cluster rule; None unless all 20 items are answered."""
    if responses.unanswered(ITEM_IDS):
        return None
    return all(
        sum(responses.scores[item_id] >= SYMPTOM_AT for item_id in items) >= needed
        for _, _, items, needed in CLUSTERS
    )


def _score(instrument: Instrument, responses: Responses, *, cutoff: int) -> Scored:
    total = responses.sum(ITEM_IDS)
    by_cutoff = at_least(total, cutoff)
    by_clusters = cluster_rule(responses)
    positive = None if by_cutoff is None or by_clusters is None else by_cutoff or by_clusters
    details: dict[str, object] = {
        cluster: responses.sum(items) for cluster, _, items, _ in CLUSTERS
    }
    details.update(
        cutoff=cutoff,
        total_at_or_above_cutoff=by_cutoff,
        cluster_rule_met=by_clusters,
        numbing_subscore=responses.sum(NUMBING_ITEMS),
    )
    return Scored(
        total=total,
        positive=positive,
        missing=responses.unanswered(ITEM_IDS),
        details=details,
    )


def make_pcl5(cutoff: int = DEFAULT_CUTOFF) -> Instrument:
    """The PCL-5 with a provisional-PTSD cut-off of 31, 32 or 33 (default 33)."""
    if cutoff not in CUTOFF_RANGE:
        raise ValueError(f"PCL-5 cut-off must be 31, 32 or 33, not {cutoff}")
    return Instrument(
        id="pcl5",
        name="PTSD Checklist for DSM-5 (PCL-5)",
        version="1" if cutoff == DEFAULT_CUTOFF else f"1-cutoff{cutoff}",
        items=tuple(
            Item(
                id=item_id,
                text=text,
                options=_OPTIONS,
                scored=True,
            )
            for item_id, text in zip(ITEM_IDS, _TEXTS, strict=True)
        ),
        loinc_panel=None,
        loinc_total=None,
        loinc_verified=False,
        validated=True,
        licensed_text=False,
        scorer=partial(_score, cutoff=cutoff),
        stem="In the past month, how much were you bothered by:",
        subscales=(
            *(Subscale(cluster, name, items) for cluster, name, items, _ in CLUSTERS),
            Subscale(
                "numbing", "Numbing-relevant items 12-14 (not a validated subscale)", NUMBING_ITEMS
            ),
        ),
        reference="Weathers et al. 2013; Blevins et al. 2015, J Trauma Stress 28:489; "
        "SCIENCE.md 3.1-3.2",
    )


PCL5: Final = make_pcl5()
