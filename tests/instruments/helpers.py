"""Answer builders for the instrument tests: scores written out by hand, item by item."""

from __future__ import annotations

from collections.abc import Iterable

from affectrange.instruments import Instrument


def items(*scores: int | None, first: int = 1) -> dict[str, int | None]:
    """{"q1": scores[0], "q2": scores[1], ...}."""
    return {f"q{first + offset}": score for offset, score in enumerate(scores)}


def placeholder_document(instrument: Instrument) -> dict[str, object]:
    """A complete licensed-text file for a plug-in, with our own placeholder words."""
    return {
        "format": 1,
        "instrument": instrument.id,
        "version": "placeholder 1",
        "items": {
            item.id: {
                "text": f"Placeholder item {item.id}",
                "options": {
                    str(option.value): f"Placeholder option {option.value}"
                    for option in item.options
                },
            }
            for item in instrument.items
        },
    }


def ids(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"q{n}" for n in range(first, last + 1))


def without(answers: dict[str, int | None], dropped: Iterable[str]) -> dict[str, int | None]:
    return {key: None if key in set(dropped) else value for key, value in answers.items()}
