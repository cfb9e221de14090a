"""Where the shared, read-only sample data lives (../shared/data beside the repository).

A clone elsewhere (a CI checkout in a temporary folder) finds it through AFFECTRANGE_SHARED_DATA,
or at the machine's usual place, /work/shared/data.
"""

from __future__ import annotations

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def shared_data_file(name: str) -> Path:
    """The file's path in the first data folder that has it (else where it should be, so the
    failure names it)."""
    folders = [REPOSITORY.parent / "shared" / "data", Path("/work/shared/data")]
    if os.environ.get("AFFECTRANGE_SHARED_DATA"):
        folders.insert(0, Path(os.environ["AFFECTRANGE_SHARED_DATA"]))
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    return folders[0] / name


NPPES_SAMPLE = shared_data_file("nppes-sample-practitioners-ct-2018.csv")
"""2,000 real NPPES rows (CT/MA/RI, 2018 layout); read only, never modified."""
