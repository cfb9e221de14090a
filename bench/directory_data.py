"""A synthetic national directory in the real layouts, for bench/directory.py.

Two files, written by this generator alone (no real person is in them):

- an NPPES data file: the real 2018 header (329 columns, read from the shared sample so the
  layout is the real one), one row per behavioral-health individual, spread over every state and
  territory in proportion to its population, each at a random ZIP of that state (ZIP centroids
  from the `zipcodes` package), with a taxonomy mix close to the national behavioral-health
  workforce (DIRECTORY.md section 2e);
- a clinic CSV of network memberships: each state has `networks_per_state` payer networks, each
  with one plan; 70% of providers are in 1 to 3 of their state's networks, so every membership is a
  role (Plan-Net's one network per role), with accepting-new-patients and telehealth varying per
  role as they do in payer directories.

Deterministic for a seed. NPIs carry valid check digits, drawn from a range no real NPI uses.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import zipcodes
from tests.support.shared_data import NPPES_SAMPLE as SAMPLE

from affectrange.directory.importers.nppes import npi_is_valid

# 2020 census populations in millions (states, DC, Puerto Rico): how providers spread.
STATE_POPULATION: Final = {
    "CA": 39.5, "TX": 29.1, "FL": 21.5, "NY": 20.2, "PA": 13.0, "IL": 12.8, "OH": 11.8, "GA": 10.7,
    "NC": 10.4, "MI": 10.1, "NJ": 9.3, "VA": 8.6, "WA": 7.7, "AZ": 7.2, "MA": 7.0, "TN": 6.9,
    "IN": 6.8, "MD": 6.2, "MO": 6.2, "WI": 5.9, "CO": 5.8, "MN": 5.7, "SC": 5.1, "AL": 5.0,
    "LA": 4.7, "KY": 4.5, "OR": 4.2, "OK": 4.0, "CT": 3.6, "UT": 3.3, "IA": 3.2, "NV": 3.1,
    "AR": 3.0, "MS": 3.0, "KS": 2.9, "NM": 2.1, "NE": 2.0, "ID": 1.8, "WV": 1.8, "HI": 1.5,
    "NH": 1.4, "ME": 1.4, "RI": 1.1, "MT": 1.1, "DE": 1.0, "SD": 0.9, "ND": 0.8, "AK": 0.7,
    "DC": 0.7, "VT": 0.6, "WY": 0.6, "PR": 3.3,
}  # fmt: skip

# Shares of the behavioral-health individual NPIs by taxonomy (rounded; social workers and
# counselors dominate, prescribers are about a tenth).
TAXONOMY_MIX: Final = {
    "1041C0700X": 0.22, "101YM0800X": 0.10, "101YP2500X": 0.09, "101Y00000X": 0.04,
    "101YA0400X": 0.04, "103T00000X": 0.05, "103TC0700X": 0.06, "103TC1900X": 0.01,
    "106H00000X": 0.06, "104100000X": 0.05, "103K00000X": 0.07, "2084P0800X": 0.05,
    "2084P0804X": 0.01, "363LP0808X": 0.05, "102L00000X": 0.01, "364SP0808X": 0.01,
    "163WP0808X": 0.02, "1835P1300X": 0.01, "103G00000X": 0.01, "106S00000X": 0.03,
}  # fmt: skip

CLINIC_COLUMNS: Final = (
    "npi", "address", "city", "state", "zip", "telehealth", "in_person",
    "accepting_new_patients", "licensed_states", "languages", "issues", "modalities",
    "fee_min_usd", "sliding_scale", "plans", "plan_names",
)  # fmt: skip
ISSUE_CHOICES: Final = ("depression", "anxiety", "trauma-ptsd", "emotional-numbness", "bpd")
MODALITY_CHOICES: Final = ("cbt", "dbt", "emdr", "cpt", "act", "ipt", "psychodynamic")


@dataclass(frozen=True)
class Provider:
    npi: str
    state: str
    zip_code: str
    city: str
    street: str
    taxonomy: str


def plan_id(state: str, number: int) -> str:
    return f"{state}-PLAN-{number:02d}"


def _npis(seed: int) -> Iterator[str]:
    """Valid NPIs from 1999000000 up: real NPIs are issued at random below that, so none clash
    with a sample here in a benchmark's lifetime (and the data is thrown away after the run)."""
    base = 999_000_000 + seed * 10_000_000
    for stem in range(base, base + 10_000_000):
        for check in range(10):
            candidate = f"1{stem:08d}{check}"[-10:]
            if npi_is_valid(candidate):
                yield candidate
                break


