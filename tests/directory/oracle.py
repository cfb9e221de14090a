"""A brute-force answer to "who is within R miles of this ZIP", for checking the search.

Everything here is written without the directory's own code paths: positions come straight from
the database rows (plain SQL over directory_practitioners, directory_roles and
directory_locations, never the search index), the ZIP centroid straight from the `zipcodes`
package, the distance from the haversine formula in `math` on a sphere of the Earth's mean
radius (IUGG: 6371.0088 km = 3958.7613 miles), and the provider type straight from the taxonomy
code lists. A search that agrees with this on many queries has its k-d tree, masks and
de-duplication right.

Also here, because the three test modules share them: the NPI check digit (to make valid
synthetic NPIs), a point at a given distance and bearing (to place rows exactly), and a dump of
every directory table (to prove an import changed nothing, or was rolled back whole).
"""

from __future__ import annotations

import math
from typing import Any, Final

import zipcodes
from sqlalchemy import text
from sqlalchemy.orm import Session

from affectrange.directory.models import DIRECTORY_DATA_TABLES
from affectrange.directory.taxonomy import PRESCRIBER_CODES, THERAPIST_CODES
from tests.support.shared_data import NPPES_SAMPLE

SAMPLE: Final = NPPES_SAMPLE
"""2,000 real NPPES rows (CT/MA/RI, 2018 layout); read only, never modified."""

EARTH_MEAN_RADIUS_MILES: Final = 3958.7613

DIRECTORY_TABLES: Final = (
    *DIRECTORY_DATA_TABLES,
    "directory_contact_requests",
    "directory_profile_consents",
)
"""Every table of the directory except `directory_revision` (one row, always present)."""

_PRESCRIBING_PSYCHOLOGIST: Final = "103TP0016X"


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance: d = 2 r asin(sqrt(sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2)))."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def zip_centroid(zip_code: str) -> tuple[float, float]:
    """The (latitude, longitude) `zipcodes` gives for a five-digit ZIP."""
    [entry] = zipcodes.matching(zip_code)  # type: ignore[no-untyped-call]
    return float(entry["lat"]), float(entry["long"])


def destination(
    lat: float, lon: float, bearing_degrees: float, miles: float
) -> tuple[float, float]:
    """The point `miles` of great circle from (lat, lon) along the initial bearing (the spherical
    "direct problem"), longitude wrapped into [-180, 180)."""
    delta = miles / EARTH_MEAN_RADIUS_MILES
    theta = math.radians(bearing_degrees)
    phi1, lambda1 = math.radians(lat), math.radians(lon)
    sin_phi2 = math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lambda2 = lambda1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * sin_phi2,
    )
    longitude = (math.degrees(lambda2) + 540.0) % 360.0 - 180.0
    return math.degrees(phi2), longitude


def provider_types_of(codes: list[str]) -> set[str]:
    """ "prescriber" and/or "therapist" by the taxonomy lists; a prescribing psychologist is a
    psychologist first, so both (taxonomy.py's module docstring)."""
    kinds: set[str] = set()
    for code in codes:
        if code in PRESCRIBER_CODES:
            kinds.add("prescriber")
        if code in THERAPIST_CODES or code == _PRESCRIBING_PSYCHOLOGIST:
            kinds.add("therapist")
    return kinds


_ROLES_WITH_PLACES: Final = text(
    """
    SELECT p.npi, p.specialties, r.specialties, r.in_person, l.latitude, l.longitude
    FROM directory_roles AS r
    JOIN directory_practitioners AS p ON p.id = r.practitioner_id
    LEFT JOIN directory_locations AS l ON l.id = r.location_id
    """
)


def within(
    session: Session, zip_code: str, radius_miles: float, provider_type: str | None = None
) -> dict[str, float]:
    """NPI -> the least distance of its in-person, placed roles of the requested type that lie
    within `radius_miles` of the ZIP's centroid."""
    origin_lat, origin_lon = zip_centroid(zip_code)
    found: dict[str, float] = {}
    for npi, person_codes, role_codes, in_person, lat, lon in session.execute(_ROLES_WITH_PLACES):
        if not in_person or lat is None or lon is None:
            continue
        codes = str(role_codes or person_codes or "").split()
        if provider_type is not None and provider_type not in provider_types_of(codes):
            continue
        miles = haversine_miles(origin_lat, origin_lon, float(lat), float(lon))
        if miles <= radius_miles and miles < found.get(npi, math.inf):
            found[npi] = miles
    return found


def npi_check_digit(first_nine: str) -> str:
    """The tenth digit of an NPI: Luhn over "80840" + the nine digits (CMS, "Requirements for
    NPI check digit"); the Luhn doubling starts at the rightmost of the nine."""
    total = 0
    for position, char in enumerate(reversed("80840" + first_nine)):
        digit = int(char)
        if position % 2 == 0:  # these are doubled once the check digit is appended
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return str((10 - total % 10) % 10)


def make_npi(serial: int) -> str:
    """A valid NPI for test rows: 19xxxxxxx plus its check digit."""
    first_nine = f"19{serial:07d}"
    return first_nine + npi_check_digit(first_nine)


def dump_directory(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every directory table, the revision row included, in key order."""
    dumped: dict[str, list[tuple[Any, ...]]] = {}
    for table in (*DIRECTORY_TABLES, "directory_revision"):
        rows = session.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))  # noqa: S608
        dumped[table] = [tuple(row) for row in rows]
    return dumped


def revision_row(session: Session) -> tuple[Any, ...]:
    row = session.execute(text("SELECT revision, token FROM directory_revision")).one()
    return tuple(row)
