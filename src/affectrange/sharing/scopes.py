"""What a person can share, as one small value the report, the dashboard and the pages read.

Pure: no database, so the report builder and the tests can take a `Scopes` without a share.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final


@dataclass(frozen=True, slots=True)
class Scopes:
    """Each part of a person's record a clinician may see.

    Notes are off unless the person turns them on: free text is where the most private things are
    written. Safety events say only that the crisis card was shown and why (an answer to PHQ-9 item
    9, or crisis language in a note), never the words of the note.
    """

    checkins: bool = True
    questionnaires: bool = True
    medications: bool = True
    notes: bool = False
    safety: bool = True

    @classmethod
    def everything(cls) -> Scopes:
        """The person's own view of their record."""
        return cls(checkins=True, questionnaires=True, medications=True, notes=True, safety=True)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in fields(cls))

    def shared_names(self) -> tuple[str, ...]:
        return tuple(name for name in self.names() if getattr(self, name))

    @property
    def anything(self) -> bool:
        return bool(self.shared_names())


SCOPE_LABELS: Final[dict[str, str]] = {
    "checkins": "Daily check-ins and the analysis of them (my emotional range)",
    "questionnaires": "Questionnaire scores and answers",
    "medications": "My medication timeline",
    "notes": "The notes I write in check-ins and medication entries",
    "safety": "When the crisis card was shown and why (never the words of a note)",
}
"""What each choice means, in the words the invitation form and the sharing page use."""


def describe_scopes(scopes: Scopes) -> str:
    """A short list for the audit log and the pages: "check-ins, questionnaires, medications"."""
    short = {
        "checkins": "check-ins",
        "questionnaires": "questionnaires",
        "medications": "medications",
        "notes": "notes",
        "safety": "safety events",
    }
    shared = [short[name] for name in scopes.shared_names()]
    return ", ".join(shared) if shared else "nothing"
