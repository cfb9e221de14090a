"""Loading licensed item text from a host file (format: instruments/LICENSED_TEXT.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from affectrange.instruments import (
    LicensedTextError,
    UnknownInstrument,
    built_in,
    get_instrument,
    load_licensed_text,
    register_instrument,
    reset_registry,
)

from .helpers import items, placeholder_document

PLUGINS = ("odq", "shaps", "wsas", "dast10")


@pytest.fixture
def clean_registry() -> Iterator[None]:
    yield
    reset_registry()


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def document(instrument_id: str) -> dict[str, Any]:
    return placeholder_document(built_in(instrument_id))


@pytest.mark.parametrize("instrument_id", PLUGINS)
def test_a_placeholder_file_fills_every_text_and_label(tmp_path: Path, instrument_id: str) -> None:
    path = write(tmp_path / f"{instrument_id}.json", document(instrument_id))

    loaded = load_licensed_text(instrument_id, path)

    assert [item.text for item in loaded.items] == [
        f"Placeholder item {item.id}" for item in loaded.items
    ]
    assert all(
        option.label == f"Placeholder option {option.value}"
        for item in loaded.items
        for option in item.options
    )
    assert loaded.text_version == "placeholder 1"
    assert loaded.licensed_text is True
    # The shipped definition is untouched.
    assert all(item.text is None for item in built_in(instrument_id).items)


def test_loaded_text_changes_no_score(tmp_path: Path) -> None:
    loaded = load_licensed_text("dast10", write(tmp_path / "d.json", document("dast10")))
    answers = items(1, 0, 0, 1, 1, 0, 0, 0, 1, 0)

    assert loaded.score(answers) == built_in("dast10").score(answers)
    assert [o.score for o in loaded.item("q3").options] == [1, 0]


def test_optional_name_stem_and_preamble(tmp_path: Path) -> None:
    content = document("shaps")
    content.update(name="Placeholder name", stem="Placeholder stem")
    content["items"]["q1"]["preamble"] = "Placeholder preamble"

    loaded = load_licensed_text("shaps", write(tmp_path / "s.json", content))

    assert (loaded.name, loaded.stem) == ("Placeholder name", "Placeholder stem")
    assert loaded.item("q1").preamble == "Placeholder preamble"


def test_empty_labels_are_allowed_for_unlabelled_scale_points(tmp_path: Path) -> None:
    content = document("wsas")
    content["items"]["q1"]["options"]["1"] = ""

    loaded = load_licensed_text("wsas", write(tmp_path / "w.json", content))

    assert loaded.item("q1").options[1].label == ""


def test_a_registered_loaded_plug_in_is_what_get_instrument_returns(
    tmp_path: Path, clean_registry: None
) -> None:
    loaded = load_licensed_text("shaps", write(tmp_path / "s.json", document("shaps")))

    register_instrument(loaded, replace=True)

    assert get_instrument("shaps").item("q1").text == "Placeholder item q1"


def refused(tmp_path: Path, instrument_id: str, content: Any) -> str:
    path = write(tmp_path / "licensed.json", content)
    with pytest.raises(LicensedTextError) as caught:
        load_licensed_text(instrument_id, path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    assert caught.value.path == path
    return message


def test_unknown_item_id_is_refused(tmp_path: Path) -> None:
    content = document("shaps")
    content["items"]["q15"] = {"text": "Placeholder item 15", "options": {}}

    message = refused(tmp_path, "shaps", content)

    assert "items: unknown item id(s) q15 for shaps" in message


def test_missing_item_is_refused(tmp_path: Path) -> None:
    content = document("dast10")
    del content["items"]["q7"]

    assert "items: no text for item(s) q7" in refused(tmp_path, "dast10", content)


def test_missing_option_is_refused(tmp_path: Path) -> None:
    content = document("shaps")
    del content["items"]["q3"]["options"]["3"]

    assert "items.q3.options: no label for option(s) 3" in refused(tmp_path, "shaps", content)


def test_unknown_option_is_refused(tmp_path: Path) -> None:
    content = document("odq")
    content["items"]["q2"]["options"]["0"] = "Placeholder option 0"

    message = refused(tmp_path, "odq", content)

    assert "items.q2.options: unknown option(s) 0 (item q2 has options 1, 2, 3, 4, 5)" in message


def test_missing_routing_item_is_refused(tmp_path: Path) -> None:
    content = document("wsas")
    del content["items"]["working"]

    assert "no text for item(s) working" in refused(tmp_path, "wsas", content)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c.update(instrument="wsas"), "instrument is 'wsas', but this file was loaded"),
        (lambda c: c.update(format=2), "format must be 1, not 2"),
        (lambda c: c.pop("version"), "the file: missing key(s) version"),
        (lambda c: c.update(extra=1), "the file: unknown key(s) extra"),
        (lambda c: c["items"]["q1"].update(text=""), "items.q1.text must be a non-empty string"),
        (lambda c: c["items"]["q1"].update(text=3), "items.q1.text must be a non-empty string"),
        (lambda c: c["items"]["q1"].update(label="x"), "items.q1: unknown key(s) label"),
        (lambda c: c["items"]["q1"].pop("options"), "items.q1: missing key(s) options"),
        (
            lambda c: c["items"]["q1"]["options"].update({"0": None}),
            "items.q1.options.0 must be a string",
        ),
        (lambda c: c.update(items=[]), "items must be a JSON object"),
        (lambda c: c.update(domains={}), "domains: shaps has no domains"),
    ],
)
def test_malformed_files_are_refused(tmp_path: Path, change: Any, expected: str) -> None:
    content = document("shaps")
    change(content)

    assert expected in refused(tmp_path, "shaps", content)


def test_invalid_json_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": 1,\n  "items": {,}\n}', encoding="utf-8")

    with pytest.raises(LicensedTextError, match=r"broken\.json: is not valid JSON \(line 3"):
        load_licensed_text("shaps", path)


def test_repeated_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    path.write_text('{"format": 1, "format": 1}', encoding="utf-8")

    with pytest.raises(LicensedTextError, match="the key 'format' appears twice"):
        load_licensed_text("shaps", path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"

    with pytest.raises(LicensedTextError, match=r"absent\.json: cannot be read"):
        load_licensed_text("shaps", path)


def test_a_file_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    assert "must hold one JSON object" in refused(tmp_path, "shaps", ["shaps"])


def test_public_domain_instruments_load_no_text(tmp_path: Path) -> None:
    with pytest.raises(LicensedTextError, match="phq9 ships its own text"):
        load_licensed_text("phq9", write(tmp_path / "p.json", {}))


def test_unknown_instrument(tmp_path: Path) -> None:
    with pytest.raises(UnknownInstrument):
        load_licensed_text("madrs", write(tmp_path / "m.json", {}))


def licensed_domains() -> dict[str, list[str]]:
    """A mapping other than the assumed one, as a licensed manual might give it."""
    return {
        "GR": ["q1", "q5", "q9", "q13", "q17"],
        "RP": ["q2", "q6", "q10", "q14", "q18"],
        "ED": ["q3", "q7", "q11", "q15", "q19"],
        "NC": ["q4", "q8", "q12", "q16", "q20"],
        "AC": ["q21", "q22", "q23", "q24", "q25", "q26"],
    }


def test_odq_domains_from_the_licensed_manual_replace_the_assumed_mapping(
    tmp_path: Path,
) -> None:
    content = document("odq")
    content["domains"] = licensed_domains()
    loaded = load_licensed_text("odq", write(tmp_path / "odq.json", content))
    # q1..q4 at 1..4, repeating: GR gets every 1, RP every 2, ED every 3, NC every 4.
    answers = {**items(*[1, 2, 3, 4] * 5, *[5] * 6), "antidepressant": 1}

    result = loaded.score(answers)

    assert [s.assumed for s in loaded.subscales] == [False] * 5
    assert result.details["domain_mapping_assumed"] is False
    assert [result.details[d] for d in ("GR", "RP", "ED", "NC", "AC")] == [5, 10, 15, 20, 30]
    assert (result.details["odq20"], result.total) == (50, 80)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["GR"].append("q2"), "q2 appears 2 times"),
        (lambda d: d["GR"].remove("q1"), "q1 is in no domain"),
        (lambda d: d["GR"].append("antidepressant"), "antidepressant is not a domain item"),
        (lambda d: d.pop("AC"), "domains: must list exactly GR, RP, ED, NC, AC"),
        (lambda d: d.update(AC="q21"), "domains.AC must be a list of item ids"),
    ],
)
def test_bad_odq_domains_are_refused(tmp_path: Path, change: Any, expected: str) -> None:
    content = document("odq")
    domains = licensed_domains()
    change(domains)
    content["domains"] = domains

    assert expected in refused(tmp_path, "odq", content)
