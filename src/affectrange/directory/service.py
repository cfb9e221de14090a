"""Searching the directory: keep the index current, rank, and say why each provider matched.

The index is per process and per database. Each search reads `directory_revision` (one row): when
an import anywhere has changed the directory since the index was built, it is rebuilt first, so
every worker process answers from the same data the database holds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from affectrange.directory.geo import zip_centroid
from affectrange.directory.index import DirectoryIndex
from affectrange.directory.models import RoleDetails
from affectrange.directory.ranking import RankedMatch, rank
from affectrange.directory.repository import DirectoryReader
from affectrange.directory.schemas import DirectoryQuery, MatchRead
from affectrange.directory.taxonomy import ProviderType, provider_types, specialty_display
from affectrange.directory.vocabulary import AGE_GROUPS, GENDERS, ISSUES, LANGUAGES, MODALITIES

_SUGGESTED_BY_PROFILE: Final = " (suggested from your check-ins and screens)"


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    matches: list[MatchRead]
    total: int
    """Providers passing the hard filters; `matches` holds the first `query.limit` of them."""
    plan_name: str | None


@dataclass
class _CachedIndex:
    key: tuple[int, str | None]
    index: DirectoryIndex


_indexes: dict[str, _CachedIndex] = {}
_index_lock = threading.Lock()


def current_index(session: Session) -> DirectoryIndex:
    """The index for this session's database, rebuilt if the directory changed since."""
    reader = DirectoryReader(session)
    key = reader.revision()
    database = session.get_bind().engine.url.render_as_string(hide_password=True)
    cached = _indexes.get(database)
    if cached is not None and cached.key == key:
        return cached.index
    with _index_lock:  # one build per process at a time; the others wait for it
        cached = _indexes.get(database)
        if cached is None or cached.key != key:
            cached = _CachedIndex(key, reader.build_index())
            _indexes[database] = cached
        return cached.index


def search_directory(session: Session, query: DirectoryQuery) -> SearchOutcome:
    reader = DirectoryReader(session)
    index = current_index(session)
    ranked = rank(index, query)
    role_ids = [int(index.roles.ids[match.role]) for match in ranked.matches]
    details = reader.role_details(role_ids)
    plan_name = index.plan_name(query.plan) if query.plan else None
    matches = [
        _match(query, match, details[role_id], plan_name)
        for match, role_id in zip(ranked.matches, role_ids, strict=True)
        if role_id in details  # a row deleted since the index was read drops out
    ]
    return SearchOutcome(matches=matches, total=ranked.total, plan_name=plan_name)


def _match(
    query: DirectoryQuery, ranked: RankedMatch, details: RoleDetails, plan_name: str | None
) -> MatchRead:
    practitioner, role, location = details.practitioner, details.role, details.location
    codes = role.specialties or practitioner.specialties
    why, unmet = explain(query, ranked, details, plan_name)
    return MatchRead(
        npi=practitioner.npi,
        name=display_name(details),
        credentials=practitioner.credentials,
        distance_miles=None if ranked.distance_miles is None else round(ranked.distance_miles, 2),
        why=why,
        unmet=unmet,
        provider_types=sorted(kind.value for kind in provider_types(list(codes))),
        specialties=[specialty_display(code) for code in codes],
        address=(
            f"{location.line}, {location.city}, {location.state} {location.postal_code}"
            if location is not None
            else None
        ),
        phone=practitioner.phone,
        telehealth=role.telehealth,
        accepting_new_patients=role.accepting_new_patients,
        network=details.network.name if details.network is not None else None,
        can_be_contacted=practitioner.email is not None,
        position_source=location.position_source if location is not None else None,
    )


def display_name(details: RoleDetails) -> str:
    practitioner = details.practitioner
    name = f"{practitioner.given_name} {practitioner.family_name}".strip()
    return f"{name}, {practitioner.credentials}" if practitioner.credentials else name


def explain(
    query: DirectoryQuery, ranked: RankedMatch, details: RoleDetails, plan_name: str | None
) -> tuple[list[str], list[str]]:
    """Every hard filter this provider passed and every preference met, in plain words; and the
    preferences asked for that they do not list."""
    practitioner, role = details.practitioner, details.role
    codes = role.specialties or practitioner.specialties
    why: list[str] = []
    if ranked.distance_miles is not None:
        why.append(f"{ranked.distance_miles:.1f} miles from {query.zip}{_placed(details)}")
    else:
        why.append(f"Offers online sessions and is licensed in {query.online_state}")
    types = provider_types(list(codes))
    kinds = " and ".join(sorted(kind.value for kind in types)) or "behavioral-health provider"
    why.append(f"{kinds.capitalize()}: {', '.join(specialty_display(c) for c in codes[:3])}")
    if query.plan is not None and details.network is not None:
        why.append(f"In network for {plan_name or query.plan} ({details.network.name})")
    if query.accepting:
        why.append("Accepting new patients")
    if query.age_group is not None:
        why.append(f"Sees {in_sentence(AGE_GROUPS[query.age_group])}")
    if query.gender is not None:
        why.append(f"Gender: {in_sentence(GENDERS[query.gender])}")
    why += _fee_reasons(query, details)
    unmet: list[str] = []
    for asked, listed, vocabulary, verb, kind in (
        (query.issues, practitioner.issues, ISSUES, "Treats", "issue"),
        (query.modalities, practitioner.modalities, MODALITIES, "Offers", "modality"),
        (query.languages, practitioner.languages, LANGUAGES, "Speaks", "language"),
    ):
        for code in asked:
            label = vocabulary[code]
            suffix = _SUGGESTED_BY_PROFILE if f"{kind}:{code}" in query.suggested else ""
            words = in_sentence(label) if kind == "issue" else label
            if code in listed:
                why.append(f"{verb} {words}{suffix}")
            else:
                unmet.append(f"Does not list {words}")
    if query.prefer_prescribers and ProviderType.PRESCRIBER in types:
        suffix = _SUGGESTED_BY_PROFILE if "prefer:prescribers" in query.suggested else ""
        why.append(f"Prescriber who can review your medication with you{suffix}")
    return why, unmet


def in_sentence(label: str) -> str:
    """A label as it reads mid-sentence: "Depression" becomes "depression", but "PTSD" and
    names of languages stay as they are."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _placed(details: RoleDetails) -> str:
    location = details.location
    if location is None or location.position_source != "zip-centroid":
        return ""
    return f" (office placed at the centre of ZIP {location.postal_code})"


def _fee_reasons(query: DirectoryQuery, details: RoleDetails) -> list[str]:
    practitioner = details.practitioner
    reasons: list[str] = []
    fee = practitioner.fee_min_usd
    if query.max_fee_usd is not None and fee is not None and fee <= query.max_fee_usd:
        reasons.append(f"Sessions from ${fee}, within your ${query.max_fee_usd}")
    if query.sliding_scale and practitioner.sliding_scale:
        reasons.append("Offers a sliding scale")
    return reasons


def origin_label(query: DirectoryQuery) -> str | None:
    centroid = zip_centroid(query.zip) if query.zip else None
    return f"ZIP {query.zip} ({centroid.state})" if centroid else None
