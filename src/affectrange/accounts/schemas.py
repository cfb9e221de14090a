"""Input and output shapes for accounts (pydantic). ORM models live in models.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
)

from affectrange.text import SingleLineText

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)]

CONFIRMATION_WORD = "DELETE"
"""What a person types to confirm that their account is to be deleted."""
CONFIRMATION_MESSAGE = f"Type {CONFIRMATION_WORD} in capital letters to confirm."


def is_confirmed(confirmation: str) -> bool:
    return confirmation.strip() == CONFIRMATION_WORD


ShortText = Annotated[SingleLineText, StringConstraints(strip_whitespace=True, max_length=100)]


class RegisterForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr  # email-validator refuses control characters itself
    display_name: ShortText = ""
    password: Password
    password_repeat: str
    timezone: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value and value not in _TIMEZONES:
            raise ValueError("Unknown time zone; pick one from the list")
        return value


class LoginForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[
        SingleLineText, StringConstraints(strip_whitespace=True, min_length=1, max_length=320)
    ]
    password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class PasswordChangeForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
    new_password: Password
    new_password_repeat: str


class AccountDeletionForm(BaseModel):
    """The delete-my-account form, and the body of DELETE /api/v1/account."""

    model_config = ConfigDict(extra="forbid")

    password: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_PASSWORD_LENGTH,
            description="Your current password, asked again",
        ),
    ]
    confirm: Annotated[
        str,
        Field(
            max_length=100,
            validate_default=True,
            description=f'The word "{CONFIRMATION_WORD}", in capital letters',
        ),
    ] = ""

    @field_validator("confirm")
    @classmethod
    def _typed_the_word(cls, value: str) -> str:
        if not is_confirmed(value):
            raise ValueError(CONFIRMATION_MESSAGE)
        return value


class TokenRequest(BaseModel):
    """Body of POST /api/v1/auth/token."""

    model_config = ConfigDict(extra="forbid")

    email: Annotated[
        SingleLineText, StringConstraints(strip_whitespace=True, min_length=1, max_length=320)
    ]
    password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
    name: ShortText = "API token"


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a scheme name, not a secret)
    id: int
    name: str


class ApiTokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None


class TokenCreateForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        SingleLineText, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
    ]


_TIMEZONES = frozenset(available_timezones())


def timezone_choices() -> list[str]:
    return sorted(_TIMEZONES)
