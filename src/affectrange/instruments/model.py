"""The shapes every questionnaire shares: items, response options, instruments and results.

An instrument is data (its items, their options and the score of each option) plus one small
scoring function. `Instrument.score` checks every answer against the item's options first, so the
scoring functions only ever see valid answers, and it computes the safety flag itself, in one
place, from whatever was answered (SCIENCE.md section 6.1: PHQ-9 item 9 is never imputed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeAlias

Value: TypeAlias = int | str
"""A stored answer: a whole number, or a code such as AUDIT-C's "F"/"M"."""

Answers: TypeAlias = Mapping[str, int | str | None]
"""Answers keyed by item id; None (or a missing key) means not answered."""


class InvalidAnswer(ValueError):
    """An answer that is not one of the item's options, or an item the instrument lacks."""

    def __init__(self, item_id: str, message: str) -> None:
        super().__init__(message)
        self.item_id = item_id


@dataclass(frozen=True, slots=True)
class ResponseOption:
    """One answer a person can give, with the points it scores."""

    value: Value
    score: int
    label: str | None
    """The published words; None for a licensed plug-in until its text file is loaded."""
    loinc: str | None = None
    """The LOINC answer code (LA...), where one is known: how other systems code the answer."""


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    text: str | None
    """The published item text; None where it is licensed or not yet verified word for word."""
    options: tuple[ResponseOption, ...]
    scored: bool
    """True when the item's score enters the total (PHQ-9 q10 and routing questions do not)."""
    loinc: str | None = None
    loinc_verified: bool = False
    critical: bool = False
    """Endorsing it (a score of 1 or more) raises the safety flag, whatever the total."""
    preamble: str | None = None
    """Published text shown before the item (PC-PTSD-5's examples of traumatic events)."""

    def option_for(self, value: object) -> ResponseOption | None:
        # The type must match too: True == 1 in Python, but a boolean is not an answer.
        for option in self.options:
            if type(value) is type(option.value) and value == option.value:
                return option
        return None

    def allowed_values(self) -> tuple[Value, ...]:
        return tuple(option.value for option in self.options)


@dataclass(frozen=True, slots=True)
class Subscale:
    """A named group of items summed on its own (PCL-5 clusters, ODQ domains)."""

    id: str
    name: str
    item_ids: tuple[str, ...]
    assumed: bool = False
    """True where the item-to-group mapping is our assumption, not from a source we hold."""


@dataclass(frozen=True, slots=True)
class Responses:
    """Checked answers: only answered items appear, each with its raw value and its score."""

    values: Mapping[str, Value]
    scores: Mapping[str, int]

    def value(self, item_id: str) -> Value | None:
        return self.values.get(item_id)

    def score(self, item_id: str) -> int | None:
        return self.scores.get(item_id)

    def unanswered(self, item_ids: Iterable[str]) -> tuple[str, ...]:
        return tuple(item_id for item_id in item_ids if item_id not in self.scores)

    def sum(self, item_ids: Iterable[str]) -> int | None:
        """The sum of the items' scores, or None if any is unanswered (never prorated)."""
        ids = tuple(item_ids)
        if self.unanswered(ids):
            return None
        return sum(self.scores[item_id] for item_id in ids)


@dataclass(frozen=True, slots=True)
class Scored:
    """What an instrument's scoring function returns; `Instrument.score` adds the rest."""

    total: int | None
    band: str | None = None
    positive: bool | None = None
    missing: tuple[str, ...] = ()
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScoreResult:
    instrument: str
    total: int | None
    """None when an item the total needs is unanswered: no proration (SCIENCE.md 3.2)."""
    band: str | None
    """The published severity band; None where the instrument has none or the total is None."""
    positive: bool | None
    """Against the published screening cut-off; None where there is none or no total."""
    safety: bool
    """A critical item was endorsed, judged on what was answered; never imputed."""
    missing: tuple[str, ...]
    """Unanswered items the total needs, in order: the scored items, and a routing question
    (PC-PTSD-5 `trauma`, blunting check `q1`) when it is itself unanswered."""
    details: Mapping[str, object] = field(hash=False)
    """Instrument-specific extras (JSON-serialisable values)."""


