"""The daily check-in items, exactly as CONTRACTS.md section 3 fixes them.

This module is the one source of the item set: the check-in form, the API schema, the database
columns, the simulator and the analysis all read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Valence(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    BLUNTING = "blunting"


@dataclass(frozen=True, slots=True)
class AffectItem:
    """One emotion rated 0..6 (0 = not at all, 6 = extremely)."""

    id: str
    valence: Valence
    label: str
    """The words a person sees; our own wording of an ordinary emotion word."""


ITEM_MIN: Final = 0
ITEM_MAX: Final = 6
EVENT_MIN: Final = -3
EVENT_MAX: Final = 3
EVENT_ITEM: Final = "event_pleasantness"

AFFECT_ITEMS: Final[tuple[AffectItem, ...]] = (
    AffectItem("joyful", Valence.POSITIVE, "Joyful, happy"),
    AffectItem("calm", Valence.POSITIVE, "Calm, content"),
    AffectItem("interested", Valence.POSITIVE, "Interested"),
    AffectItem("close", Valence.POSITIVE, "Close to someone, loving"),
    AffectItem("proud", Valence.POSITIVE, "Proud"),
    AffectItem("amused", Valence.POSITIVE, "Amused"),
    AffectItem("hopeful", Valence.POSITIVE, "Hopeful"),
    AffectItem("sad", Valence.NEGATIVE, "Sad"),
    AffectItem("anxious", Valence.NEGATIVE, "Anxious, nervous"),
    AffectItem("irritable", Valence.NEGATIVE, "Irritable, angry"),
    AffectItem("guilty", Valence.NEGATIVE, "Guilty, ashamed"),
    AffectItem("stressed", Valence.NEGATIVE, "Stressed"),
    AffectItem("lonely", Valence.NEGATIVE, "Lonely"),
    AffectItem("numb", Valence.BLUNTING, "Emotionally numb or flat"),
    AffectItem("indifferent", Valence.BLUNTING, "Indifferent, not caring"),
    AffectItem("detached", Valence.BLUNTING, "Detached from people"),
)

ITEM_IDS: Final[tuple[str, ...]] = tuple(item.id for item in AFFECT_ITEMS)
POSITIVE_ITEMS: Final[tuple[str, ...]] = tuple(
    item.id for item in AFFECT_ITEMS if item.valence is Valence.POSITIVE
)
NEGATIVE_ITEMS: Final[tuple[str, ...]] = tuple(
    item.id for item in AFFECT_ITEMS if item.valence is Valence.NEGATIVE
)
BLUNTING_ITEMS: Final[tuple[str, ...]] = tuple(
    item.id for item in AFFECT_ITEMS if item.valence is Valence.BLUNTING
)
ITEMS_BY_ID: Final[dict[str, AffectItem]] = {item.id: item for item in AFFECT_ITEMS}

SCALE_ANCHORS: Final[dict[int, str]] = {0: "not at all", 3: "moderately", 6: "extremely"}
EVENT_ANCHORS: Final[dict[int, str]] = {-3: "very unpleasant", 0: "neutral", 3: "very pleasant"}
