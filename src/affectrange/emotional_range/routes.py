"""The "My emotional range" page and `GET /api/v1/range`."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from affectrange.accounts.auth import ApiPerson, CurrentPerson
from affectrange.clock import local_today
from affectrange.emotional_range import service
from affectrange.emotional_range.chart import ROLLING_DAYS, ROLLING_MIN_DAYS, build_range_chart
from affectrange.emotional_range.schemas import RangeRead, range_json
from affectrange.emotional_range.wording import LIMITS, clear_first, describe
from affectrange.web.api import API_ERROR_RESPONSES
from affectrange.web.csrf import verify_csrf
from affectrange.web.deps import ClockDep, SessionDep
from affectrange.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api_router = APIRouter(
    prefix="/api/v1/range", tags=["emotional range"], responses=API_ERROR_RESPONSES
)


@router.get("/range")
def range_page(
    request: Request, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    view = service.emotional_range(session, person, local_today(clock, person.timezone))
    context = {
        "view": view,
        "min_checkins": service.MIN_CHECKINS,
        "limits": LIMITS,
        "rolling_days": ROLLING_DAYS,
        "rolling_min_days": ROLLING_MIN_DAYS,
    }
    if view.enough:
        text = describe(view.analysis)
        context.update(
            chart=build_range_chart(view.series, view.analysis, view.events),
            text=text,
            all_associations=clear_first(text.associations),
        )
    return render(request, "emotional_range/range.html", context)


# --- JSON API --------------------------------------------------------------------------------


@api_router.get("", response_model=RangeRead)
def api_range(person: ApiPerson, session: SessionDep, clock: ClockDep) -> Response:
    """Your analysis: the pattern of the last 28 days and the numbers behind it, when a
    blunting-like change began and which medication event came before it (an order in time,
    never a cause), before/after comparisons, associations, your daily PA, NA and numbness, and
    your medication timeline. With too few check-ins the pattern is "insufficient_data".
    """
    view = service.emotional_range(session, person, local_today(clock, person.timezone))
    # Returned as built: `range_json` is the contract's shape, which re-serialising through the
    # response model would only reorder; `RangeRead` documents it (and a test checks they agree).
    return JSONResponse(range_json(str(person.id), view))
