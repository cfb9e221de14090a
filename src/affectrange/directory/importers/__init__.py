"""Importers that load the directory from NPPES, FHIR Plan-Net and a clinic's own CSV.

Each runs inside the caller's transaction and raises `DirectoryImportError` naming the file and
the line or resource at the first problem; the caller rolls back, so a bad file imports nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Final

from sqlalchemy.orm import Session

from affectrange.directory.importers.clinic_csv import import_clinic_csv
from affectrange.directory.importers.common import DirectoryImportError, ImportSummary
from affectrange.directory.importers.nppes import import_nppes
from affectrange.directory.importers.plannet import import_plannet


class ImportFormat(StrEnum):
    NPPES = "nppes"
    PLANNET = "plannet"
    CSV = "csv"


Importer = Callable[[Session, Path, dt.datetime], ImportSummary]


def _nppes(session: Session, path: Path, now: dt.datetime) -> ImportSummary:
    return import_nppes(session, path, now=now)


def _plannet(session: Session, path: Path, now: dt.datetime) -> ImportSummary:
    return import_plannet(session, path, now=now)


def _clinic_csv(session: Session, path: Path, now: dt.datetime) -> ImportSummary:
    return import_clinic_csv(session, path, now=now)


IMPORTERS: Final[dict[ImportFormat, Importer]] = {
    ImportFormat.NPPES: _nppes,
    ImportFormat.PLANNET: _plannet,
    ImportFormat.CSV: _clinic_csv,
}


def import_directory(
    session: Session, path: Path, file_format: ImportFormat, *, now: dt.datetime
) -> ImportSummary:
    importer = IMPORTERS.get(file_format)
    if importer is None:
        raise DirectoryImportError(f"the {file_format} importer is not available")
    return importer(session, path, now)


__all__ = ["DirectoryImportError", "ImportFormat", "ImportSummary", "import_directory"]