Scorer: TypeAlias = Callable[["Instrument", Responses], Scored]


@dataclass(frozen=True, slots=True)
class Instrument:
    id: str
    name: str
    version: str
    """The version of our definition (items, scoring); stored with each response."""
    items: tuple[Item, ...]
    loinc_panel: str | None
    loinc_total: str | None
    loinc_verified: bool
    """True only when both panel and total codes are marked verified [V] in SCIENCE.md 3.1."""
    validated: bool
    """False for the project-written blunting check: it is shown labelled unvalidated."""
    licensed_text: bool
    """True for plug-ins whose text is never shipped (load it with `load_licensed_text`)."""
    scorer: Scorer = field(repr=False, compare=False)
    optional: frozenset[str] = frozenset()
    """Item columns a responses file may leave out (PHQ-9 q10, AUDIT-C sex, ...)."""
    stem: str | None = None
    """The published question stem shown above the items; None where not verified or licensed."""
    subscales: tuple[Subscale, ...] = ()
    reference: str = ""
    """Where the definition comes from (paper and SCIENCE.md section)."""
    text_version: str | None = None
    """For a licensed plug-in: the version named in the loaded text file."""

    def __post_init__(self) -> None:
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.id}: repeated item ids")
        known = set(ids)
        if not self.optional <= known:
            raise ValueError(f"{self.id}: optional columns {sorted(self.optional - known)}")
        for subscale in self.subscales:
            if not set(subscale.item_ids) <= known:
                raise ValueError(f"{self.id}: subscale {subscale.id} names unknown items")
        for item in self.items:
            values = item.allowed_values()
            if not values or len(set(values)) != len(values):
                raise ValueError(f"{self.id}: item {item.id} needs distinct options")

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def subscale(self, subscale_id: str) -> Subscale:
        for subscale in self.subscales:
            if subscale.id == subscale_id:
                return subscale
        raise KeyError(subscale_id)

    def scored_item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items if item.scored)

    def csv_columns(self) -> tuple[str, ...]:
        """The item columns of a responses file: required ones in published order, then optional."""
        required = tuple(item.id for item in self.items if item.id not in self.optional)
        optional = tuple(item.id for item in self.items if item.id in self.optional)
        return required + optional

    def optional_columns(self) -> frozenset[str]:
        return self.optional

    def check(self, answers: Answers) -> Responses:
        """The answers as `Responses`, or InvalidAnswer naming the item and the allowed values."""
        values: dict[str, Value] = {}
        scores: dict[str, int] = {}
        known = {item.id: item for item in self.items}
        for item_id, value in answers.items():
            item = known.get(item_id)
            if item is None:
                raise InvalidAnswer(
                    item_id,
                    f"{item_id!r} is not an item of {self.id}; "
                    f"its items are {', '.join(self.csv_columns())}",
                )
            if value is None:
                continue
            option = item.option_for(value)
            if option is None:
                allowed = ", ".join(str(allowed) for allowed in item.allowed_values())
                raise InvalidAnswer(
                    item_id,
                    f"item {item_id} of {self.id}: {value!r} is not an allowed answer; "
                    f"allowed: {allowed}",
                )
            values[item_id] = option.value
            scores[item_id] = option.score
        return Responses(MappingProxyType(values), MappingProxyType(scores))

    def safety(self, responses: Responses) -> bool:
        return any((responses.score(item.id) or 0) >= 1 for item in self.items if item.critical)

    def score(self, answers: Answers) -> ScoreResult:
        responses = self.check(answers)
        scored = self.scorer(self, responses)
        computable = scored.total is not None
        return ScoreResult(
            instrument=self.id,
            total=scored.total,
            band=scored.band if computable else None,
            positive=scored.positive if computable else None,
            safety=self.safety(responses),
            missing=scored.missing,
            # A fresh plain dict: JSON-serialisable, and typed read-only (Mapping) for callers.
            details=dict(scored.details),
        )
