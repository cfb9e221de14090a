"""The learning pages: `/learn` and `/learn/{slug}`, open to everyone, signed in or not.

Public health information, like the therapist directory: nothing here reads or writes a person's
data. The signed-in user is looked up only so the navigation shows their links.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from affectrange.accounts.auth import OptionalUser
from affectrange.learning import content
from affectrange.safety import crisis_resources
from affectrange.web.deps import SettingsDep
from affectrange.web.templating import render, templates

router = APIRouter(include_in_schema=False)

# The questionnaire result page asks for its "Learn more" link by instrument id, so the pages'
# addresses are written in one place (content.LEARN_MORE).
templates.env.globals["learn_more_for"] = content.learn_more_for


@router.get("/learn")
def learn_index(request: Request, user: OptionalUser) -> Response:
    return render(request, "learning/index.html", {"pages": content.PAGES})


@router.get("/learn/{slug}")
def learn_page(request: Request, slug: str, user: OptionalUser, settings: SettingsDep) -> Response:
    page = content.get_page(slug)
    before, after = content.neighbours(page)
    context = {
        "page": page,
        "sources": [content.SOURCES[key] for key in page.sources],
        "cite": content.citer(page),
        "before": before,
        "after": after,
        # The when-to-seek-help page carries the crisis card, with the numbers for this server's
        # country (SCIENCE.md 6.1), as every other page that shows it.
        "crisis": crisis_resources(settings.crisis_country)
        if page.slug == content.SEEK_HELP
        else None,
        "crisis_trigger": "information",
    }
    return render(request, "learning/page.html", context)
