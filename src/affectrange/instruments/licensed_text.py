"""Item text for licensed plug-ins, read from a file the host is licensed to hold.

The format is documented in LICENSED_TEXT.md next to this module. Loading is strict: the file must
give text for every item and a label for every option of the plug-in, and nothing else, so a
file for another version of the questionnaire is refused rather than half applied. Every error
names the file and the place in it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from .model import Instrument, Item, ResponseOption, Subscale
from .registry import PLUGINS, built_in

FORMAT: Final = 1
_REQUIRED_KEYS: Final = frozenset({"format", "instrument", "version", "items"})
_TOP_KEYS: Final = _REQUIRED_KEYS | {"name", "stem", "domains"}
_ITEM_KEYS: Final = frozenset({"text", "options", "preamble"})


class LicensedTextError(ValueError):
    """A licensed text file that cannot be used, with the file and the problem named."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def load_licensed_text(instrument_id: str, path: Path) -> Instrument:
    """The plug-in `instrument_id` with the item text and answer labels from `path`."""
    base = built_in(instrument_id)
    if not base.licensed_text:
        plugins = ", ".join(plugin.id for plugin in PLUGINS)
        raise LicensedTextError(
            path, f"{instrument_id} ships its own text; only licensed plug-ins ({plugins}) load it"
        )
    document = _read(path)
    return _Loader(base, path).apply(document)


def _read(path: Path) -> dict[str, object]:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as error:
        raise LicensedTextError(path, f"cannot be read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise LicensedTextError(path, "is not UTF-8 text") from None
    try:
        document: object = json.loads(raw, object_pairs_hook=_refuse_repeated_keys)
    except json.JSONDecodeError as error:
        raise LicensedTextError(
            path, f"is not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from None
    except _RepeatedKey as error:
        raise LicensedTextError(
            path, f"the key {error.key!r} appears twice in one object"
        ) from None
    if not isinstance(document, dict):
        raise LicensedTextError(path, "must hold one JSON object")
    return document


class _RepeatedKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_repeated_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    # json would silently keep the last of two equal keys; a licensed text must be unambiguous.
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _RepeatedKey(key)
        result[key] = value
    return result


class _Loader:
    def __init__(self, base: Instrument, path: Path) -> None:
        self.base = base
        self.path = path

    def fail(self, problem: str) -> LicensedTextError:
        return LicensedTextError(self.path, problem)

    def apply(self, document: dict[str, object]) -> Instrument:
        self.check_keys(document, _TOP_KEYS, "the file", required=_REQUIRED_KEYS)
        if document["format"] != FORMAT:
            raise self.fail(f"format must be {FORMAT}, not {document['format']!r}")
        if document["instrument"] != self.base.id:
            raise self.fail(
                f"instrument is {document['instrument']!r}, but this file was loaded for "
                f"{self.base.id!r}"
            )
        version = self.string(document["version"], "version")
        items = self.items(self.mapping(document["items"], "items"))
        name = self.string(document["name"], "name") if "name" in document else self.base.name
        stem = self.string(document["stem"], "stem") if "stem" in document else self.base.stem
        subscales = (
            self.domains(self.mapping(document["domains"], "domains"))
            if "domains" in document
            else self.base.subscales
        )
        return dataclasses.replace(
            self.base,
            items=items,
            name=name,
            stem=stem,
            subscales=subscales,
            text_version=version,
        )

    def check_keys(
        self,
        found: Mapping[str, object],
        allowed: frozenset[str],
        where: str,
        *,
        required: frozenset[str] = frozenset(),
    ) -> None:
        unknown = sorted(set(found) - allowed)
        if unknown:
            raise self.fail(
                f"{where}: unknown key(s) {', '.join(unknown)} "
                f"(allowed: {', '.join(sorted(allowed))})"
            )
        absent = sorted(required - set(found))
        if absent:
            raise self.fail(f"{where}: missing key(s) {', '.join(absent)}")

    def mapping(self, value: object, where: str) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.fail(f"{where} must be a JSON object")
        return value

    def string(self, value: object, where: str, *, empty: bool = False) -> str:
        if not isinstance(value, str) or not (empty or value.strip()):
            raise self.fail(f"{where} must be a{'' if empty else ' non-empty'} string")
        return value

    def items(self, given: dict[str, object]) -> tuple[Item, ...]:
        ids = [item.id for item in self.base.items]
        unknown = [item_id for item_id in given if item_id not in ids]
        if unknown:
            raise self.fail(
                f"items: unknown item id(s) {', '.join(unknown)} for {self.base.id} "
                f"(its items are {', '.join(ids)})"
            )
        absent = [item_id for item_id in ids if item_id not in given]
        if absent:
            raise self.fail(f"items: no text for item(s) {', '.join(absent)}")
        return tuple(self.item(item, given[item.id]) for item in self.base.items)

    def item(self, item: Item, given: object) -> Item:
        where = f"items.{item.id}"
        fields = self.mapping(given, where)
        self.check_keys(fields, _ITEM_KEYS, where, required=frozenset({"text", "options"}))
        text = self.string(fields["text"], f"{where}.text")
        preamble = (
            self.string(fields["preamble"], f"{where}.preamble") if "preamble" in fields else None
        )
        labels = self.mapping(fields["options"], f"{where}.options")
        return dataclasses.replace(
            item, text=text, preamble=preamble, options=self.options(item, labels, where)
        )

    def options(
        self, item: Item, labels: dict[str, object], where: str
    ) -> tuple[ResponseOption, ...]:
        codes = [str(option.value) for option in item.options]
        unknown = [code for code in labels if code not in codes]
        if unknown:
            raise self.fail(
                f"{where}.options: unknown option(s) {', '.join(unknown)} "
                f"(item {item.id} has options {', '.join(codes)})"
            )
        absent = [code for code in codes if code not in labels]
        if absent:
            raise self.fail(f"{where}.options: no label for option(s) {', '.join(absent)}")
        # An empty label is allowed: some scales print words only at a few points (WSAS 0/2/4/6/8).
        return tuple(
            dataclasses.replace(
                option,
                label=self.string(
                    labels[str(option.value)], f"{where}.options.{option.value}", empty=True
                ),
            )
            for option in item.options
        )

    def domains(self, given: dict[str, object]) -> tuple[Subscale, ...]:
        """A replacement item-to-domain mapping (ODQ), from the licensed manual."""
        if not self.base.subscales:
            raise self.fail(f"domains: {self.base.id} has no domains")
        names = {subscale.id: subscale.name for subscale in self.base.subscales}
        if set(given) != set(names):
            raise self.fail(f"domains: must list exactly {', '.join(names)}")
        expected = [item_id for subscale in self.base.subscales for item_id in subscale.item_ids]
        seen: list[str] = []
        subscales: list[Subscale] = []
        for domain, name in names.items():
            members = given[domain]
            if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
                raise self.fail(f"domains.{domain} must be a list of item ids")
            seen.extend(members)
            subscales.append(Subscale(domain, name, tuple(members)))
        problems = [
            *(f"{item_id} is not a domain item" for item_id in seen if item_id not in expected),
            *(f"{item_id} is in no domain" for item_id in expected if item_id not in seen),
            *(
                f"{item_id} appears {seen.count(item_id)} times"
                for item_id in dict.fromkeys(seen)
                if seen.count(item_id) > 1
            ),
        ]
        if problems:
            raise self.fail(f"domains: {'; '.join(problems)}")
        return tuple(subscales)
