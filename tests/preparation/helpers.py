"""Adding questions through the real forms and reading them back through the service."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.preparation import service
from affectrange.preparation.schemas import QuestionIn
from tests.conftest import NOW, csrf_from

ALICE = "alice@example.org"
BOB = "bob@example.org"
CAROL = "carol@example.org"
LONGEST = ("Why do I feel " + "so very flat " * 30)[:299].rstrip() + "?"
"""300 characters: the longest question a sheet takes."""
assert len(LONGEST) == 300, len(LONGEST)


def post_form(client: TestClient, url: str, data: dict[str, str] | None = None) -> Response:
    """A form POST with the CSRF token of the signed-in session, as the browser sends it."""
    token = csrf_from(client.get("/prepare").text)
    return client.post(url, data={**(data or {}), "csrf_token": token}, follow_redirects=False)


def add(client: TestClient, text: str) -> Response:
    return post_form(client, "/prepare/questions", {"text": text})


def texts(session: Session, person: User) -> list[str]:
    session.expire_all()
    return [question.text for question in service.list_questions(session, person)]


def add_directly(session: Session, person: User, *questions: str) -> list[int]:
    """Questions added through the service (the forms are tested elsewhere), committed."""
    ids = [
        service.add_question(session, person, QuestionIn(text=text), now=NOW).question.id
        for text in questions
    ]
    session.commit()
    return ids


def listed(page: str) -> list[str]:
    """The questions as the page lists them, in order."""
    found = re.findall(r'<span class="question-text">(.*?)</span>', page, flags=re.S)
    return [html.unescape(" ".join(item.split())) for item in found]


def field_error(page: str) -> str | None:
    match = re.search(r'<p class="field-error" id="text-error"[^>]*>(.*?)</p>', page, flags=re.S)
    return html.unescape(match.group(1).strip()) if match else None
