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
    ERASED,
    GENESIS_HASH,
    ChainProblem,
    EntryFields,
    Personal,
    StoredEntry,
    entry_hash,
    new_salt,
    personal_digest,
    verify_chain,
)

AT = dt.datetime(2026, 6, 15, 16, 0, 5, 123456, tzinfo=dt.UTC)
SALT = "5a" * 16

CAROL_READS_ALICE = Personal(
    actor_id=3,
    actor_label="Carol <carol@example.org>",
    subject_id=1,
    detail="record page (check-ins, questionnaires, medications, safety events)",
    address="198.51.100.23",
)


def draft(seq: int = 1, previous_hash: str = GENESIS_HASH, **changes: Any) -> EntryFields:
    values: dict[str, Any] = {
        "seq": seq,
        "at": AT + dt.timedelta(minutes=seq),
        "actor_role": "clinician",
        "action": "view_record",
        "previous_hash": previous_hash,
        "personal_digest": personal_digest(SALT, CAROL_READS_ALICE),
        "erases": None,
    }
    values.update(changes)
    return EntryFields(**values)


def stored(
    fields: EntryFields,
    stored_hash: str | None = None,
    *,
    personal: Personal = CAROL_READS_ALICE,
    salt: str | None = SALT,
    erased_by: int | None = None,
) -> StoredEntry:
    return StoredEntry(
        fields=fields,
        hash=entry_hash(fields) if stored_hash is None else stored_hash,
        personal=personal,
        personal_salt=salt,
        erased_by_seq=erased_by,
    )


def about(subject_id: int, seq: int) -> Personal:
    return dataclasses.replace(CAROL_READS_ALICE, subject_id=subject_id, detail=f"entry {seq}")


def chain(length: int, *, subjects: dict[int, int] | None = None) -> list[StoredEntry]:
    """`length` linked entries, oldest first; entry n is about person 1 unless `subjects` says
    otherwise."""
    entries: list[StoredEntry] = []
    previous = GENESIS_HASH
    for seq in range(1, length + 1):
        personal = about((subjects or {}).get(seq, 1), seq)
        salt = new_salt()
        fields = draft(seq, previous, personal_digest=personal_digest(salt, personal))
        entry = stored(fields, personal=personal, salt=salt)
        previous = entry.hash
        entries.append(entry)
    return entries


def verify(entries: list[StoredEntry], **head: Any) -> tuple[ChainProblem, ...]:
    last_seq, last_hash = (
        (entries[-1].fields.seq, entries[-1].hash) if entries else (0, GENESIS_HASH)
    )
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
        personal_digest="cd" * 32,
        erases=4,
    )
    by_hand = (
        '{"action":"view_record",'
        '"actor_role":"clinician",'
        '"at":"2026-06-15T16:00:05.123456+00:00",'
        '"erases":4,'
        '"personal_digest":"' + "cd" * 32 + '",'
        '"previous_hash":"' + "ab" * 32 + '",'
        '"seq":7}'
    )

    assert entry_hash(fields) == hashlib.sha256(by_hand.encode("utf-8")).hexdigest()


def test_an_entry_that_erases_nothing_hashes_a_null() -> None:
    by_hand = (
        '{"action":"view_record","actor_role":"clinician","at":"2026-06-15T16:01:05.123456+00:00",'
        '"erases":null,"personal_digest":"'
        + "cd" * 32
        + '","previous_hash":"'
        + GENESIS_HASH
        + '",'
        '"seq":1}'
    )

    fields = draft(personal_digest="cd" * 32)

    assert entry_hash(fields) == hashlib.sha256(by_hand.encode("utf-8")).hexdigest()


def test_the_personal_digest_is_sha256_of_the_salt_and_the_personal_fields() -> None:
    personal = dataclasses.replace(CAROL_READS_ALICE, detail="report as a PDF — ünïcode kept")
    by_hand = (
        '{"actor_id":3,'
        '"actor_label":"Carol <carol@example.org>",'
        '"address":"198.51.100.23",'
        '"detail":"report as a PDF — ünïcode kept",'
        '"salt":"' + SALT + '",'
        '"subject_id":1}'
    )

    assert personal_digest(SALT, personal) == hashlib.sha256(by_hand.encode("utf-8")).hexdigest()


def test_the_salt_makes_equal_fields_give_unequal_digests() -> None:
    """Without the salt, an erased entry's digest would confirm a guess of whom it was about."""
    first, second = new_salt(), new_salt()

    assert first != second
    assert len(first) == 32
    assert personal_digest(first, CAROL_READS_ALICE) != personal_digest(second, CAROL_READS_ALICE)


