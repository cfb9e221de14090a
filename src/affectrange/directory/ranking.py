"""Filtering and ordering over the index: the documented ranking, deterministic, with no paid input.

1. Hard filters remove a provider: place (within the radius, or online and licensed in the
   state), plan (a role in one of the plan's networks), provider type, accepting new patients
   (only when asked), client age group, gender, and fee (lowest fee at most the ceiling, or a
   sliding scale, when asked). Unknown never passes a hard filter: NPPES says nothing about
   accepting, so an NPPES-only provider is not shown as accepting.
2. A provider with several matching roles is listed once, at its nearest matching role.
3. Order: preference fit (one point per issue, modality and language asked for and listed, and
   one for a prescriber when prescribers are preferred), highest first; then distance, nearest
   first, online-only after every in-person distance; then NPI, so equal providers keep one
   stable order for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from affectrange.directory.geo import Point, zip_centroid
from affectrange.directory.index import (
    AGE_BITS,
    GENDER_CODES,
    ISSUE_BITS,
    LANGUAGE_BITS,
    MODALITY_BITS,
    TYPE_BITS,
    DirectoryIndex,
    Floats,
    Ints,
    mask_of,
)
from affectrange.directory.schemas import DirectoryQuery
from affectrange.directory.taxonomy import ProviderType


@dataclass(frozen=True, slots=True)
class RankedMatch:
    practitioner: int
    """Position in the index's practitioner columns."""
    role: int
    """Position of the nearest matching role."""
    distance_miles: float | None
    fit: int


@dataclass(frozen=True, slots=True)
class RankedResult:
    matches: list[RankedMatch]
    total: int
    """How many providers passed the hard filters (the list holds at most the query's limit)."""
    origin: Point | None


def rank(index: DirectoryIndex, query: DirectoryQuery) -> RankedResult:
    origin = _origin(query)
    roles, distances = _place_candidates(index, query, origin)
    keep = _hard_filters(index, query, roles)
    roles, distances = roles[keep], distances[keep]
    roles, distances = _nearest_role_per_practitioner(index, roles, distances)
    practitioners = index.roles.practitioner[roles]
    fit = _fit(index, query, practitioners, roles)
    # lexsort's last key sorts first: fit (descending), then distance, then NPI order.
    order = np.lexsort((practitioners, distances, -fit))
    top = order[: query.limit]
    return RankedResult(
        matches=[
            RankedMatch(
                practitioner=int(practitioners[i]),
                role=int(roles[i]),
                distance_miles=None if np.isinf(distances[i]) else float(distances[i]),
                fit=int(fit[i]),
            )
            for i in top
        ],
        total=len(roles),
        origin=origin,
    )


def _origin(query: DirectoryQuery) -> Point | None:
    centroid = zip_centroid(query.zip) if query.zip else None
    return centroid.point if centroid else None


def _place_candidates(
    index: DirectoryIndex, query: DirectoryQuery, origin: Point | None
) -> tuple[Ints, Floats]:
    parts_roles: list[Ints] = []
    parts_distances: list[Floats] = []
    if origin is not None:
        near, miles = index.roles_within(origin, query.radius_miles)
        parts_roles.append(near)
        parts_distances.append(miles)
    online_state = query.online_state
    if online_state is not None:
        online = index.online_roles(online_state)
        parts_roles.append(online)
        parts_distances.append(np.full(len(online), np.inf))
    if not parts_roles:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    return np.concatenate(parts_roles), np.concatenate(parts_distances)


def _hard_filters(
    index: DirectoryIndex, query: DirectoryQuery, roles: Ints
) -> npt.NDArray[np.bool_]:
    keep = np.ones(len(roles), dtype=bool)
    role_columns, people = index.roles, index.practitioners
    if query.plan is not None:
        networks = index.networks_of_plan(query.plan)
        if networks is None or not len(networks):
            return np.zeros(len(roles), dtype=bool)
        keep &= np.isin(role_columns.network[roles], networks)
    if query.provider_type is not None:
        wanted = TYPE_BITS[query.provider_type]
        if query.prefer_prescribers:
            wanted |= TYPE_BITS[ProviderType.PRESCRIBER]
        keep &= (role_columns.types[roles] & np.uint64(wanted)) != 0
    if query.accepting:
        keep &= role_columns.accepting[roles] == 1
    practitioners = role_columns.practitioner[roles]
    if query.age_group is not None:
        keep &= (people.age_groups[practitioners] & np.uint64(AGE_BITS[query.age_group])) != 0
    if query.gender is not None:
        keep &= people.gender[practitioners] == GENDER_CODES[query.gender]
    if query.max_fee_usd is not None or query.sliding_scale:
        affordable = np.zeros(len(roles), dtype=bool)
        if query.max_fee_usd is not None:
            affordable |= people.fee_min[practitioners] <= query.max_fee_usd  # NaN compares False
        if query.sliding_scale:
            affordable |= people.sliding_scale[practitioners] == 1
        keep &= affordable
    return keep


def _nearest_role_per_practitioner(
    index: DirectoryIndex, roles: Ints, distances: Floats
) -> tuple[Ints, Floats]:
    if not len(roles):
        return roles, distances
    practitioners = index.roles.practitioner[roles]
    # Sort by practitioner, then distance, then role position; keep each practitioner's first.
    order = np.lexsort((roles, distances, practitioners))
    sorted_practitioners = practitioners[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_practitioners[1:] != sorted_practitioners[:-1]
    chosen = order[first]
    return roles[chosen], distances[chosen]


def _fit(
    index: DirectoryIndex, query: DirectoryQuery, practitioners: Ints, roles: Ints
) -> npt.NDArray[np.int64]:
    people = index.practitioners
    fit = np.zeros(len(practitioners), dtype=np.int64)
    for codes, bits, column in (
        (query.issues, ISSUE_BITS, people.issues),
        (query.modalities, MODALITY_BITS, people.modalities),
        (query.languages, LANGUAGE_BITS, people.languages),
    ):
        if codes:
            wanted = np.uint64(mask_of(codes, bits))
            fit += np.bitwise_count(column[practitioners] & wanted).astype(np.int64)
    if query.prefer_prescribers:
        prescriber = np.uint64(TYPE_BITS[ProviderType.PRESCRIBER])
        fit += ((index.roles.types[roles] & prescriber) != 0).astype(np.int64)
    return fit
