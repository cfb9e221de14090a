"""Placeholder while the importer is being written (this session)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from affectrange.directory.importers.common import DirectoryImportError, ImportSummary


def import_plannet(session: Session, path: Path, *, now: dt.datetime) -> ImportSummary:
    raise DirectoryImportError(f"{path.name}: this importer is not written yet")
