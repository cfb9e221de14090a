"""Which NUCC provider taxonomy codes the directory keeps, and which of them prescribe.

The kept set is DIRECTORY.md section 2e: the NUCC grouping "Behavioral Health & Social Service
Providers" in full, the psychiatric specializations of "Psychiatry & Neurology", and the
psychiatric nurses, pharmacist and technician. Displays are the NUCC display names.

A *prescriber* here is someone whose licence lets them manage psychiatric medication as the core
of their role: psychiatrists, psychiatric/mental health nurse practitioners and prescribing
psychologists. A *therapist* provides talking therapy: counsellors, psychologists, clinical social
workers, marriage and family therapists, psychoanalysts and psychiatric clinical nurse
specialists. Behaviour analysts and technicians, psychiatric registered nurses, the psychiatric
pharmacist and technician are kept (they are behavioral-health providers) but are neither type.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class ProviderType(StrEnum):
    PRESCRIBER = "prescriber"
    THERAPIST = "therapist"


PRESCRIBER_CODES: Final[dict[str, str]] = {
    "2084P0800X": "Psychiatry",
    "2084P0802X": "Addiction Psychiatry",
    "2084P0804X": "Child & Adolescent Psychiatry",
    "2084P0805X": "Geriatric Psychiatry",
    "2084A0401X": "Addiction Medicine (Psychiatry & Neurology)",
    "2084B0040X": "Behavioral Neurology & Neuropsychiatry",
    "2084P0015X": "Psychosomatic Medicine",
    "2084F0202X": "Forensic Psychiatry",
    "363LP0808X": "Psychiatric/Mental Health Nurse Practitioner",
    "103TP0016X": "Prescribing (Medical) Psychologist",
}

THERAPIST_CODES: Final[dict[str, str]] = {
    "101Y00000X": "Counselor",
    "101YA0400X": "Addiction (Substance Use Disorder) Counselor",
    "101YM0800X": "Mental Health Counselor",
    "101YP1600X": "Pastoral Counselor",
    "101YP2500X": "Professional Counselor",
    "101200000X": "Drama Therapist",
    "102L00000X": "Psychoanalyst",
    "102X00000X": "Poetry Therapist",
    "103G00000X": "Clinical Neuropsychologist",
    "103GC0700X": "Clinical Neuropsychologist",
    "103T00000X": "Psychologist",
    "103TA0400X": "Addiction (Substance Use Disorder) Psychologist",
    "103TA0700X": "Adult Development & Aging Psychologist",
    "103TC0700X": "Clinical Psychologist",
    "103TC2200X": "Clinical Child & Adolescent Psychologist",
    "103TB0200X": "Cognitive & Behavioral Psychologist",
    "103TC1900X": "Counseling Psychologist",
    "103TE1000X": "Educational Psychologist",
    "103TE1100X": "Exercise & Sports Psychologist",
    "103TF0000X": "Family Psychologist",
    "103TF0200X": "Forensic Psychologist",
    "103TP2701X": "Group Psychotherapy Psychologist",
    "103TH0004X": "Health Psychologist",
    "103TH0100X": "Health Service Psychologist",
    "103TM1700X": "Men & Masculinity Psychologist",
    "103TM1800X": "Intellectual & Developmental Disabilities Psychologist",
    "103TP0814X": "Psychoanalysis Psychologist",
    "103TP2700X": "Psychotherapy Psychologist",
    "103TR0400X": "Rehabilitation Psychologist",
    "103TS0200X": "School Psychologist",
    "103TW0100X": "Women Psychologist",
    "104100000X": "Social Worker",
    "1041C0700X": "Clinical Social Worker",
    "106H00000X": "Marriage & Family Therapist",
    "364SP0808X": "Psychiatric/Mental Health Clinical Nurse Specialist",
    "364SP0807X": "Psychiatric/Mental Health, Child & Adolescent Clinical Nurse Specialist",
    "364SP0809X": "Psychiatric/Mental Health, Adult Clinical Nurse Specialist",
    "364SP0810X": "Psychiatric/Mental Health, Child & Family Clinical Nurse Specialist",
    "364SP0811X": "Psychiatric/Mental Health, Chronically Ill Clinical Nurse Specialist",
    "364SP0812X": "Psychiatric/Mental Health, Community Clinical Nurse Specialist",
    "364SP0813X": "Psychiatric/Mental Health, Geropsychiatric Clinical Nurse Specialist",
}

OTHER_BEHAVIORAL_HEALTH_CODES: Final[dict[str, str]] = {
    "101YS0200X": "School Counselor",
    "1041S0200X": "School Social Worker",
    "103K00000X": "Behavior Analyst",
    "106E00000X": "Assistant Behavior Analyst",
    "106S00000X": "Behavior Technician",
    "163WP0808X": "Psychiatric/Mental Health Registered Nurse",
    "163WP0807X": "Psychiatric/Mental Health, Child & Adolescent Registered Nurse",
    "163WP0809X": "Psychiatric/Mental Health, Adult Registered Nurse",
    "1835P1300X": "Psychiatric Pharmacist",
    "167G00000X": "Licensed Psychiatric Technician",
}

PRESCRIBING_PSYCHOLOGIST: Final = "103TP0016X"
"""A psychologist first: both a prescriber and a therapist."""

BEHAVIORAL_HEALTH_CODES: Final[dict[str, str]] = {
    **PRESCRIBER_CODES,
    **THERAPIST_CODES,
    **OTHER_BEHAVIORAL_HEALTH_CODES,
}


def is_behavioral_health(code: str) -> bool:
    return code in BEHAVIORAL_HEALTH_CODES


def provider_types(codes: tuple[str, ...] | list[str]) -> frozenset[ProviderType]:
    """The types a set of taxonomy codes confers (a psychiatrist who lists counselling is both)."""
    types: set[ProviderType] = set()
    for code in codes:
        if code in PRESCRIBER_CODES:
            types.add(ProviderType.PRESCRIBER)
        if code in THERAPIST_CODES or code == PRESCRIBING_PSYCHOLOGIST:
            types.add(ProviderType.THERAPIST)
    return frozenset(types)


def specialty_display(code: str) -> str:
    return BEHAVIORAL_HEALTH_CODES.get(code, code)
