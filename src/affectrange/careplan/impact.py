"""The monthly impact self-rating: four items written by AffectRange, not a validated scale.

PRODUCT.md section 1 names what numbness does to relationships (connecting, being misread as not
caring) and to work (motivation, satisfaction); each item asks about one of these over the past
month, answered 0 (not at all) to 4 (nearly always). The total (0..16) is charted month by month;
it has no bands and no cut-off, because nothing has been validated for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from affectrange.careplan.models import IMPACT_ITEM_MAX

UNVALIDATED_LABEL: Final = "Written by AffectRange, not a validated questionnaire."


@dataclass(frozen=True, slots=True)
class ImpactItem:
    id: str
    """The column that stores its score."""
    area: str
    text: str


IMPACT_ITEMS: Final[tuple[ImpactItem, ...]] = (
    ImpactItem(
        "connect",
        "Relationships",
        "In the past month, feeling numb made it hard to connect with people close to me.",
    ),
    ImpactItem(
        "misread",
        "Relationships",
        "In the past month, people close to me took my flat mood as not caring about them.",
    ),
    ImpactItem(
        "drive",
        "Work",
        "In the past month, feeling numb made it hard to get going on work, study or jobs at home.",
    ),
    ImpactItem(
        "satisfaction",
        "Work",
        "In the past month, feeling numb took the satisfaction out of what I got done.",
    ),
)
IMPACT_ANSWERS: Final[tuple[tuple[int, str], ...]] = (
    (0, "Not at all"),
    (1, "Rarely"),
    (2, "Sometimes"),
    (3, "Often"),
    (4, "Nearly always"),
)
MAX_TOTAL: Final = IMPACT_ITEM_MAX * len(IMPACT_ITEMS)
