"""Where things are: ZIP centroids from the offline `zipcodes` package, great-circle distance,
and the pluggable geocoder for addresses.

Distances are great-circle (haversine) on a sphere of the Earth's mean radius, 3958.7613 miles
(IUGG mean radius 6371.0088 km). At the radii a person searches (under 100 miles) the sphere is
within 0.5% of the ellipsoid, far below the error of a ZIP centroid.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_MILES: Final = 3958.7613
_ZIP_IN_TEXT = re.compile(r"\b(\d{5})(?:-\d{4})?\s*$")


@dataclass(frozen=True, slots=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Geocoded:
    point: Point
    state: str
    zip_code: str
    source: str
    """"zip-centroid" or a geocoder's name: shown so nobody takes a centroid for an address."""


class Geocoder(Protocol):
    """Turns a free-text US address into a point; returns None when it cannot."""

    def geocode(self, address: str) -> Geocoded | None: ...


@functools.cache
def _zip_table() -> dict[str, tuple[float, float, str]]:
    # Imported here: it loads its bundled table (about 42,000 ZIPs, 0.2 s) when first imported.
    import zipcodes  # noqa: PLC0415

    table: dict[str, tuple[float, float, str]] = {}
    for entry in zipcodes.list_all():  # type: ignore[no-untyped-call]
        try:
            table[entry["zip_code"]] = (float(entry["lat"]), float(entry["long"]), entry["state"])
        except (KeyError, TypeError, ValueError):
            continue  # a few military and PO-box ZIPs carry no position
    return table


def normalize_zip(text: str) -> str | None:
    """The five-digit ZIP of "06105", "06105-1234" or "6105" (Excel drops leading zeros)."""
    digits = text.strip().split("-")[0]
    if not digits.isdigit() or not 3 <= len(digits) <= 9:
        return None
    if len(digits) == 9:
        digits = digits[:5]
    return digits.zfill(5) if len(digits) <= 5 else None


def zip_centroid(zip_code: str) -> Geocoded | None:
    normalized = normalize_zip(zip_code)
    if normalized is None:
        return None
    found = _zip_table().get(normalized)
    if found is None:
        return None
    latitude, longitude, state = found
    return Geocoded(Point(latitude, longitude), state, normalized, "zip-centroid")


class ZipCentroidGeocoder:
    """The offline default: the centroid of the ZIP an address ends with.

    A street-level geocoder (a local Nominatim, a census batch file) can replace it by
    implementing `Geocoder`; nothing at run time may reach the network, so none ships.
    """

    def geocode(self, address: str) -> Geocoded | None:
        match = _ZIP_IN_TEXT.search(address.strip())
        return zip_centroid(match.group(1)) if match else None


def great_circle_miles(a: Point, b: Point) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def great_circle_miles_many(
    origin: Point, latitudes: npt.NDArray[np.float64], longitudes: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """The same formula as `great_circle_miles`, for arrays of destinations."""
    lat1, lon1 = math.radians(origin.latitude), math.radians(origin.longitude)
    lat2, lon2 = np.radians(latitudes), np.radians(longitudes)
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    distances: npt.NDArray[np.float64] = (
        2 * EARTH_RADIUS_MILES * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    )
    return distances


def unit_vectors(
    latitudes: npt.NDArray[np.float64], longitudes: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Points on the unit sphere: straight-line (chord) distance there orders points exactly as
    great-circle distance does, so a k-d tree over them answers radius queries."""
    lat, lon = np.radians(latitudes), np.radians(longitudes)
    cos_lat = np.cos(lat)
    return np.column_stack((cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)))


def chord_for_miles(miles: float) -> float:
    """The chord on the unit sphere that spans `miles` of great circle."""
    return 2 * math.sin(min(math.pi, miles / EARTH_RADIUS_MILES) / 2)
