"""The hash chain that makes the audit log tamper-evident, and lets it forget a person. Pure: no
database.

Each entry's hash covers its own fields and the hash of the entry before it, so changing any
entry changes every hash after it, and removing one breaks the link to the next. The head (the
last sequence number and hash, kept beside the log) catches a removed tail; an operator who writes
the head hash down elsewhere (`affectrange audit verify` prints it) also catches a rewritten log.

The personal fields of an entry (who acted, about whom, the detail, the address) are not hashed
directly: the hash covers their *personal digest*, a SHA-256 over them and a random salt kept in
the entry. Erasing an entry (when the account it is about is deleted) blanks those fields and the
salt and leaves the digest and the hash as they were, so the chain still verifies. Without the
salt the digest cannot be used to test a guess of whom an erased entry was about. An erasure is
only accepted when it names the deletion entry that caused it, and each deletion entry states (in
its hashed fields) how many earlier entries it erased: an entry blanked any other way is reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

GENESIS_HASH: Final = "0" * 64
"""The `previous_hash` of the first entry."""

SALT_BYTES: Final = 16
"""128 random bits per entry: enough that no erased entry's digest can be matched to a guess."""


@dataclass(frozen=True, slots=True)
class Personal:
    """The fields of an entry that name people; what an erasure blanks."""

    actor_id: int | None
    actor_label: str
    subject_id: int | None
    detail: str
    address: str

    @property
    def blank(self) -> bool:
        return self == ERASED


ERASED: Final = Personal(actor_id=None, actor_label="", subject_id=None, detail="", address="")
"""What an erased entry holds in place of its personal fields."""


def new_salt() -> str:
    return secrets.token_hex(SALT_BYTES)


def personal_digest(salt: str, personal: Personal) -> str:
    """SHA-256 of the salt and the personal fields as canonical JSON (sorted keys, compact)."""
    return _sha256_of(
        {
            "salt": salt,
            "actor_id": personal.actor_id,
            "actor_label": personal.actor_label,
            "subject_id": personal.subject_id,
            "detail": personal.detail,
            "address": personal.address,
        }
    )


@dataclass(frozen=True, slots=True)
class EntryFields:
    """Everything an entry's hash covers."""

    seq: int
    at: dt.datetime
    actor_role: str
    action: str
    previous_hash: str
    personal_digest: str
    erases: int | None
    """None, except on a deletion entry: how many earlier entries that deletion erased."""


def entry_hash(entry: EntryFields) -> str:
    """SHA-256 of the entry's canonical JSON (sorted keys, UTC time in microseconds)."""
    return _sha256_of(
        {
            "seq": entry.seq,
            "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_role": entry.actor_role,
            "action": entry.action,
            "previous_hash": entry.previous_hash,
            "personal_digest": entry.personal_digest,
            "erases": entry.erases,
        }
    )


def _sha256_of(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """One entry as the database holds it: what verification reads."""

    fields: EntryFields
    hash: str
    personal: Personal
    personal_salt: str | None
    """None once the entry is erased."""
    erased_by_seq: int | None
    """The deletion entry that erased this one, or None."""

    @property
    def erased(self) -> bool:
        return self.personal_salt is None


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
    erased: int = 0
    """How many entries were erased when the accounts they were about were deleted."""

    @property
    def intact(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line for an intact log (what `affectrange audit verify` prints)."""
        erased = f" ({self.erased} erased when accounts were deleted)" if self.erased else ""
        return (
            f"audit log intact: {self.entries} entries{erased}; "
            f"head {self.head_seq} {self.head_hash}"
        )


def verify_chain(
    entries: Iterable[StoredEntry],
    *,
    head_seq: int,
    head_hash: str,
    max_problems: int = 20,
) -> ChainReport:
    """Check stored entries (oldest first) against the chain rules.

    Reports a changed entry (its hash no longer matches its fields, or its personal fields no
    longer match their digest), a removed or inserted entry (a gap in the sequence, or a broken
    link to the previous hash), a removed tail (the head names an entry that is not there), and
    an erasure that no deletion entry accounts for.
    """
    check = _ChainCheck()
    for entry in entries:
        check.add(entry)
        if len(check.problems) >= max_problems:
            break
    else:
        check.finish(head_seq=head_seq, head_hash=head_hash)
    return ChainReport(
        check.count, head_seq, head_hash, tuple(check.problems[:max_problems]), check.erased
    )


class _ChainCheck:
    """The running state of one verification, entry by entry."""

    def __init__(self) -> None:
        self.problems: list[ChainProblem] = []
        self.count = 0
        self.erased = 0
        self._expected_seq = 1
        self._previous = GENESIS_HASH
        self._last_seq = 0
        self._erased_under: Counter[int] = Counter()
        """Per deletion entry still to come: how many erased entries named it so far."""

    def _problem(self, seq: int, message: str) -> None:
        self.problems.append(ChainProblem(seq, message))

    def add(self, entry: StoredEntry) -> None:
        fields = entry.fields
        self.count += 1
        if fields.seq != self._expected_seq:
            self._problem(
                fields.seq,
                f"entry {fields.seq} follows entry {self._expected_seq - 1}: "
                f"{_missing(self._expected_seq, fields.seq)}",
            )
        if fields.previous_hash != self._previous:
            self._problem(fields.seq, f"entry {fields.seq} does not link to the entry before it")
        if entry_hash(fields) != entry.hash or not _personal_fields_match(entry):
            self._problem(fields.seq, f"entry {fields.seq} was changed after it was written")
        self._check_erasure(entry)
        if fields.erases is not None:
            self._check_deletion(fields)
        self._expected_seq = fields.seq + 1
        self._previous = entry.hash
        self._last_seq = fields.seq

    def _check_erasure(self, entry: StoredEntry) -> None:
        seq, by = entry.fields.seq, entry.erased_by_seq
        if not entry.erased:
            if by is not None:
                self._problem(seq, f"entry {seq} names deletion entry {by} but was not erased")
            return
        self.erased += 1
        if by is None or by <= seq:
            self._problem(
                seq, f"entry {seq} was erased without a later deletion entry that accounts for it"
            )
            return
        self._erased_under[by] += 1

    def _check_deletion(self, fields: EntryFields) -> None:
        found = self._erased_under.pop(fields.seq, 0)
        if found != fields.erases:
            self._problem(
                fields.seq,
                f"deletion entry {fields.seq} erased {fields.erases} earlier entries, "
                f"but {found} are erased under its number",
            )

    def finish(self, *, head_seq: int, head_hash: str) -> None:
        for by, found in sorted(self._erased_under.items()):
            erased = "1 entry was" if found == 1 else f"{found} entries were"
            self._problem(by, f"{erased} erased under entry {by}, which is not a deletion entry")
        if (self._last_seq, self._previous) != (head_seq, head_hash):
            self._problem(
                self._last_seq,
                f"the log ends at entry {self._last_seq} but its head says {head_seq}: "
                "entries at the end were removed or the head was changed",
            )


def _personal_fields_match(entry: StoredEntry) -> bool:
    """A kept entry's fields must match its digest; an erased one must be blank (what it held
    can no longer be checked, which is the point of erasing it)."""
    if entry.personal_salt is None:
        return entry.personal.blank
    digest = personal_digest(entry.personal_salt, entry.personal)
    return digest == entry.fields.personal_digest


def _missing(expected: int, found: int) -> str:
    if found < expected:
        return f"entry {found} repeated or out of order"
    if found == expected + 1:
        return f"entry {expected} missing or out of order"
    return f"entries {expected} to {found - 1} missing or out of order"
