"""Every instrument by id: the shipped ones, the licensed plug-ins, and any a host registers.

A host that holds a licence registers the text-bearing version of a plug-in at start-up:
`register_instrument(load_licensed_text("shaps", path), replace=True)`.
"""

from __future__ import annotations

from typing import Final

from .auditc import AUDITC
from .blunting_check import BLUNTING_CHECK
from .gad7 import GAD7
from .model import Instrument
from .pcl5 import PCL5
from .pcptsd5 import PCPTSD5
from .phq import PHQ2, PHQ9
from .plugins.dast10 import DAST10
from .plugins.odq import ODQ
from .plugins.shaps import SHAPS
from .plugins.wsas import WSAS

SHIPPED: Final = (PHQ9, PHQ2, GAD7, PCL5, PCPTSD5, AUDITC, BLUNTING_CHECK)
"""Shipped with their text (public domain, or our own words)."""
PLUGINS: Final = (ODQ, SHAPS, WSAS, DAST10)
"""Scoring only; their text comes from a file the host is licensed to hold."""

_BUILT_IN: Final = {instrument.id: instrument for instrument in (*SHIPPED, *PLUGINS)}
_registered: dict[str, Instrument] = dict(_BUILT_IN)


class UnknownInstrument(KeyError):
    """No instrument has this id."""

    def __init__(self, instrument_id: str, known: tuple[str, ...]) -> None:
        super().__init__(instrument_id)
        self.instrument_id = instrument_id
        self.message = f"unknown instrument {instrument_id!r}; known: {', '.join(known)}"

    def __str__(self) -> str:
        # KeyError would print the repr of its argument; say what is wrong instead.
        return self.message


def instrument_ids() -> tuple[str, ...]:
    return tuple(_registered)


def get_instrument(instrument_id: str) -> Instrument:
    try:
        return _registered[instrument_id]
    except KeyError:
        raise UnknownInstrument(instrument_id, instrument_ids()) from None


def built_in(instrument_id: str) -> Instrument:
    """The definition as this package ships it, whatever a host has registered since."""
    try:
        return _BUILT_IN[instrument_id]
    except KeyError:
        raise UnknownInstrument(instrument_id, tuple(_BUILT_IN)) from None


def register_instrument(instrument: Instrument, *, replace: bool = False) -> None:
    """Add a plug-in, or (with replace=True) swap in another version of a registered one."""
    if instrument.id in _registered and not replace:
        raise ValueError(f"instrument {instrument.id!r} is already registered; pass replace=True")
    _registered[instrument.id] = instrument


def reset_registry() -> None:
    """Back to the built-in definitions (for tests, and hosts that reload their licences)."""
    _registered.clear()
    _registered.update(_BUILT_IN)
