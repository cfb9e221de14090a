"""Shared input rules for text and numbers that the database must be able to store."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Final

from pydantic import AfterValidator, Field

# PostgreSQL refuses NUL in text, and no person means to type a control character; refusing them
# here turns what would be a database error into a message naming the field.
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_BREAK: Final = re.compile(r"[\x00-\x1f\x7f]")

EARLIEST_DAY: Final = dt.date(1900, 1, 1)
LATEST_DAY: Final = dt.date(9999, 12, 31)
MAX_ROW_ID: Final = 2**31 - 1
"""Ids are 32-bit integers in the database; a larger number can match nothing."""


def _refuse(pattern: re.Pattern[str], value: str) -> str:
    if pattern.search(value):
        raise ValueError("Contains a control character; please remove it.")
    return value


def _single_line(value: str) -> str:
    return _refuse(_CONTROL_OR_BREAK, value)


def _multi_line(value: str) -> str:
    return _refuse(_CONTROL, value)


SingleLineText = Annotated[str, AfterValidator(_single_line)]
"""Names, e-mail addresses, short answers: no control characters at all."""
MultiLineText = Annotated[str, AfterValidator(_multi_line)]
"""Notes: line breaks and tabs allowed, other control characters not."""
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
Day = Annotated[dt.date, Field(ge=EARLIEST_DAY, le=LATEST_DAY)]
