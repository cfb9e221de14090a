"""The questionnaire instrument engine: definitions as data, and their scoring. PURE.

Standard library only: nothing from the web or database side (tests/test_architecture.py checks
it), so `affectrange score`, the web pages and the FHIR export all score the same way.

Scoring follows SCIENCE.md section 3.2 (bands, cut-offs, critical items, no proration);
the licensed plug-ins follow sections 1.1, 2 and 3.1. Item text ships only for the public-domain
instruments and the project's own blunting check; see LICENSED_TEXT.md for the others.
"""

from .licensed_text import LicensedTextError, load_licensed_text
from .model import (
    Instrument,
    InvalidAnswer,
    Item,
    ResponseOption,
    Responses,
    Scored,
    ScoreResult,
    Subscale,
)
from .registry import (
    UnknownInstrument,
    built_in,
    get_instrument,
    instrument_ids,
    register_instrument,
    reset_registry,
)

__all__ = [
    "Instrument",
    "InvalidAnswer",
    "Item",
    "LicensedTextError",
    "ResponseOption",
    "Responses",
    "ScoreResult",
    "Scored",
    "Subscale",
    "UnknownInstrument",
    "built_in",
    "get_instrument",
    "instrument_ids",
    "load_licensed_text",
    "register_instrument",
    "reset_registry",
]
