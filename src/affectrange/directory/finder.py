"""The finder page's state: the search form as the query string carries it, the query built from
it, the profile's proposals and the links that add or remove them.

The page is a GET form, so everything it shows comes from the query string (a search can be
bookmarked, shared with oneself, and works without JavaScript). A page opened with no search
parameters at all shows the form, pre-filled with the profile's proposals when the person allows
them; any parameter makes it a search, which is validated by `DirectoryQuery` and answered with
the form, the ranked results, or the message next to each field that is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from pydantic import ValidationError
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.directory.repository import DirectoryReader
from affectrange.directory.schemas import DEFAULT_RADIUS_MILES, MAX_LIMIT, DirectoryQuery
from affectrange.directory.service import SearchOutcome, search_directory
from affectrange.directory.suggestions import (
    MODALITY_PREFIX,
    PRESCRIBERS_TERM,
    ProfileSuggestions,
    Proposal,
    profile_suggestions,
)
from affectrange.web.validation import field_messages

PAGE_SIZE: Final = 20

SINGLE_FIELDS: Final = (
    "zip",
    "radius_miles",
    "telehealth",
    "state",
    "plan",
    "provider_type",
    "prefer_prescribers",
    "accepting",
    "age_group",
    "gender",
    "max_fee_usd",
    "sliding_scale",
    "limit",
)
LIST_FIELDS: Final = {
    "issue": "issues",
    "modality": "modalities",
    "language": "languages",
    "suggested": "suggested",
}
"""Form name (one value per repeat, as the query string and the API send them) to query field."""
FORM_NAME_OF: Final = {query_field: name for name, query_field in LIST_FIELDS.items()}

FormValues = dict[str, list[str]]


def form_values(items: Iterable[tuple[str, str]]) -> FormValues:
    """The known search parameters, in order, without empty ones; unknown names are ignored."""
    values: FormValues = {}
    for name, value in items:
        if (name in SINGLE_FIELDS or name in LIST_FIELDS) and value.strip():
            values.setdefault(name, []).append(value.strip())
    return values


def query_input(values: Mapping[str, list[str]]) -> dict[str, Any]:
    """The form's values shaped for `DirectoryQuery` (a repeated single field keeps its first)."""
    data: dict[str, Any] = {}
    for name, given in values.items():
        if name in LIST_FIELDS:
            data[LIST_FIELDS[name]] = tuple(given)
        elif given:
            data[name] = given[0]
    return data


def query_errors(error: ValidationError, data: Mapping[str, Any]) -> dict[str, str]:
    """One message per form field; a rule about the whole search names the field to fix."""
    named: dict[str, str] = {}
    for location, message in field_messages(error.errors()).items():
        name = location.split(".")[0]
        if name == "body":
            wants_online = str(data.get("telehealth", "")).lower() in {"on", "true", "1", "yes"}
            name = "state" if wants_online and not data.get("zip") else "zip"
        named.setdefault(FORM_NAME_OF.get(name, name), message)
    return named


def search_link(values: Mapping[str, list[str]]) -> str:
    pairs = [(name, value) for name, given in values.items() for value in given]
    return "/therapists?" + urlencode(pairs) if pairs else "/therapists"


@dataclass(frozen=True, slots=True)
class Chip:
    proposal: Proposal
    active: bool
    href: str
    """The same search without this proposal (active) or with it (not active)."""


@dataclass(frozen=True, slots=True)
class FinderView:
    values: FormValues
    errors: dict[str, str]
    searched: bool
    query: DirectoryQuery | None
    outcome: SearchOutcome | None
    suggestions: ProfileSuggestions
    chips: tuple[Chip, ...]
    plans: tuple[tuple[str, str], ...]
    """(plan id, plan name) of the plans the directory knows, for the form's suggestions."""
    more_href: str | None = None
    query_string: str = ""
    """This search as a query string, to come back to it after changing the consent."""


def finder_view(
    session: Session, person: User, values: FormValues, *, today: dt.date
) -> FinderView:
    """Everything the finder page shows for this query string."""
    suggestions = profile_suggestions(session, person, today=today)
    plans = tuple((plan.plan_key, plan.name) for plan in DirectoryReader(session).plans())
    if not values:
        prefilled = with_proposals(
            {"radius_miles": [f"{DEFAULT_RADIUS_MILES:g}"]}, suggestions.proposals
        )
        return FinderView(prefilled, {}, False, None, None, suggestions, (), plans)
    data = query_input(values)
    try:
        query = DirectoryQuery.model_validate(data)
    except ValidationError as error:
        return FinderView(
            values, query_errors(error, data), True, None, None, suggestions, (), plans
        )
    outcome = search_directory(session, query)
    chips = tuple(_chip(values, proposal) for proposal in suggestions.proposals)
    more_href = None
    if outcome.total > len(outcome.matches) and query.limit < MAX_LIMIT:
        more = {**values, "limit": [str(min(query.limit + PAGE_SIZE, MAX_LIMIT))]}
        more_href = search_link(more)
    return FinderView(
        values,
        {},
        True,
        query,
        outcome,
        suggestions,
        chips,
        plans,
        more_href,
        search_link(values).partition("?")[2],
    )


def _chip(values: Mapping[str, list[str]], proposal: Proposal) -> Chip:
    if is_active(values, proposal):
        return Chip(proposal, True, search_link(without_proposal(values, proposal)))
    return Chip(proposal, False, search_link(with_proposals(values, [proposal])))


def _term_field(proposal: Proposal) -> tuple[str, str]:
    """The form field and value a proposal sets."""
    if proposal.term == PRESCRIBERS_TERM:
        return "prefer_prescribers", "on"
    return "modality", proposal.term.removeprefix(MODALITY_PREFIX)


def is_active(values: Mapping[str, list[str]], proposal: Proposal) -> bool:
    name, value = _term_field(proposal)
    given = values.get(name, [])
    applied = value in given if name in LIST_FIELDS else bool(given)
    return applied and proposal.term in values.get("suggested", [])


def with_proposals(values: Mapping[str, list[str]], proposals: Iterable[Proposal]) -> FormValues:
    changed = {name: list(given) for name, given in values.items()}
    for proposal in proposals:
        name, value = _term_field(proposal)
        if name in LIST_FIELDS:
            if value not in changed.setdefault(name, []):
                changed[name].append(value)
        else:
            changed[name] = [value]
        if proposal.term not in changed.setdefault("suggested", []):
            changed["suggested"].append(proposal.term)
    return changed


def without_proposal(values: Mapping[str, list[str]], proposal: Proposal) -> FormValues:
    name, value = _term_field(proposal)
    changed = {key: list(given) for key, given in values.items()}
    if name in LIST_FIELDS:
        changed[name] = [given for given in changed.get(name, []) if given != value]
    else:
        changed.pop(name, None)
    changed["suggested"] = [term for term in changed.get("suggested", []) if term != proposal.term]
    return {key: given for key, given in changed.items() if given}
