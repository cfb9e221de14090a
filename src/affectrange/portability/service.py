"""Exporting a person's whole record, and importing one: the rules of "own your data".

- An export is the whole record in FHIR R4 (one Bundle) or CSV (a zip, one file per kind). Every
  export is audited, the person's own included (CONVENTIONS.md, "Sharing and the audit log").
- An import of an AffectRange export goes into an account that holds no records yet: nothing is
  merged or overwritten, so an import can never damage what is there. The whole file is read and
  checked first; any problem refuses it whole, naming the place, before anything is written.
- QuestionnaireResponses from another system add to any account: each is scored here with our
  definition; one already present (same instrument, same completion time) is skipped, so the
  same file can be imported twice. A PHQ-9 item 9 answered above 0 records a safety event, as
  answering it here would, and the result says so (the page shows the crisis card).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from affectrange import db
from affectrange.accounts.models import User
from affectrange.audit import service as audit
from affectrange.audit.models import AuditAction
from affectrange.audit.service import Actor
from affectrange.instruments.registry import get_instrument
from affectrange.portability import csv_format
from affectrange.portability.fhir_export import bundle_json, export_bundle
from affectrange.portability.fhir_import import (
    ForeignResponse,
    ForeignResponses,
    ImportRefused,
    read_fhir,
)
from affectrange.portability.repository import PersonalDataRepository
from affectrange.portability.schemas import PersonalData, ResponseRecord, record_counts
from affectrange.questionnaires.models import ResponseStatus
from affectrange.questionnaires.service import RESPONSE_SOURCE
from affectrange.safety_events.models import SafetySignal
from affectrange.safety_events.service import record_safety_event

MAX_IMPORT_BYTES: Final = 64 * 1024 * 1024
"""About twice a decade of daily check-ins as FHIR (29 MiB; docs/benchmarks.md)."""


class ExportFormat(StrEnum):
    FHIR = "fhir"
    CSV = "csv"


@dataclass(frozen=True, slots=True)
class ExportFile:
    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: dict[str, int]
    skipped: int = 0
    """Foreign responses already in the record."""
    not_imported: dict[str, int] = field(default_factory=dict)
    """Resources of other kinds in a foreign file, by type."""
    safety_flagged: bool = False
    """An imported answer raised a risk signal: show the crisis card."""

    def summary(self) -> str:
        parts = [_counted(count, kind) for kind, count in self.added.items() if count]
        text = "Imported " + (", ".join(parts) if parts else "nothing new")
        if self.skipped:
            text += f"; {self.skipped} already in your record"
        if self.not_imported:
            others = ", ".join(f"{count} {kind}" for kind, count in self.not_imported.items())
            text += f"; not imported: {others}"
        return text + "."


def _counted(count: int, kind: str) -> str:
    """ "1 check-in", "2 check-ins": `record_counts` names every kind in the plural."""
    return f"{count} {kind.removesuffix('s') if count == 1 else kind}"


def read_record(session: Session, person: User) -> PersonalData:
    return PersonalDataRepository(session, person).read()


def export_record(
    session: Session,
    person: User,
    *,
    file_format: ExportFormat,
    now: dt.datetime,
    actor: Actor,
    address: str,
) -> ExportFile:
    """The person's whole record as a file, with its audit entry appended (and the session
    switched to writing for it: a web export reads first, then records)."""
    data = read_record(session, person)
    stamp = now.astimezone(ZoneInfo(person.timezone)).date().isoformat()
    if file_format is ExportFormat.FHIR:
        export = ExportFile(
            filename=f"affectrange-record-{stamp}.fhir.json",
            media_type="application/fhir+json",
            content=bundle_json(export_bundle(data, now=now)),
        )
    else:
        export = ExportFile(
            filename=f"affectrange-record-{stamp}.csv.zip",
            media_type="application/zip",
            content=csv_format.write_zip(data),
        )
    db.switch_to_writing(session)
    audit.record(
        session,
        actor=actor,
        subject=person,
        action=AuditAction.EXPORT_DATA,
        detail=f"Whole record as {_FORMAT_WORDS[file_format]} ({export.filename})",
        address=address,
        now=now,
    )
    return export


_FORMAT_WORDS: Final = {ExportFormat.FHIR: "FHIR R4", ExportFormat.CSV: "CSV"}


def parse_import(content: bytes, *, source: str) -> PersonalData | ForeignResponses:
    """What the file holds, fully checked; ImportRefused names the problem and its place."""
    if not content:
        raise ImportRefused(f"{source}: the file is empty")
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportRefused(f"{source}: larger than {MAX_IMPORT_BYTES // 2**20} MB")
    if csv_format.is_zip(content):
        return csv_format.read_zip(content, source=source)
    return read_fhir(content, source=source)


def import_record(
    session: Session,
    person: User,
    content: bytes,
    *,
    source: str,
    now: dt.datetime,
    actor: Actor,
    address: str,
) -> ImportResult:
    """Check the whole file, then write it: all of it or, when refused, none of it.

    Reading and checking a large file takes a moment, so a web import starts as a reader
    (`db.read_first`) and takes the write lock only here, once the file is known to be good.
    """
    parsed = parse_import(content, source=source)
    db.switch_to_writing(session)
    if isinstance(parsed, ForeignResponses):
        result = _import_foreign(session, person, parsed, now=now)
    else:
        result = _import_export(session, person, parsed, source=source, now=now)
    if actor.id != person.id:
        audit.record(
            session,
            actor=actor,
            subject=person,
            action=AuditAction.DATA_IMPORTED,
            detail=f"{result.summary()} From {source}.",
            address=address,
            now=now,
        )
    return result


def _import_export(
    session: Session, person: User, data: PersonalData, *, source: str, now: dt.datetime
) -> ImportResult:
    repository = PersonalDataRepository(session, person)
    if repository.holds_records():
        raise ImportRefused(
            f"{source}: this account already holds records. A whole-record import goes into a "
            "new, empty account only, so nothing is merged or overwritten"
        )
    repository.write(data, [_score_columns(response) for response in data.responses], now=now)
    return ImportResult(added=record_counts(data))


def _score_columns(response: ResponseRecord) -> dict[str, Any]:
    if response.status is not ResponseStatus.COMPLETED:
        return {"total": None, "band": None, "positive": None, "safety": False, "details": {}}
    result = get_instrument(response.instrument).score(response.answers)
    return {
        "total": result.total,
        "band": result.band,
        "positive": result.positive,
        "safety": result.safety,
        "details": dict(result.details),
    }


def _import_foreign(
    session: Session, person: User, parsed: ForeignResponses, *, now: dt.datetime
) -> ImportResult:
    repository = PersonalDataRepository(session, person)
    present = repository.completion_times()
    zone = ZoneInfo(person.timezone)
    new: list[ForeignResponse] = []
    for response in parsed.responses:
        key = (response.instrument.id, response.authored)
        if key in present:
            continue
        present.add(key)
        new.append(response)
    flagged = False
    for response in new:
        record = ResponseRecord(
            ref="foreign",
            instrument=response.instrument.id,
            instrument_version=response.instrument.version,
            status=ResponseStatus.COMPLETED,
            answers=dict(response.answers),
            started_at=response.authored,
            updated_at=response.authored,
            completed_at=response.authored,
            completed_on=response.authored.astimezone(zone).date(),
        )
        score = _score_columns(record)
        response_id = repository.add_response(record, score)
        if score["safety"]:
            flagged = True
            record_safety_event(
                session,
                person,
                signal=SafetySignal.PHQ9_ITEM9,
                source=RESPONSE_SOURCE,
                source_id=response_id,
                now=response.authored,
                item_value=_critical_value(response),
            )
    return ImportResult(
        added={"questionnaire responses": len(new)},
        skipped=len(parsed.responses) - len(new),
        not_imported=dict(parsed.not_imported),
        safety_flagged=flagged,
    )


def _critical_value(response: ForeignResponse) -> int | None:
    for item in response.instrument.items:
        value = response.answers.get(item.id)
        if item.critical and isinstance(value, int) and value > 0:
            return value
    return None