def test_the_same_instant_in_another_time_zone_gives_the_same_hash() -> None:
    new_york = AT.astimezone(dt.timezone(dt.timedelta(hours=-4)))

    assert entry_hash(draft(at=new_york)) == entry_hash(draft(at=AT))


def test_a_command_line_entry_without_actor_or_subject_digests_its_nulls() -> None:
    nobody = Personal(None, "the operator", None, "export", "command line")
    zeroes = Personal(0, "the operator", 0, "export", "command line")

    assert personal_digest(SALT, nobody) != personal_digest(SALT, zeroes)


OTHER_VALUES: dict[str, Any] = {
    "seq": 2,
    "at": AT + dt.timedelta(minutes=1, microseconds=1),
    "actor_role": "person",
    "action": "export_report",
    "previous_hash": "f" * 64,
    "personal_digest": "e" * 64,
    "erases": 3,
}

OTHER_PERSONAL: dict[str, Any] = {
    "actor_id": 4,
    "actor_label": "Dave <dave@example.org>",
    "subject_id": 2,
    "detail": "record page (check-ins)",
    "address": "198.51.100.24",
}


def test_every_field_is_named_above() -> None:
    assert {field.name for field in dataclasses.fields(EntryFields)} == set(OTHER_VALUES)
    assert {field.name for field in dataclasses.fields(Personal)} == set(OTHER_PERSONAL)


@pytest.mark.parametrize("name", sorted(OTHER_VALUES))
def test_changing_any_one_field_changes_the_hash(name: str) -> None:
    original = draft()
    changed = dataclasses.replace(original, **{name: OTHER_VALUES[name]})

    assert getattr(changed, name) != getattr(original, name)
    assert entry_hash(changed) != entry_hash(original)


@pytest.mark.parametrize("name", sorted(OTHER_PERSONAL))
def test_changing_any_one_personal_field_changes_the_digest(name: str) -> None:
    changed = dataclasses.replace(CAROL_READS_ALICE, **{name: OTHER_PERSONAL[name]})

    assert personal_digest(SALT, changed) != personal_digest(SALT, CAROL_READS_ALICE)


def test_values_cannot_be_moved_between_fields_unnoticed() -> None:
    """Keys are part of what is digested: swapping the label and the detail is a change."""
    original = dataclasses.replace(CAROL_READS_ALICE, actor_label="same", detail="other")
    swapped = dataclasses.replace(CAROL_READS_ALICE, actor_label="other", detail="same")

    assert personal_digest(SALT, swapped) != personal_digest(SALT, original)


# --- the chain ---------------------------------------------------------------------------------


def test_an_empty_log_at_genesis_is_intact() -> None:
    report = verify_chain([], head_seq=0, head_hash=GENESIS_HASH)

    assert report.intact
    assert (report.entries, report.head_seq, report.head_hash) == (0, 0, GENESIS_HASH)
    assert report.erased == 0
    assert GENESIS_HASH == "0" * 64


def test_the_first_entry_must_link_to_genesis() -> None:
    problems = verify([stored(draft(1, "1" * 64))])

    assert problems == (ChainProblem(1, "entry 1 does not link to the entry before it"),)


def test_an_untouched_chain_is_intact() -> None:
    entries = chain(5)

    report = verify_chain(entries, head_seq=5, head_hash=entries[-1].hash)

    assert report.intact
    assert report.entries == 5


def test_a_changed_field_is_named_by_its_entry() -> None:
    entries = chain(5)
    entries[2] = dataclasses.replace(entries[2], fields=draft(3, entries[1].hash, action="x"))

    assert verify(entries) == (ChainProblem(3, "entry 3 was changed after it was written"),)


def test_a_changed_personal_field_no_longer_matches_its_digest() -> None:
    entries = chain(5)
    changed = dataclasses.replace(entries[2].personal, detail="nothing happened")
    entries[2] = dataclasses.replace(entries[2], personal=changed)

    assert verify(entries) == (ChainProblem(3, "entry 3 was changed after it was written"),)


def test_rehashing_a_changed_entry_breaks_the_link_to_the_next() -> None:
    entries = chain(5)
    forged = dataclasses.replace(entries[2].fields, action="nothing_happened")
    entries[2] = stored(forged, personal=entries[2].personal, salt=entries[2].personal_salt)

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

    assert verify(entries, head_seq=3, head_hash=entries[-1].hash)[0] == ChainProblem(
        2, "entry 2 follows entry 2: entry 2 repeated or out of order"
    )


def test_a_removed_tail_disagrees_with_the_head() -> None:
    entries = chain(5)
    head_hash = entries[-1].hash
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
    head_hash = entries[-1].hash
    entries.append(stored(draft(6, head_hash)))

    problems = verify(entries, head_seq=5, head_hash=head_hash)

    assert [problem.seq for problem in problems] == [6]
    assert "head says 5" in problems[0].message


