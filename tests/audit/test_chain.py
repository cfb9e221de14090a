"""The audit log's hash chain, by itself (pure: no database).

The expected hash of an entry is computed here from its canonical JSON written out by hand, so
a change to the field set, their order or the encoding cannot pass unnoticed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

import pytest

from affectrange.audit.chain import (
    GENESIS_HASH,
    ChainProblem,
    EntryFields,
    entry_hash,
    verify_chain,
)

AT = dt.datetime(2026, 6, 15, 16, 0, 5, 123456, tzinfo=dt.UTC)


def draft(seq: int = 1, previous_hash: str = GENESIS_HASH, **changes: Any) -> EntryFields:
    values: dict[str, Any] = {
        "seq": seq,
        "at": AT + dt.timedelta(minutes=seq),
        "actor_id": 3,
        "actor_label": "Carol <carol@example.org>",
        "actor_role": "clinician",
        "subject_id": 1,
        "action": "view_record",
        "detail": "record page (check-ins, questionnaires, medications, safety events)",
        "address": "198.51.100.23",
        "previous_hash": previous_hash,
    }
    values.update(changes)
    return EntryFields(**values)


def chain(length: int) -> list[tuple[EntryFields, str]]:
    """`length` linked entries, each with its hash, oldest first."""
    entries: list[tuple[EntryFields, str]] = []
    previous = GENESIS_HASH
    for seq in range(1, length + 1):
        fields = draft(seq, previous, detail=f"entry number {seq}")
        previous = entry_hash(fields)
        entries.append((fields, previous))
    return entries


def verify(entries: list[tuple[EntryFields, str]], **head: Any) -> tuple[ChainProblem, ...]:
    last_seq, last_hash = (entries[-1][0].seq, entries[-1][1]) if entries else (0, GENESIS_HASH)
    report = verify_chain(
        entries,
        head_seq=head.get("head_seq", last_seq),
        head_hash=head.get("head_hash", last_hash),
    )
    return report.problems


# --- one entry's hash --------------------------------------------------------------------------


def test_the_hash_is_sha256_of_the_sorted_compact_json_in_utc_microseconds() -> None:
    fields = draft(
        7,
        "ab" * 32,
        at=dt.datetime(2026, 6, 15, 12, 0, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=-4))),
        detail="report 2026-03-18 to 2026-06-15 as a PDF — ünïcode kept",
    )
    by_hand = (
        '{"action":"view_record",'
        '"actor_id":3,'
        '"actor_label":"Carol <carol@example.org>",'
        '"actor_role":"clinician",'
        '"address":"198.51.100.23",'
        '"at":"2026-06-15T16:00:05.123456+00:00",'
        '"detail":"report 2026-03-18 to 2026-06-15 as a PDF — ünïcode kept",'
        '"previous_hash":"' + "ab" * 32 + '",'
        '"seq":7,'
        '"subject_id":1}'
    )

    assert entry_hash(fields) == hashlib.sha256(by_hand.encode("utf-8")).hexdigest()


def test_the_same_instant_in_another_time_zone_gives_the_same_hash() -> None:
    new_york = AT.astimezone(dt.timezone(dt.timedelta(hours=-4)))

    assert entry_hash(draft(at=new_york)) == entry_hash(draft(at=AT))


def test_a_command_line_entry_without_actor_or_subject_hashes_its_nulls() -> None:
    fields = draft(actor_id=None, subject_id=None, actor_role="operator")

    assert entry_hash(fields) != entry_hash(draft(actor_id=0, subject_id=0, actor_role="operator"))
    assert len(entry_hash(fields)) == 64


OTHER_VALUES: dict[str, Any] = {
    "seq": 2,
    "at": AT + dt.timedelta(minutes=1, microseconds=1),
    "actor_id": 4,
    "actor_label": "Dave <dave@example.org>",
    "actor_role": "person",
    "subject_id": 2,
    "action": "export_report",
    "detail": "record page (check-ins)",
    "address": "198.51.100.24",
    "previous_hash": "f" * 64,
}


def test_every_field_is_named_above() -> None:
    assert {field.name for field in dataclasses.fields(EntryFields)} == set(OTHER_VALUES)


@pytest.mark.parametrize("name", sorted(OTHER_VALUES))
def test_changing_any_one_field_changes_the_hash(name: str) -> None:
    original = draft()
    changed = dataclasses.replace(original, **{name: OTHER_VALUES[name]})

    assert getattr(changed, name) != getattr(original, name)
    assert entry_hash(changed) != entry_hash(original)


def test_values_cannot_be_moved_between_fields_unnoticed() -> None:
    """Keys are part of what is hashed: swapping the label and the detail is a change."""
    original = draft(actor_label="same words", detail="other words")
    swapped = draft(actor_label="other words", detail="same words")

    assert entry_hash(swapped) != entry_hash(original)


# --- the chain ---------------------------------------------------------------------------------


def test_an_empty_log_at_genesis_is_intact() -> None:
    report = verify_chain([], head_seq=0, head_hash=GENESIS_HASH)

    assert report.intact
    assert (report.entries, report.head_seq, report.head_hash) == (0, 0, GENESIS_HASH)
    assert GENESIS_HASH == "0" * 64


def test_the_first_entry_must_link_to_genesis() -> None:
    first = draft(1, "1" * 64)

    problems = verify([(first, entry_hash(first))])

    assert problems == (ChainProblem(1, "entry 1 does not link to the entry before it"),)


def test_an_untouched_chain_is_intact() -> None:
    entries = chain(5)

    report = verify_chain(entries, head_seq=5, head_hash=entries[-1][1])

    assert report.intact
    assert report.entries == 5


def test_a_changed_field_is_named_by_its_entry() -> None:
    entries = chain(5)
    fields, stored = entries[2]
    entries[2] = (dataclasses.replace(fields, detail="nothing happened"), stored)

    assert verify(entries) == (ChainProblem(3, "entry 3 was changed after it was written"),)


def test_rehashing_a_changed_entry_breaks_the_link_to_the_next() -> None:
    entries = chain(5)
    forged = dataclasses.replace(entries[2][0], detail="nothing happened")
    entries[2] = (forged, entry_hash(forged))

    assert verify(entries) == (ChainProblem(4, "entry 4 does not link to the entry before it"),)


def test_a_removed_middle_entry_is_named_as_missing() -> None:
    entries = chain(5)
    del entries[2]

    assert verify(entries) == (
        ChainProblem(4, "entry 4 follows entry 2: entry 3 missing or out of order"),
        ChainProblem(4, "entry 4 does not link to the entry before it"),
    )


def test_several_removed_entries_are_named_as_a_range() -> None:
    entries = chain(6)
    del entries[1:4]

    assert verify(entries)[0] == ChainProblem(
        5, "entry 5 follows entry 1: entries 2 to 4 missing or out of order"
    )


def test_a_repeated_entry_is_named() -> None:
    entries = chain(3)
    entries.insert(2, entries[1])

    assert verify(entries, head_seq=3, head_hash=entries[-1][1])[0] == ChainProblem(
        2, "entry 2 follows entry 2: entry 2 repeated or out of order"
    )


def test_a_removed_tail_disagrees_with_the_head() -> None:
    entries = chain(5)
    head_hash = entries[-1][1]
    del entries[-1]

    assert verify(entries, head_seq=5, head_hash=head_hash) == (
        ChainProblem(
            4,
            "the log ends at entry 4 but its head says 5: "
            "entries at the end were removed or the head was changed",
        ),
    )


def test_an_entry_appended_behind_the_heads_back_is_reported() -> None:
    entries = chain(5)
    head_hash = entries[-1][1]
    forged = draft(6, head_hash, detail="planted")
    entries.append((forged, entry_hash(forged)))

    problems = verify(entries, head_seq=5, head_hash=head_hash)

    assert [problem.seq for problem in problems] == [6]
    assert "head says 5" in problems[0].message


def test_problems_are_capped() -> None:
    entries = [(fields, "0" * 64) for fields, _ in chain(30)]

    report = verify_chain(entries, head_seq=30, head_hash="0" * 64, max_problems=5)

    assert len(report.problems) == 5
    assert not report.intact
