"""The directory's local code systems: what Plan-Net has no codes for (DIRECTORY.md section 5).

Each is a small closed vocabulary of lower-case codes with a display; importers refuse codes not
listed here, so a typo in a clinic's file cannot create a filter nobody can find. The canonical
URL of each code system is `LOCAL_SYSTEM_BASE` + its name (see docs/directory.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

LOCAL_SYSTEM_BASE: Final = "https://affectrange.org/fhir/CodeSystem/"
EXTENSION_BASE: Final = "https://affectrange.org/fhir/StructureDefinition/"

ISSUES: Final[Mapping[str, str]] = {
    "emotional-numbness": "Emotional numbness or blunting",
    "depression": "Depression",
    "anxiety": "Anxiety",
    "trauma-ptsd": "Trauma and PTSD",
    "bpd": "Borderline personality disorder",
    "substance-use": "Substance use",
    "bipolar": "Bipolar disorder",
    "psychosis": "Psychosis and schizophrenia",
    "grief": "Grief and loss",
    "relationships": "Relationship difficulties",
    "ocd": "Obsessive-compulsive disorder",
    "eating": "Eating disorders",
    "medication-management": "Medication management",
}

MODALITIES: Final[Mapping[str, str]] = {
    "cbt": "Cognitive behavioral therapy (CBT)",
    "dbt": "Dialectical behavior therapy (DBT)",
    "emdr": "EMDR",
    "cpt": "Cognitive processing therapy (CPT)",
    "pe": "Prolonged exposure (PE)",
    "tf-cbt": "Trauma-focused CBT",
    "act": "Acceptance and commitment therapy (ACT)",
    "ipt": "Interpersonal therapy (IPT)",
    "psychodynamic": "Psychodynamic therapy",
    "mbct": "Mindfulness-based cognitive therapy (MBCT)",
    "behavioral-activation": "Behavioral activation",
    "couples": "Couples therapy",
    "family": "Family therapy",
    "motivational-interviewing": "Motivational interviewing",
}

TRAUMA_FOCUSED_MODALITIES: Final = ("cpt", "pe", "emdr", "tf-cbt")
"""The trauma-focused therapies with the strongest evidence for PTSD (proposed after a positive
PTSD screen, when the person allows their profile to suggest filters)."""

AGE_GROUPS: Final[Mapping[str, str]] = {
    "children": "Children (under 13)",
    "adolescents": "Adolescents (13 to 17)",
    "adults": "Adults (18 to 64)",
    "older-adults": "Older adults (65 and over)",
}

SESSION_FORMATS: Final[Mapping[str, str]] = {
    "individual": "Individual",
    "couples": "Couples",
    "family": "Family",
    "group": "Group",
}

GENDERS: Final[Mapping[str, str]] = {
    "female": "Woman",
    "male": "Man",
    "other": "Another gender",
}

LANGUAGES: Final[Mapping[str, str]] = {
    "en": "English",
    "es": "Spanish",
    "zh": "Chinese",
    "tl": "Tagalog",
    "vi": "Vietnamese",
    "ar": "Arabic",
    "fr": "French",
    "ko": "Korean",
    "ru": "Russian",
    "de": "German",
    "ht": "Haitian Creole",
    "pt": "Portuguese",
    "hi": "Hindi",
    "it": "Italian",
    "pl": "Polish",
    "ja": "Japanese",
    "fa": "Persian",
    "ur": "Urdu",
    "bn": "Bengali",
    "el": "Greek",
    "he": "Hebrew",
    "yi": "Yiddish",
    "asl": "American Sign Language",
}
"""BCP-47 primary language tags (ISO 639-1), plus `asl`; FHIR Practitioner.communication uses the
same tags. The list is the languages most spoken at home in the US, and can grow."""

US_STATES: Final = tuple(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "  # noqa: SIM905
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP".split()
)
"""USPS codes of the states, DC and the territories: where a licence can be valid (56 of them,
so a licence set fits one 64-bit mask in the search index)."""

VOCABULARIES: Final[Mapping[str, Mapping[str, str]]] = {
    "issues": ISSUES,
    "modalities": MODALITIES,
    "age_groups": AGE_GROUPS,
    "session_formats": SESSION_FORMATS,
    "languages": LANGUAGES,
}


def unknown_codes(codes: list[str] | tuple[str, ...], vocabulary: Mapping[str, str]) -> list[str]:
    return [code for code in codes if code not in vocabulary]
