"""The search index: the directory as NumPy arrays and a k-d tree, rebuilt when it changes.

Why not SQL: a radius search with a plan, a type and preferences joins four tables and sorts by
distance; the database answers it in tens of milliseconds at national scale (see
docs/benchmarks.md, PostGIS included). Held in memory, the same search is a k-d tree lookup and a
few vectorized masks. The database stays the only source of truth: the index is rebuilt from it
whenever `directory_revision` has moved, which every process checks on each search.

Layout: practitioners in NPI order, roles grouped by practitioner in that order. Sets of codes
(issues, modalities, languages, age groups, licence states, provider types) are bit masks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from affectrange.directory.geo import Point, chord_for_miles, great_circle_miles_many, unit_vectors
from affectrange.directory.taxonomy import ProviderType, provider_types
from affectrange.directory.vocabulary import (
    AGE_GROUPS,
    GENDERS,
    ISSUES,
    LANGUAGES,
    MODALITIES,
    US_STATES,
)

Bits = npt.NDArray[np.uint64]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

TYPE_BITS: Final[Mapping[ProviderType, int]] = {
    ProviderType.PRESCRIBER: 1,
    ProviderType.THERAPIST: 2,
}
GENDER_CODES: Final[Mapping[str, int]] = {code: number for number, code in enumerate(GENDERS, 1)}
UNKNOWN: Final = -1


def bit_positions(vocabulary: Sequence[str]) -> dict[str, int]:
    if len(vocabulary) > 64:
        raise ValueError("a vocabulary of more than 64 codes does not fit one mask")
    return {code: 1 << position for position, code in enumerate(vocabulary)}


ISSUE_BITS: Final = bit_positions(list(ISSUES))
MODALITY_BITS: Final = bit_positions(list(MODALITIES))
LANGUAGE_BITS: Final = bit_positions(list(LANGUAGES))
AGE_BITS: Final = bit_positions(list(AGE_GROUPS))
STATE_BITS: Final = bit_positions(list(US_STATES))


def mask_of(codes: Sequence[str], bits: Mapping[str, int]) -> int:
    value = 0
    for code in codes:
        value |= bits.get(code, 0)
    return value


def type_mask(codes: Sequence[str]) -> int:
    return sum(TYPE_BITS[kind] for kind in provider_types(list(codes)))


class MaskCache:
    """Most rows repeat a handful of code lists ("", "CT", "en es"): compute each mask once."""

    def __init__(self, bits: dict[str, int]) -> None:
        self._bits = bits
        self._seen: dict[str | None, int] = {}

    def __call__(self, text: str | None) -> int:
        found = self._seen.get(text)
        if found is None:
            found = mask_of(text.split() if text else (), self._bits)
            self._seen[text] = found
        return found


class TypeCache:
    def __init__(self) -> None:
        self._seen: dict[str | None, int] = {}

    def __call__(self, text: str | None) -> int:
        found = self._seen.get(text)
        if found is None:
            found = type_mask(text.split() if text else ())
            self._seen[text] = found
        return found


@dataclass(frozen=True)
class PractitionerColumns:
    """One entry per practitioner, in NPI order."""

    ids: Ints
    npis: list[str]
    gender: npt.NDArray[np.int8]
    fee_min: Floats  # NaN where unknown
    sliding_scale: npt.NDArray[np.int8]  # 1 yes, 0 no, -1 unknown
    issues: Bits
    modalities: Bits
    languages: Bits
    age_groups: Bits
    licensed_states: Bits
    types: Bits


@dataclass(frozen=True)
class RoleColumns:
    """One entry per role, grouped by practitioner in the practitioners' order."""

    ids: Ints
    practitioner: Ints  # position in PractitionerColumns
    latitude: Floats  # NaN where the role has no placed location
    longitude: Floats
    network: Ints  # UNKNOWN where none
    types: Bits
    accepting: npt.NDArray[np.int8]  # 1 yes, 0 no, -1 unknown
    telehealth: Bools
    in_person: Bools


@dataclass
class DirectoryIndex:
    revision: int
    practitioners: PractitionerColumns
    roles: RoleColumns
    plan_networks: Mapping[str, Ints]
    plan_names: Mapping[str, str]
    """Plan key (case-folded) to the plan's name, for the reasons."""
    """Plan key (as people type it, case-folded) to the ids of its networks."""
    _placed: Ints = field(init=False)
    _tree: cKDTree | None = field(init=False)
    _online_by_state: dict[str, Ints] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        roles = self.roles
        placed = np.flatnonzero(~np.isnan(roles.latitude) & roles.in_person)
        self._placed = placed.astype(np.int64)
        self._tree = (
            cKDTree(unit_vectors(roles.latitude[placed], roles.longitude[placed]))
            if len(placed)
            else None
        )

    @property
    def practitioner_count(self) -> int:
        return len(self.practitioners.ids)

    @property
    def role_count(self) -> int:
        return len(self.roles.ids)

    def roles_within(self, origin: Point, miles: float) -> tuple[Ints, Floats]:
        """In-person roles within `miles` of `origin` (great circle), with their distances."""
        if self._tree is None:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        centre = unit_vectors(np.array([origin.latitude]), np.array([origin.longitude]))[0]
        # The tree's chord test is exact in theory; a hair of slack lets the haversine below,
        # the same formula the oracle uses, have the final say at the boundary.
        hits = self._tree.query_ball_point(centre, chord_for_miles(miles) * (1 + 1e-9))
        candidates = self._placed[np.asarray(hits, dtype=np.int64)]
        distances = great_circle_miles_many(
            origin, self.roles.latitude[candidates], self.roles.longitude[candidates]
        )
        inside = distances <= miles
        return candidates[inside], distances[inside]

    def online_roles(self, state: str) -> Ints:
        """Roles offering online care whose practitioner is licensed in `state`."""
        found = self._online_by_state.get(state)
        if found is None:
            licensed = (
                self.practitioners.licensed_states[self.roles.practitioner]
                & np.uint64(STATE_BITS[state])
            ) != 0
            found = np.flatnonzero(self.roles.telehealth & licensed).astype(np.int64)
            self._online_by_state[state] = found
        return found

    def networks_of_plan(self, plan: str) -> Ints | None:
        return self.plan_networks.get(plan.strip().casefold())

    def plan_name(self, plan: str) -> str | None:
        return self.plan_names.get(plan.strip().casefold())
