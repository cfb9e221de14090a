"""Turn pydantic's errors into one plain message per field, named as the form names it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from affectrange.errors import InvalidInput

# Location parts that are containers, not field names.
_CONTAINERS = frozenset({"body", "query", "path", "header", "cookie"})


def field_messages(errors: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    messages: dict[str, str] = {}
    for error in errors:
        name = _field_name(error.get("loc", ()))
        messages.setdefault(name, _plain_message(error))
    return messages


def validation_messages(error: ValidationError) -> dict[str, str]:
    return field_messages(error.errors())


def form_errors(error: ValidationError | InvalidInput) -> dict[str, str]:
    """One message per field, whether the form's model or the service refused the input."""
    return error.fields if isinstance(error, InvalidInput) else validation_messages(error)


def _field_name(location: Sequence[Any]) -> str:
    parts = [str(part) for part in location if str(part) not in _CONTAINERS]
    return ".".join(parts) or "body"


def _plain_message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    match kind:
        case "missing":
            return "This is required."
        case "extra_forbidden":
            return "Unknown field; it is not part of this form."
        case "int_parsing" | "int_type" | "int_from_float":
            return "Enter a whole number."
        case "float_parsing" | "float_type":
            return "Enter a number."
        case "greater_than_equal" | "less_than_equal" | "greater_than" | "less_than":
            return _range_message(kind, context)
        case "date_from_datetime_parsing" | "date_parsing" | "date_type":
            return "Enter a date as YYYY-MM-DD."
        case "string_too_long" | "too_long":
            return f"Too long: at most {context.get('max_length')} characters."
        case "string_too_short":
            minimum = context.get("min_length")
            return "This is required." if minimum == 1 else f"At least {minimum} characters."
        case _:
            return str(error.get("msg", "Not valid.")).removeprefix("Value error, ")


def _range_message(kind: str, context: Mapping[str, Any]) -> str:
    bound = next(iter(context.values()), "?")
    words = {
        "greater_than_equal": "at least",
        "less_than_equal": "at most",
        "greater_than": "more than",
        "less_than": "less than",
    }
    return f"Must be {words[kind]} {bound}."


def form_values(
    raw: Iterable[tuple[str, Any]], *, ignore: Iterable[str] = ("csrf_token",)
) -> dict[str, str]:
    """A submitted form as a dict of its non-empty text fields (empty means "not given")."""
    skipped = set(ignore)
    values: dict[str, str] = {}
    for name, value in raw:
        if name in skipped or not isinstance(value, str):
            continue
        if value.strip():
            values[name] = value
    return values
