"""Our FHIR identifiers for a personal record export: one code system and a few extensions.

Documented in docs/data-export.md; a change here is a change of the file format, so codes are
only ever added. Everything lives under the base that `questionnaires.fhir` uses for the
instruments' Questionnaires.
"""

from __future__ import annotations

from typing import Final

from affectrange.questionnaires.fhir import FHIR_BASE, ITEM_CODE_SYSTEM, LOINC_SYSTEM

__all__ = ["FHIR_BASE", "ITEM_CODE_SYSTEM", "LOINC_SYSTEM"]

RECORD_SYSTEM: Final = f"{FHIR_BASE}/CodeSystem/record"
"""Codes for what a daily check-in, a care plan and the rest of the record hold: `daily-checkin`,
`positive-affect`, each check-in item id (`joyful`, `numb`, ...), `impact-rating`, ..."""
STRATEGY_SYSTEM: Final = f"{FHIR_BASE}/CodeSystem/care-strategy"
"""A care-plan goal's strategy, by its id in `careplan.strategies`."""
EXPORT_TAG_SYSTEM: Final = f"{FHIR_BASE}/CodeSystem/export"
EXPORT_TAG_CODE: Final = "personal-record-1"
"""The Bundle's meta tag: an AffectRange export, version 1 of this layout."""

EXTENSION_BASE: Final = f"{FHIR_BASE}/StructureDefinition"
TIMEZONE_URL: Final = f"{EXTENSION_BASE}/timezone"
STARTED_AT_URL: Final = f"{EXTENSION_BASE}/started-at"
UPDATED_AT_URL: Final = f"{EXTENSION_BASE}/updated-at"
COMPLETED_ON_URL: Final = f"{EXTENSION_BASE}/completed-on"
MEDICATION_EVENT_URL: Final = f"{EXTENSION_BASE}/medication-event"
KEPT_DAY_URL: Final = f"{EXTENSION_BASE}/kept-day"
REPLY_TO_URL: Final = f"{EXTENSION_BASE}/reply-to"
DELIVERY_URL: Final = f"{EXTENSION_BASE}/delivery"

OBSERVATION_CATEGORY_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
RXNORM_SYSTEM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
NPI_SYSTEM: Final = "http://hl7.org/fhir/sid/us-npi"
UCUM_SYSTEM: Final = "http://unitsofmeasure.org"

DAILY_CHECKIN: Final = "daily-checkin"
POSITIVE_AFFECT: Final = "positive-affect"
NEGATIVE_AFFECT: Final = "negative-affect"
NUMBNESS: Final = "numbness"
DAILY_SCORES: Final = (POSITIVE_AFFECT, NEGATIVE_AFFECT, NUMBNESS)
EVENT_PLEASANTNESS: Final = "event-pleasantness"
SLEEP_HOURS: Final = "sleep-hours"
EXERCISE_MINUTES: Final = "exercise-minutes"
SOCIAL_MINUTES: Final = "social-minutes"
ALCOHOL_DRINKS: Final = "alcohol-drinks"
OTHER_SUBSTANCES: Final = "other-substances"
BACKFILLED: Final = "backfilled"
DAYS_PER_WEEK: Final = "days-per-week"
IMPACT_RATING: Final = "impact-rating"
APPOINTMENT_QUESTION: Final = "appointment-question"
CONTACT_REQUEST: Final = "contact-request"
SAFETY_EVENT: Final = "safety-event"
SAFETY_SOURCE: Final = "safety-source"
SAFETY_SIGNAL: Final = "safety-signal"
