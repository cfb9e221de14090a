"""Medication event input (shared by the HTML form and the JSON API) and output."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from affectrange.checkins.schemas import CrisisSupportRead
from affectrange.medications.catalogue import VerificationStatus
from affectrange.medications.models import MAX_DOSE_MG, MedicationEventKind
from affectrange.text import Day, MultiLineText, SingleLineText

MAX_MEDICATION_LENGTH = 120
MAX_NOTE_LENGTH = 1000
EVENT_KIND_MESSAGE = "Choose started, changed the dose, or stopped."
DOSE_RANGE_MESSAGE = f"Enter a dose above 0 and at most {MAX_DOSE_MG:,} mg."

MedicationName = Annotated[
    SingleLineText,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_MEDICATION_LENGTH),
]
OptionalNote = Annotated[MultiLineText | None, StringConstraints(strip_whitespace=True)]


class MedicationEventIn(BaseModel):
    """A start, dose change or stop. The dose is required except for a stop."""

    model_config = ConfigDict(extra="forbid")

    medication: Annotated[
        MedicationName,
        Field(description="Ingredient name; catalogue names get their RxNorm code"),
    ]
    event: Annotated[MedicationEventKind, Field(description="start, dose_change or stop")]
    date: Annotated[Day, Field(description="The day it happened; not later than today")]
    dose_mg: Annotated[
        float | None,
        Field(
            description="Daily dose in mg; optional for a stop",
            json_schema_extra={"exclusiveMinimum": 0, "maximum": MAX_DOSE_MG},
        ),
    ] = None
    note: Annotated[OptionalNote, Field(max_length=MAX_NOTE_LENGTH)] = None

    @field_validator("event", mode="before")
    @classmethod
    def _known_kind(cls, value: Any) -> Any:
        # One plain sentence instead of pydantic's enum listing, for the form and the API alike.
        if value not in tuple(kind.value for kind in MedicationEventKind):
            raise ValueError(EVENT_KIND_MESSAGE)
        return value

    @field_validator("dose_mg")
    @classmethod
    def _plausible_dose(cls, value: float | None) -> float | None:
        # Checked here rather than with gt/le, whose messages would read "more than 0.0".
        if value is not None and not 0 < value <= MAX_DOSE_MG:
            raise ValueError(DOSE_RANGE_MESSAGE)
        return value

    @field_validator("note")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class MedicationEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    medication: str
    rxcui: str | None = Field(description="RxNorm ingredient RXCUI, when the catalogue lists it")
    event: MedicationEventKind
    date: dt.date = Field(validation_alias="day")
    dose_mg: float | None
    note: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class MedicationEventList(BaseModel):
    events: list[MedicationEventRead] = Field(description="Oldest first")


class ReassessmentRead(BaseModel):
    instrument: str
    due_on: dt.date
    reason: str


class MedicationEventSaved(MedicationEventRead):
    reassessments: list[ReassessmentRead] = Field(
        description="Questionnaires asked again 2, 4 and 8 weeks after this event"
    )
    talk_to_prescriber: bool = Field(
        default=False,
        description="A stop, or a note about stopping: show the 'talk to your prescriber "
        "first' card",
    )
    crisis_support: CrisisSupportRead | None = Field(
        default=None,
        description="Present when the note contains crisis language: show these resources at once",
    )


class CatalogueEntryRead(BaseModel):
    name: str
    drug_class: str
    class_name: str
    rxcui: str | None
    rxcui_status: VerificationStatus = Field(
        description="CPIC (checked against the CPIC drug table), third_party or unverified"
    )
    note: str | None


class CatalogueResults(BaseModel):
    medications: list[CatalogueEntryRead]
