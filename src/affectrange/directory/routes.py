"""The therapist finder for people: search (HTML and /api/v1), contact requests, and the choice
to let their own record propose filters."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from affectrange.accounts import service as accounts
from affectrange.accounts.auth import ApiPerson, CurrentPerson
from affectrange.accounts.models import User
from affectrange.clock import local_today
from affectrange.directory import contact, finder, suggestions
from affectrange.directory.schemas import DEFAULT_RADIUS_MILES, DirectoryQuery, MatchRead
from affectrange.directory.service import search_directory
from affectrange.directory.taxonomy import ProviderType
from affectrange.directory.vocabulary import (
    AGE_GROUPS,
    GENDERS,
    ISSUES,
    LANGUAGES,
    MODALITIES,
    US_STATES,
)
from affectrange.errors import AffectRangeError, InvalidInput
from affectrange.mail import Mailer
from affectrange.safety import crisis_resources
from affectrange.text import MAX_ROW_ID
from affectrange.web.api import API_ERROR_RESPONSES, ErrorResponse
from affectrange.web.csrf import verify_csrf
from affectrange.web.deps import ClockDep, SessionDep, SettingsDep
from affectrange.web.templating import is_htmx, redirect, render
from affectrange.web.validation import form_values, validation_messages

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api_router = APIRouter(
    prefix="/api/v1/directory", tags=["directory"], responses=API_ERROR_RESPONSES
)

Npi = Annotated[str, Path(min_length=1, max_length=20)]
MAX_QUERY_STRING = 4000


async def get_mailer(request: Request) -> Mailer:
    mailer: Mailer = request.app.state.mailer
    return mailer


MailerDep = Annotated[Mailer, Depends(get_mailer)]


def _vocabularies() -> dict[str, Any]:
    return {
        "issues": ISSUES,
        "modalities": MODALITIES,
        "languages": LANGUAGES,
        "age_groups": AGE_GROUPS,
        "genders": GENDERS,
        "states": US_STATES,
        "default_radius": f"{DEFAULT_RADIUS_MILES:g}",
        "what_it_reads": suggestions.WHAT_IT_READS,
    }


# --- the finder page -------------------------------------------------------------------------


@router.get("/therapists")
def finder_page(
    request: Request, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    """The search form and, once searched, the ranked results; htmx swaps only the results."""
    values = finder.form_values(request.query_params.multi_items())
    view = finder.finder_view(session, person, values, today=local_today(clock, person.timezone))
    consent = request.query_params.get("consent")
    context = {"view": view, "consent_changed": consent, **_vocabularies()}
    status = 422 if view.errors else 200
    if is_htmx(request):
        if view.errors:
            response = render(request, "directory/_finder.html", context, status_code=422)
            response.headers["HX-Retarget"] = "#finder"
            response.headers["HX-Reswap"] = "outerHTML"
            return response
        if request.headers.get("hx-target") == "finder":  # the form showed errors: clear them
            return render(request, "directory/_finder.html", context)
        return render(request, "directory/_results.html", context)
    return render(request, "directory/search.html", context, status_code=status)


@router.post("/therapists/profile")
async def change_profile_consent(
    request: Request, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    submitted = form_values((await request.form()).multi_items())
    use_profile = submitted.get("use_profile") == "on"
    suggestions.set_profile_consent(session, person, use_profile, now=clock.now())
    back = submitted.get("back", "")[:MAX_QUERY_STRING]
    # Rebuilt from its parts: the form can only send the person back to a search on this page.
    query = urlencode(parse_qsl(back))
    consent = "consent=on" if use_profile else "consent=off"
    target = f"/therapists?{query}&{consent}" if query else f"/therapists?{consent}"
    return redirect(request, target)


# --- contact requests ------------------------------------------------------------------------


def _contact_context(
    provider: contact.Provider,
    person: User,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    refused: str | None = None,
) -> dict[str, Any]:
    return {
        "provider": provider,
        "values": {"reply_to": person.email, **values},
        "errors": errors,
        "refused": refused,
        "max_message_length": contact.MAX_MESSAGE_LENGTH,
        "max_name_length": contact.MAX_NAME_LENGTH,
    }


@router.get("/therapists/contacts")
def contact_requests_page(
    request: Request,
    person: CurrentPerson,
    session: SessionDep,
    settings: SettingsDep,
    sent: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    support: Annotated[bool, Query()] = False,
) -> Response:
    rows = contact.my_contact_requests(session, person)
    just_sent = next((row for row in rows if row.request.id == sent), None)
    context = {
        "rows": rows,
        "just_sent": just_sent,
        "zone": ZoneInfo(person.timezone),
        "crisis": crisis_resources(settings.crisis_country) if support and just_sent else None,
        "crisis_trigger": "contact_message",
    }
    return render(request, "directory/contacts.html", context)


@router.get("/therapists/{npi}/contact")
def contact_page(
    request: Request, npi: Npi, person: CurrentPerson, session: SessionDep
) -> Response:
    provider = contact.provider_for_contact(session, npi)
    context = _contact_context(provider, person, values={}, errors={})
    return render(request, "directory/contact.html", context)


@router.post("/therapists/{npi}/contact")
async def send_contact_page(
    request: Request,
    npi: Npi,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    mailer: MailerDep,
) -> Response:
    provider = contact.provider_for_contact(session, npi)
    submitted = form_values((await request.form()).multi_items())
    try:
        form = contact.ContactRequestIn.model_validate(submitted)
        sent = contact.send_contact_request(
            session,
            person,
            provider.npi,
            form,
            mailer=mailer,
            now=clock.now(),
            crisis_phrases=settings.crisis_phrase_list(),
        )
    except ValidationError as error:
        context = _contact_context(
            provider, person, values=submitted, errors=validation_messages(error)
        )
        return render(request, "directory/contact.html", context, status_code=422)
    except AffectRangeError as error:
        if error.status_code not in (409, 429):
            raise
        # A throttle: nothing was stored or sent; keep what was typed and say why.
        context = _contact_context(
            provider, person, values=submitted, errors={}, refused=error.message
        )
        return render(request, "directory/contact.html", context, status_code=error.status_code)
    support = "&support=1" if sent.crisis_language else ""
    return redirect(request, f"/therapists/contacts?sent={sent.request.id}{support}")


# --- JSON API --------------------------------------------------------------------------------


class DirectorySearchRead(BaseModel):
    total: int
    """Providers passing every hard filter; `results` holds the first `limit` of them."""
    results: list[MatchRead]


def _api_query(values: dict[str, Any]) -> DirectoryQuery:
    data = {name: value for name, value in values.items() if value not in (None, ())}
    try:
        return DirectoryQuery.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(finder.query_errors(error, data)) from None


@api_router.get("/search", response_model=DirectorySearchRead)
def api_search(
    person: ApiPerson,
    session: SessionDep,
    zip: Annotated[str | None, Query(max_length=20)] = None,
    radius_miles: Annotated[float, Query()] = DEFAULT_RADIUS_MILES,
    state: Annotated[str | None, Query(max_length=20)] = None,
    telehealth: Annotated[bool, Query()] = False,
    plan: Annotated[str | None, Query(max_length=120)] = None,
    provider_type: Annotated[ProviderType | None, Query()] = None,
    prefer_prescribers: Annotated[bool, Query()] = False,
    issue: Annotated[list[str] | None, Query(max_length=len(ISSUES))] = None,
    modality: Annotated[list[str] | None, Query(max_length=len(MODALITIES))] = None,
    language: Annotated[list[str] | None, Query(max_length=len(LANGUAGES))] = None,
    age_group: Annotated[str | None, Query(max_length=40)] = None,
    gender: Annotated[str | None, Query(max_length=40)] = None,
    accepting: Annotated[bool, Query()] = False,
    max_fee_usd: Annotated[int | None, Query()] = None,
    sliding_scale: Annotated[bool, Query()] = False,
    suggested: Annotated[list[str] | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query()] = 20,
) -> DirectorySearchRead:
    """Search the directory: hard filters first, then preference fit, then distance, then NPI.

    Give `zip` (with `radius_miles`), or `telehealth=true` with `state`, or both. `issue`,
    `modality` and `language` repeat. No provider pays for a place in the order.
    """
    query = _api_query(
        {
            "zip": zip,
            "radius_miles": radius_miles,
            "state": state,
            "telehealth": telehealth,
            "plan": plan,
            "provider_type": provider_type,
            "prefer_prescribers": prefer_prescribers,
            "issues": tuple(issue or ()),
            "modalities": tuple(modality or ()),
            "languages": tuple(language or ()),
            "age_group": age_group,
            "gender": gender,
            "accepting": accepting,
            "max_fee_usd": max_fee_usd,
            "sliding_scale": sliding_scale,
            "suggested": tuple(suggested or ()),
            "limit": limit,
        }
    )
    outcome = search_directory(session, query)
    return DirectorySearchRead(total=outcome.total, results=outcome.matches)


@api_router.post(
    "/providers/{npi}/contact",
    response_model=contact.ContactRequestRead,
    status_code=201,
    responses={
        409: {"model": ErrorResponse, "description": "You wrote to this provider this week"},
        429: {"model": ErrorResponse, "description": "Five contact requests in 24 hours"},
    },
)
def api_contact(
    npi: Npi,
    body: contact.ContactRequestIn,
    principal: ApiPerson,
    session: SessionDep,
    clock: ClockDep,
    mailer: MailerDep,
) -> contact.ContactRequestRead:
    """Write to a listed provider. The message is stored, then e-mailed when the provider has an
    address on file (`delivery`: "emailed", "no_address" or "failed"; for the last two, phone
    `provider_phone`). The provider receives only your words and the reply address. At most 5
    requests a day, and one per provider a week (429 and 409)."""
    person = accounts.get_user(session, principal)
    sent = contact.send_contact_request(session, person, npi, body, mailer=mailer, now=clock.now())
    phone = sent.provider.phone if sent.request.delivery != contact.EMAILED else None
    return contact.ContactRequestRead.of(sent.request, phone)


@api_router.get("/contacts", response_model=contact.ContactRequestList)
def api_contact_requests(principal: ApiPerson, session: SessionDep) -> contact.ContactRequestList:
    """Your own contact requests, newest first."""
    person = accounts.get_user(session, principal)
    return contact.ContactRequestList(
        requests=[
            contact.ContactRequestRead.of(row.request, row.phone)
            for row in contact.my_contact_requests(session, person)
        ]
    )
