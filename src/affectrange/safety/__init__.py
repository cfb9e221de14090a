"""The safety net's pure parts (SCIENCE.md section 6). PURE: standard library only.

- `find_crisis_language`: which crisis phrases a free-text note contains (6.1 rule 1, the passive
  trigger; a configurable plain-text list, whole-word matching).
- `crisis_resources`: what the crisis card shows, per country (6.1 rule 2; only the US entry is
  verified in SCIENCE.md, the rest say so).
- `find_stopping_language`: a note saying the person wants to stop, or has stopped, a medication
  (6.2 rule 2): the caller shows the "talk to your prescriber first" card.
- `medication_advice_in`: the deny-list that keeps medication advice out of every user-facing string
  (6.2 hard rule 1).

Nothing here assesses risk (6.1 rule 6): these functions find words and look up phone numbers; the
services decide when to show the card, record the event and never block the app. Nothing here
imports from the web or the database side (tests/safety/test_purity.py checks it), so a note, a
template lint and the CLI all get the same answers.
"""

from .crisis_language import DEFAULT_CRISIS_PHRASES, find_crisis_language
from .medication_advice import DEFAULT_MEDICATION_ADVICE_PATTERNS, medication_advice_in
from .resources import (
    CRISIS_RESOURCE_COUNTRIES,
    LOCAL_EMERGENCY_NUMBER,
    CrisisResource,
    CrisisResources,
    crisis_resources,
)
from .stopping_language import DEFAULT_STOPPING_PHRASES, find_stopping_language

__all__ = [
    "CRISIS_RESOURCE_COUNTRIES",
    "DEFAULT_CRISIS_PHRASES",
    "DEFAULT_MEDICATION_ADVICE_PATTERNS",
    "DEFAULT_STOPPING_PHRASES",
    "LOCAL_EMERGENCY_NUMBER",
    "CrisisResource",
    "CrisisResources",
    "crisis_resources",
    "find_crisis_language",
    "find_stopping_language",
    "medication_advice_in",
]
