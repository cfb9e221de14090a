"""Care-plan pages (HTML, htmx-enhanced, usable without JavaScript) and /api/v1/plan."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from affectrange.accounts.auth import ApiPerson, CurrentPerson
from affectrange.careplan import service
from affectrange.careplan.impact import IMPACT_ANSWERS, IMPACT_ITEMS, MAX_TOTAL, UNVALIDATED_LABEL
from affectrange.careplan.models import MAX_TIMES_PER_WEEK, MIN_TIMES_PER_WEEK, CareGoal
from affectrange.careplan.schemas import (
    IMPACT_ANSWER_MESSAGE,
    MAX_TITLE_LENGTH,
    GoalEdit,
    GoalIn,
    GoalList,
    GoalRead,
    ImpactIn,
)
from affectrange.careplan.strategies import STRATEGIES
from affectrange.careplan.wording import MINIMUM_RULE, NOT_PROOF, association_row
from affectrange.clock import local_today
from affectrange.errors import InvalidInput
from affectrange.questionnaires.chart import build_trend_chart
from affectrange.text import MAX_ROW_ID
from affectrange.web.api import API_ERROR_RESPONSES
from affectrange.web.csrf import verify_csrf
from affectrange.web.deps import ClockDep, SessionDep
from affectrange.web.templating import is_htmx, redirect, render
from affectrange.web.validation import form_errors, form_values, validation_messages

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])
api_router = APIRouter(prefix="/api/v1/plan", tags=["care plan"], responses=API_ERROR_RESPONSES)

GoalId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
IMPACT_CHART_TITLE = "Impact of numbness"


def _goal_form_context(
    *, today: dt.date, values: dict[str, str], errors: dict[str, str]
) -> dict[str, Any]:
    return {
        "strategies": STRATEGIES,
        "today": today,
        "values": values,
        "errors": errors,
        "frequencies": range(MIN_TIMES_PER_WEEK, MAX_TIMES_PER_WEEK + 1),
        "max_title_length": MAX_TITLE_LENGTH,
    }


def _edit_context(
    goal: CareGoal, *, values: dict[str, str], errors: dict[str, str]
) -> dict[str, Any]:
    return {
        "goal": goal,
        "strategy": service.strategy_of(goal),
        "values": values,
        "errors": errors,
        "frequencies": range(MIN_TIMES_PER_WEEK, MAX_TIMES_PER_WEEK + 1),
        "max_title_length": MAX_TITLE_LENGTH,
    }


@router.get("/plan")
def plan_page(
    request: Request,
    person: CurrentPerson,
    session: SessionDep,
    clock: ClockDep,
) -> Response:
    today = local_today(clock, person.timezone)
    plan = service.progress(session, person, today=today)
    history = service.impact_history(session, person)
    chart = build_trend_chart(
        title=IMPACT_CHART_TITLE,
        points=[(point.month, point.total) for point in history],
        maximum=MAX_TOTAL,
        bands=(),
        unvalidated=True,
        chart_id="trend-impact",
    )
    context = {
        "plan": plan,
        "rows": {
            row.goal.id: [association_row(item) for item in row.associations] for row in plan.active
        },
        "not_proof": NOT_PROOF,
        "minimum_rule": MINIMUM_RULE,
        "impact_due": service.impact_due(session, person, today=today),
        "impact_chart": chart if history else None,
        "impact_label": UNVALIDATED_LABEL,
        "impact_max": MAX_TOTAL,
    }
    return render(request, "careplan/plan.html", context)


@router.get("/plan/goals/new")
def new_goal_page(
    request: Request,
    person: CurrentPerson,
    clock: ClockDep,
    strategy: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    today = local_today(clock, person.timezone)
    values = {"started_on": today.isoformat()}
    if strategy:
        values["strategy_id"] = strategy
    context = _goal_form_context(today=today, values=values, errors={})
    return render(request, "careplan/new_goal.html", context)


@router.post("/plan/goals")
async def submit_goal(
    request: Request, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    submitted = form_values((await request.form()).multi_items())
    today = local_today(clock, person.timezone)
    try:
        form = GoalIn.model_validate(submitted)
        goal = service.add_goal(session, person, form, today=today, now=clock.now())
    except (ValidationError, InvalidInput) as error:
        errors = form_errors(error)
        context = _goal_form_context(today=today, values=submitted, errors=errors)
        return render(request, "careplan/new_goal.html", context, status_code=422)
    return redirect(request, f"/plan?added={goal.id}")


@router.get("/plan/goals/{goal_id}/edit")
def edit_goal_page(
    request: Request, goal_id: GoalId, person: CurrentPerson, session: SessionDep
) -> Response:
    goal = service.get_goal(session, person, goal_id)
    values = {"title": goal.title, "times_per_week": str(goal.times_per_week)}
    return render(request, "careplan/edit_goal.html", _edit_context(goal, values=values, errors={}))


@router.post("/plan/goals/{goal_id}/edit")
async def update_goal_page(
    request: Request, goal_id: GoalId, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    goal = service.get_goal(session, person, goal_id)
    submitted = form_values((await request.form()).multi_items())
    try:
        form = GoalEdit.model_validate(submitted)
        service.update_goal(session, person, goal_id, form, now=clock.now())
    except (ValidationError, InvalidInput) as error:
        errors = form_errors(error)
        context = _edit_context(goal, values=submitted, errors=errors)
        return render(request, "careplan/edit_goal.html", context, status_code=422)
    return redirect(request, f"/plan?updated={goal_id}")


@router.post("/plan/goals/{goal_id}/pause")
def pause_goal_page(
    request: Request, goal_id: GoalId, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    today = local_today(clock, person.timezone)
    service.pause_goal(session, person, goal_id, today=today, now=clock.now())
    return redirect(request, f"/plan?paused={goal_id}")


@router.post("/plan/goals/{goal_id}/resume")
def resume_goal_page(
    request: Request, goal_id: GoalId, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    today = local_today(clock, person.timezone)
    goal = service.resume_goal(session, person, goal_id, today=today, now=clock.now())
    return redirect(request, f"/plan?resumed={goal.id}")


# --- impact -------------------------------------------------------------------------------------


def _impact_context(
    *, month: dt.date, values: dict[str, str], errors: dict[str, str], existing: bool
) -> dict[str, Any]:
    return {
        "month": month,
        "items": IMPACT_ITEMS,
        "answers": IMPACT_ANSWERS,
        "values": values,
        "errors": errors,
        "existing": existing,
        "impact_label": UNVALIDATED_LABEL,
    }


@router.get("/plan/impact")
def impact_page(
    request: Request, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    today = local_today(clock, person.timezone)
    rating = service.impact_for_month(session, person, today)
    values = {item.id: str(getattr(rating, item.id)) for item in IMPACT_ITEMS} if rating else {}
    context = _impact_context(
        month=service.month_of(today), values=values, errors={}, existing=rating is not None
    )
    return render(request, "careplan/impact.html", context)


@router.post("/plan/impact")
async def submit_impact(
    request: Request, person: CurrentPerson, session: SessionDep, clock: ClockDep
) -> Response:
    submitted = form_values((await request.form()).multi_items())
    today = local_today(clock, person.timezone)
    try:
        form = ImpactIn.model_validate(submitted)
        service.save_impact(session, person, form, today=today, now=clock.now())
    except ValidationError as error:
        errors = validation_messages(error)
        for item in IMPACT_ITEMS:
            if (
                item.id in errors
                and errors[item.id] != "Unknown field; it is not part of this form."
            ):
                errors[item.id] = IMPACT_ANSWER_MESSAGE
        existing = service.impact_for_month(session, person, today) is not None
        context = _impact_context(
            month=service.month_of(today), values=submitted, errors=errors, existing=existing
        )
        template = "careplan/_impact_form.html" if is_htmx(request) else "careplan/impact.html"
        return render(request, template, context, status_code=422)
    return redirect(request, "/plan?rated=1")


# --- JSON API -----------------------------------------------------------------------------------


@api_router.get("/goals", response_model=GoalList)
def api_list_goals(person: ApiPerson, session: SessionDep) -> GoalList:
    """Your care-plan goals, oldest first. Their ids go in a check-in's `goals_kept`."""
    goals = service.list_goals(session, person)
    return GoalList(goals=[GoalRead.model_validate(goal) for goal in goals])