def _zips_by_state() -> dict[str, list[tuple[str, str]]]:
    table: dict[str, list[tuple[str, str]]] = {}
    for entry in zipcodes.filter_by(zip_code_type="STANDARD", active=True):  # type: ignore[no-untyped-call]
        if entry["state"] in STATE_POPULATION and entry["lat"] and entry["long"]:
            table.setdefault(entry["state"], []).append((entry["zip_code"], entry["city"]))
    return table


def providers(count: int, seed: int) -> Iterator[Provider]:
    rng = random.Random(seed)
    zips = _zips_by_state()
    states = list(STATE_POPULATION)
    weights = list(STATE_POPULATION.values())
    codes, shares = list(TAXONOMY_MIX), list(TAXONOMY_MIX.values())
    npis = _npis(seed)
    for _ in range(count):
        state = rng.choices(states, weights)[0]
        zip_code, city = rng.choice(zips[state])
        street = f"{rng.randint(1, 9999)} MAIN ST"
        yield Provider(next(npis), state, zip_code, city, street, rng.choices(codes, shares)[0])


def write_nppes(path: Path, people: list[Provider], seed: int) -> None:
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    position = {name: index for index, name in enumerate(header)}
    rng = random.Random(seed + 1)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        blank = [""] * len(header)
        for number, person in enumerate(people):
            row = blank.copy()
            row[position["NPI"]] = person.npi
            row[position["Entity Type Code"]] = "1"
            row[position["Provider Last Name (Legal Name)"]] = f"SURNAME{number % 9973}"
            row[position["Provider First Name"]] = f"GIVEN{number % 7919}"
            row[position["Provider Credential Text"]] = (
                "LCSW" if person.taxonomy[0] == "1" else "MD"
            )
            row[position["Provider First Line Business Practice Location Address"]] = person.street
            row[position["Provider Business Practice Location Address City Name"]] = person.city
            row[position["Provider Business Practice Location Address State Name"]] = person.state
            row[position["Provider Business Practice Location Address Postal Code"]] = (
                person.zip_code + f"{rng.randint(0, 9999):04d}"
            )
            row[position["Provider Business Practice Location Address Telephone Number"]] = (
                f"860555{number % 10000:04d}"
            )
            row[position["Provider Gender Code"]] = rng.choice("FFM")
            row[position["Healthcare Provider Taxonomy Code_1"]] = person.taxonomy
            row[position["Provider License Number State Code_1"]] = person.state
            row[position["Healthcare Provider Primary Taxonomy Switch_1"]] = "Y"
            row[position["Provider Enumeration Date"]] = "05/23/2007"
            row[position["Last Update Date"]] = "07/08/2018"
            writer.writerow(row)


def memberships(people: list[Provider], networks_per_state: int, seed: int) -> Iterator[list[str]]:
    """Rows of the clinic CSV: one per (provider, network) membership."""
    rng = random.Random(seed + 2)
    for person in people:
        if rng.random() >= 0.7:
            continue
        chosen = rng.sample(range(1, networks_per_state + 1), rng.choice((1, 1, 2, 3)))
        telehealth = rng.random() < 0.45
        for number in chosen:
            plan = plan_id(person.state, number)
            yield [
                person.npi,
                person.street,
                person.city,
                person.state,
                person.zip_code,
                "yes" if telehealth else "no",
                "yes",
                rng.choice(("yes", "yes", "no", "")),
                person.state,
                rng.choice(("en", "en", "en es", "en zh")),
                " ".join(rng.sample(ISSUE_CHOICES, 2)).replace(" ", ";"),
                " ".join(rng.sample(MODALITY_CHOICES, 2)).replace(" ", ";"),
                str(rng.choice((90, 120, 150, 200))),
                rng.choice(("yes", "no")),
                plan,
                f"{person.state} Plan {number}",
            ]


def write_memberships(
    path: Path, people: list[Provider], networks_per_state: int, seed: int
) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CLINIC_COLUMNS)
        for row in memberships(people, networks_per_state, seed):
            writer.writerow(row)
            count += 1
    return count
