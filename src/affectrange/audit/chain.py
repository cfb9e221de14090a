"""The hash chain that makes the audit log tamper-evident. Pure: no database.

Each entry's hash covers its own fields and the hash of the entry before it, so changing any
entry changes every hash after it, and removing one breaks the link to the next. The head (the
last sequence number and hash, kept beside the log) catches a removed tail; an operator who writes
the head hash down elsewhere (`affectrange audit verify` prints it) also catches a rewritten log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

GENESIS_HASH: Final = "0" * 64
"""The `previous_hash` of the first entry."""


@dataclass(frozen=True, slots=True)
class EntryFields:
    """Everything an entry's hash covers, in the order it is written."""

    seq: int
    at: dt.datetime
    actor_id: int | None
    actor_label: str
    actor_role: str
    subject_id: int | None
    action: str
    detail: str
    address: str
    previous_hash: str


def entry_hash(entry: EntryFields) -> str:
    """SHA-256 of the entry's canonical JSON (sorted keys, UTC time in microseconds)."""
    payload = {
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "actor_role": entry.actor_role,
        "subject_id": entry.subject_id,
        "action": entry.action,
        "detail": entry.detail,
        "address": entry.address,
        "previous_hash": entry.previous_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    message: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    entries: int
    head_seq: int
    head_hash: str
    problems: tuple[ChainProblem, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(
    entries: Iterable[tuple[EntryFields, str]],
    *,
    head_seq: int,
    head_hash: str,
    max_problems: int = 20,
) -> ChainReport:
    """Check stored entries (oldest first, each with its stored hash) against the chain rules.

    Reports a changed entry (its hash no longer matches its fields), a removed or inserted entry
    (a gap in the sequence, or a broken link to the previous hash) and a removed tail (the head
    names an entry that is not there).
    """
    problems: list[ChainProblem] = []
    expected_seq = 1
    previous = GENESIS_HASH
    count = 0
    last_seq = 0
    for fields, stored_hash in entries:
        count += 1
        if fields.seq != expected_seq:
            problems.append(
                ChainProblem(
                    fields.seq,
                    f"entry {fields.seq} follows entry {expected_seq - 1}: "
                    f"{_missing(expected_seq, fields.seq)}",
                )
            )
        if fields.previous_hash != previous:
            problems.append(
                ChainProblem(fields.seq, f"entry {fields.seq} does not link to the entry before it")
            )
        if entry_hash(fields) != stored_hash:
            problems.append(
                ChainProblem(fields.seq, f"entry {fields.seq} was changed after it was written")
            )
        expected_seq = fields.seq + 1
        previous = stored_hash
        last_seq = fields.seq
        if len(problems) >= max_problems:
            break
    else:
        if (last_seq, previous) != (head_seq, head_hash):
            problems.append(
                ChainProblem(
                    last_seq,
                    f"the log ends at entry {last_seq} but its head says {head_seq}: "
                    "entries at the end were removed or the head was changed",
                )
            )
    return ChainReport(count, head_seq, head_hash, tuple(problems))


def _missing(expected: int, found: int) -> str:
    if found < expected:
        return f"entry {found} repeated or out of order"
    if found == expected + 1:
        return f"entry {expected} missing or out of order"
    return f"entries {expected} to {found - 1} missing or out of order"
