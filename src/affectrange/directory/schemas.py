"""Search input (shared by the command line, the HTML page and the JSON API) and its output."""

from __future__ import annotations

from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from affectrange.directory.geo import ZipCentroidGeocoder, normalize_zip, zip_centroid
from affectrange.directory.taxonomy import ProviderType
from affectrange.directory.vocabulary import (
    AGE_GROUPS,
    GENDERS,
    ISSUES,
    LANGUAGES,
    MODALITIES,
    US_STATES,
)

MAX_RADIUS_MILES: Final = 250
DEFAULT_RADIUS_MILES: Final = 10
MAX_LIMIT: Final = 200


def _codes(value: Any, vocabulary: dict[str, str] | Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    codes = tuple(dict.fromkeys(str(item).strip().lower() for item in items if str(item).strip()))
    unknown = [code for code in codes if code not in vocabulary]
    if unknown:
        raise ValueError(
            f"unknown {what} {', '.join(repr(code) for code in unknown)}; "
            f"choose from {', '.join(vocabulary)}"
        )
    return codes


class DirectoryQuery(BaseModel):
    """Where to look and what matters. Hard filters exclude; preferences only order.

    Hard: place (within `radius_miles` of `zip`, and/or online and licensed in `state`), `plan`,
    `provider_type`, `accepting`, `age_group`, `gender`, and the fee (`max_fee_usd` or
    `sliding_scale`; with both, either suffices). Preferences: `issues`, `modalities`, `languages`
    and `prefer_prescribers` (each met one counts one point).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    zip: Annotated[
        str | None,
        Field(description="US ZIP code to search around, or an address ending in a ZIP code"),
    ] = None
    radius_miles: Annotated[float, Field(gt=0, le=MAX_RADIUS_MILES)] = DEFAULT_RADIUS_MILES
    state: Annotated[
        str | None, Field(description="USPS state for online care; defaults to the ZIP's state")
    ] = None
    telehealth: Annotated[bool, Field(description="Include online care in `state`")] = False
    plan: Annotated[str | None, Field(description="Insurance plan id (InsurancePlan)")] = None
    provider_type: ProviderType | None = None
    issues: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    age_group: str | None = None
    gender: str | None = None
    accepting: bool = False
    max_fee_usd: Annotated[int | None, Field(ge=0, le=10_000)] = None
    sliding_scale: bool = False
    prefer_prescribers: bool = False
    suggested: tuple[str, ...] = ()
    """Terms the person's profile proposed ("modality:cpt", "prefer:prescribers"), so a reason
    can say where it came from; the person can remove each."""
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 20

    @field_validator("zip")
    @classmethod
    def _known_zip(cls, value: str | None) -> str | None:
        """A ZIP code, or an address: the offline geocoder places an address at the centroid of
        the ZIP it ends with (street-level geocoding is pluggable, see geo.Geocoder)."""
        if value is None or not value.strip():
            return None
        normalized = normalize_zip(value)
        if normalized is None:
            placed = ZipCentroidGeocoder().geocode(value)
            if placed is None:
                raise ValueError(f"{value!r} is not a US ZIP code or an address ending in one")
            normalized = normalize_zip(placed.zip_code)
        if normalized is None or zip_centroid(normalized) is None:
            raise ValueError(f"ZIP code {normalized or value} is not one we can place")
        return normalized

    @field_validator("state")
    @classmethod
    def _known_state(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        state = value.strip().upper()
        if state not in US_STATES:
            raise ValueError(f"{value!r} is not a US state or territory code such as CT")
        return state

    @field_validator("plan", "age_group", "gender", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("issues", mode="before")
    @classmethod
    def _issues(cls, value: Any) -> tuple[str, ...]:
        return _codes(value, ISSUES, "issue")

    @field_validator("modalities", mode="before")
    @classmethod
    def _modalities(cls, value: Any) -> tuple[str, ...]:
        return _codes(value, MODALITIES, "modality")

    @field_validator("languages", mode="before")
    @classmethod
    def _languages(cls, value: Any) -> tuple[str, ...]:
        return _codes(value, LANGUAGES, "language")

    @field_validator("age_group")
    @classmethod
    def _age_group(cls, value: str | None) -> str | None:
        return _codes(value, AGE_GROUPS, "age group")[0] if value else None

    @field_validator("gender")
    @classmethod
    def _gender(cls, value: str | None) -> str | None:
        return _codes(value, GENDERS, "gender")[0] if value else None

    @model_validator(mode="after")
    def _somewhere(self) -> DirectoryQuery:
        if self.zip is None and not (self.telehealth and self.state):
            raise ValueError("Give a ZIP code to search nearby, or a state with online care.")
        return self

    @property
    def online_state(self) -> str | None:
        """The state whose licensed online providers are included, if online care is asked for."""
        if not self.telehealth:
            return None
        if self.state:
            return self.state
        centroid = zip_centroid(self.zip) if self.zip else None
        return centroid.state if centroid else None


class MatchRead(BaseModel):
    """One provider in the results, best first (CONTRACTS.md section 5)."""

    npi: str
    name: str
    credentials: str | None
    distance_miles: float | None
    """Great-circle miles from the ZIP's centroid; null for an online-only match."""
    why: list[str]
    """Why this provider matched: every hard filter met and every preference met."""
    unmet: list[str]
    """Preferences asked for that this provider does not list."""
    provider_types: list[str]
    specialties: list[str]
    address: str | None
    phone: str | None
    telehealth: bool
    accepting_new_patients: bool | None
    network: str | None
    can_be_contacted: bool
    position_source: str | None