def test_problems_are_capped() -> None:
    entries = [dataclasses.replace(entry, hash="0" * 64) for entry in chain(30)]

    report = verify_chain(entries, head_seq=30, head_hash="0" * 64, max_problems=5)

    assert len(report.problems) == 5
    assert not report.intact


# --- erasure ---------------------------------------------------------------------------------


def erase(entry: StoredEntry, by: int | None) -> StoredEntry:
    """What the database allows: the personal fields and the salt blanked, nothing else."""
    return dataclasses.replace(entry, personal=ERASED, personal_salt=None, erased_by_seq=by)


def deleted_later(
    length: int, erased: list[int], *, erases: int | None = None
) -> list[StoredEntry]:
    """`length` entries, then a deletion entry stating `erases` (default: how many are erased),
    under which the entries numbered in `erased` are erased."""
    entries = chain(length)
    deletion_seq = length + 1
    salt = new_salt()
    deletion = draft(
        deletion_seq,
        entries[-1].hash,
        action="account_deleted",
        personal_digest=personal_digest(salt, ERASED),
        erases=len(erased) if erases is None else erases,
    )
    entries.append(stored(deletion, personal=ERASED, salt=salt))
    return [
        erase(entry, deletion_seq) if entry.fields.seq in erased else entry for entry in entries
    ]


def test_entries_erased_under_a_deletion_that_counts_them_verify_and_are_counted() -> None:
    entries = deleted_later(5, [1, 3, 4])

    report = verify_chain(entries, head_seq=6, head_hash=entries[-1].hash)

    assert report.intact, report.problems
    assert (report.entries, report.erased) == (6, 3)


def test_a_deletion_that_erased_nothing_verifies() -> None:
    assert verify(deleted_later(3, [])) == ()


def test_a_blanked_entry_without_a_deletion_entry_is_a_forged_erasure() -> None:
    entries = chain(4)
    entries[1] = erase(entries[1], None)

    assert verify(entries) == (
        ChainProblem(2, "entry 2 was erased without a later deletion entry that accounts for it"),
    )


def test_an_extra_entry_erased_under_a_real_deletion_does_not_match_its_count() -> None:
    entries = deleted_later(5, [1, 3])
    entries[1] = erase(entries[1], 6)  # entry 2 was about someone else

    assert verify(entries) == (
        ChainProblem(
            6, "deletion entry 6 erased 2 earlier entries, but 3 are erased under its number"
        ),
    )


def test_raising_the_count_to_cover_a_forged_erasure_breaks_the_hash() -> None:
    entries = deleted_later(5, [1, 2, 3])
    forged_count = dataclasses.replace(entries[-1].fields, erases=2)
    entries[-1] = dataclasses.replace(entries[-1], fields=forged_count)

    problems = verify(entries)

    assert ChainProblem(6, "entry 6 was changed after it was written") in problems


def test_an_erasure_naming_an_entry_that_is_no_deletion_is_reported() -> None:
    entries = chain(5)
    entries[0] = erase(entries[0], 4)

    assert verify(entries) == (
        ChainProblem(4, "1 entry was erased under entry 4, which is not a deletion entry"),
    )


def test_an_erasure_naming_an_earlier_deletion_is_reported() -> None:
    entries = deleted_later(5, [1])
    later = stored(draft(7, entries[-1].hash))
    entries.append(erase(later, 6))

    assert verify(entries) == (
        ChainProblem(7, "entry 7 was erased without a later deletion entry that accounts for it"),
    )


def test_an_erased_entry_whose_fields_were_put_back_differently_is_changed() -> None:
    """Blank fields are the only ones an erased entry may hold: anything else is a change."""
    entries = deleted_later(3, [2])
    planted = dataclasses.replace(ERASED, detail="planted afterwards")
    entries[1] = dataclasses.replace(entries[1], personal=planted)

    assert verify(entries) == (ChainProblem(2, "entry 2 was changed after it was written"),)


def test_blanking_the_fields_but_keeping_the_salt_no_longer_matches_the_digest() -> None:
    entries = chain(3)
    entries[1] = dataclasses.replace(entries[1], personal=ERASED)

    assert verify(entries) == (ChainProblem(2, "entry 2 was changed after it was written"),)


def test_a_kept_entry_that_names_a_deletion_is_reported() -> None:
    entries = deleted_later(3, [1])
    entries[1] = dataclasses.replace(entries[1], erased_by_seq=4)

    assert verify(entries) == (
        ChainProblem(2, "entry 2 names deletion entry 4 but was not erased"),
    )
