"""`affectrange directory import --format plannet`: FHIR R4 Plan-Net resources into the directory.

The resources are written here by hand (fictional payer, practice and people; NPIs with their
check digit computed below), modelled on Plan-Net's "counselor via telemedicine" example: a
counsellor seen online through one network, a psychiatrist at two offices in another, and a
cardiologist who is not a behavioral-health provider. The same resources are imported as a
Bundle and as NDJSON, in an order where roles come before what they reference.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from affectrange.cli import app as cli
from affectrange.config import get_settings
from affectrange.db import Base, Database
from affectrange.directory.geo import zip_centroid
from affectrange.directory.importers import ImportFormat, import_directory
from affectrange.directory.importers.common import DirectoryImportError, ImportSummary
from affectrange.directory.models import (
    DirectoryLocation,
    DirectoryNetwork,
    DirectoryOrganization,
    DirectoryPlan,
    DirectoryPlanNetwork,
    DirectoryPractitioner,
    DirectoryRole,
)
from affectrange.directory.schemas import DirectoryQuery
from affectrange.directory.service import search_directory

NOW = dt.datetime(2026, 6, 15, 16, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=7)

Resource = dict[str, Any]

PLANNET = "http://hl7.org/fhir/us/davinci-pdex-plan-net/"
NETWORK_REFERENCE = PLANNET + "StructureDefinition/network-reference"
NEW_PATIENTS = PLANNET + "StructureDefinition/newpatients"
DELIVERY_METHOD = PLANNET + "StructureDefinition/delivery-method"
QUALIFICATION = PLANNET + "StructureDefinition/practitioner-qualification"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
NUCC = "http://nucc.org/provider-taxonomy"
USPS = "https://www.usps.com/"
OURS = "https://affectrange.org/fhir/StructureDefinition/"
OUR_CODES = "https://affectrange.org/fhir/CodeSystem/"

DIRECTORY_TABLES = (
    "directory_organizations",
    "directory_networks",
    "directory_plans",
    "directory_plan_networks",
    "directory_practitioners",
    "directory_locations",
    "directory_roles",
    "directory_revision",
)


def with_check_digit(first_nine: str) -> str:
    """An NPI: nine digits and the Luhn check digit over "80840" + them (the CMS rule)."""
    total = 0
    for position, char in enumerate(reversed("80840" + first_nine)):
        digit = int(char)
        if position % 2 == 0:  # doubled: the check digit will sit to the right of these
            digit = digit * 2 - 9 if digit * 2 > 9 else digit * 2
        total += digit
    return first_nine + str((10 - total % 10) % 10)


OKAFOR_NPI = with_check_digit("192837465")
WIERZBICKI_NPI = with_check_digit("176543210")
WHITCOMBE_NPI = with_check_digit("134679258")
ELM_STREET_NPI = with_check_digit("156473829")


def test_the_npis_used_here_carry_a_correct_check_digit() -> None:
    # 1234567893 is the worked example of the CMS NPI check-digit paper.
    assert with_check_digit("123456789") == "1234567893"
    assert (OKAFOR_NPI, WIERZBICKI_NPI) == ("1928374655", "1765432103")


# --- the resources ----------------------------------------------------------------------------


def coded(system: str, code: str) -> Resource:
    return {"coding": [{"system": system, "code": code}]}


def reference(target: str) -> Resource:
    return {"reference": target}


def new_patients(code: str, network: str | None = None) -> Resource:
    parts: list[Resource] = [
        {
            "url": "acceptingPatients",
            "valueCodeableConcept": coded(PLANNET + "CodeSystem/AcceptingPatientsCS", code),
        }
    ]
    if network is not None:
        parts.append({"url": "fromNetwork", "valueReference": reference(network)})
    return {"url": NEW_PATIENTS, "extension": parts}


def delivery(method: str) -> Resource:
    return {
        "url": DELIVERY_METHOD,
        "extension": [
            {
                "url": "type",
                "valueCodeableConcept": coded(PLANNET + "CodeSystem/DeliveryMethodCS", method),
            }
        ],
    }


def licence(code: Resource, *states: str, ended: str | None = None) -> Resource:
    qualification: Resource = {
        "code": code,
        "extension": [
            {
                "url": QUALIFICATION,
                "extension": [
                    {"url": "status", "valueCode": "active"},
                    *(
                        {"url": "whereValid", "valueCodeableConcept": coded(USPS, state)}
                        for state in states
                    ),
                ],
            }
        ],
    }
    if ended is not None:
        qualification["period"] = {"start": "2012-01-01", "end": ended}
    return qualification


def ours(name: str, system: str, code: str) -> Resource:
    return {"url": OURS + name, "valueCoding": {"system": OUR_CODES + system, "code": code}}


def plannet_resources() -> list[Resource]:
    """Roles first, then what they reference: the importer must read the whole file first."""
    return copy.deepcopy(
        [
            {
                "resourceType": "PractitionerRole",
                "id": "okafor-online",
                "meta": {"profile": [PLANNET + "StructureDefinition/plannet-PractitionerRole"]},
                "active": True,
                "extension": [
                    {
                        "url": NETWORK_REFERENCE,
                        "valueReference": reference("Organization/harbor-standard"),
                    },
                    new_patients("newpt"),
                ],
                "practitioner": reference("Practitioner/okafor"),
                "code": [coded(PLANNET + "CodeSystem/ProviderRoleCS", "co")],
                "specialty": [coded(NUCC, "101YP2500X")],
                "healthcareService": [reference("HealthcareService/okafor-video")],
            },
            {
                "resourceType": "PractitionerRole",
                "id": "wierzbicki-offices",
                "active": True,
                "extension": [
                    {
                        "url": NETWORK_REFERENCE,
                        "valueReference": reference("Organization/harbor-select"),
                    },
                    new_patients("newpt"),  # in general, but not from this role's network:
                    new_patients("existptonly", "Organization/harbor-select"),
                ],
                "practitioner": reference("Practitioner/wierzbicki"),
                "organization": reference("Organization/elm-street"),
                "location": [
                    reference("Location/hartford-office"),
                    reference("Location/new-haven-office"),
                ],
                "specialty": [coded(NUCC, "2084P0800X")],
                "healthcareService": [reference("HealthcareService/elm-street-clinic")],
            },
            {
                "resourceType": "PractitionerRole",
                "id": "whitcombe-cardiology",
                "active": True,
                "extension": [
                    {
                        "url": NETWORK_REFERENCE,
                        "valueReference": reference("Organization/harbor-standard"),
                    }
                ],
                "practitioner": reference("Practitioner/whitcombe"),
                "location": [reference("Location/cardiology-annex")],
                "specialty": [coded(NUCC, "207RC0000X")],
            },
            {
                "resourceType": "HealthcareService",
                "id": "okafor-video",
                "active": True,
                "extension": [delivery("virtual")],
                "category": [coded(PLANNET + "CodeSystem/HealthcareServiceCategoryCS", "behav")],
                "specialty": [coded(NUCC, "101YP2500X")],
            },
            {
                "resourceType": "HealthcareService",
                "id": "elm-street-clinic",
                "active": True,
                "extension": [delivery("physical")],
                "location": [reference("Location/hartford-office")],
            },
            {
                "resourceType": "Practitioner",
                "id": "okafor",
                "identifier": [{"system": NPI_SYSTEM, "value": OKAFOR_NPI}],
                "name": [{"use": "official", "family": "Okafor", "given": ["Rosalind", "Adaeze"]}],
                "gender": "female",
                "communication": [
                    coded("urn:ietf:bcp:47", "en-US"),
                    coded("urn:ietf:bcp:47", "es"),
                ],
                "qualification": [
                    licence({"coding": [{"display": "LPC"}], "text": "LPC"}, "CT", "MA"),
                    licence({"coding": [{"display": "LMHC"}]}, "NY", ended="2020-12-31"),
                    licence(coded(NUCC, "101YP2500X")),
                ],
                "telecom": [
                    {"system": "email", "value": "rosalind.okafor@example.org"},
                    {"system": "phone", "value": "860-555-0142"},
                ],
                "extension": [
                    ours("issues-treated", "issues", "anxiety"),
                    ours("issues-treated", "issues", "depression"),
                    ours("modalities", "modalities", "cbt"),
                    ours("modalities", "modalities", "act"),
                    ours("client-age-groups", "age-groups", "adults"),
                    ours("client-age-groups", "age-groups", "older-adults"),
                    ours("session-formats", "session-formats", "individual"),
                    ours("session-formats", "session-formats", "couples"),
                    {
                        "url": OURS + "fee",
                        "extension": [
                            {
                                "url": "range",
                                "valueRange": {
                                    "low": {"value": 90, "code": "USD"},
                                    "high": {"value": 150, "code": "USD"},
                                },
                            },
                            {"url": "slidingScale", "valueBoolean": True},
                        ],
                    },
                    {
                        "url": OURS + "next-available",
                        "extension": [
                            {"url": "date", "valueDate": "2026-06-22"},
                            {"url": "confirmed", "valueDate": "2026-06-12"},
                        ],
                    },
                ],
            },
            {
                "resourceType": "Practitioner",
                "id": "wierzbicki",
                "identifier": [{"system": NPI_SYSTEM, "value": WIERZBICKI_NPI}],
                "name": [{"family": "Wierzbicki", "given": ["Tomasz"], "prefix": ["Dr."]}],
                "gender": "male",
                "communication": [coded("urn:ietf:bcp:47", "pl"), coded("urn:ietf:bcp:47", "en")],
                "qualification": [
                    licence(coded("http://terminology.hl7.org/CodeSystem/v2-0360", "MD"), "CT"),
                    licence(coded(NUCC, "2084P0800X")),
                ],
                "telecom": [
                    {"system": "phone", "value": "(203) 555-0199", "rank": 2},
                    {"system": "phone", "value": "+1 860 555 0177", "rank": 1},
                ],
                "extension": [
                    {
                        "url": OURS + "fee",
                        "extension": [
                            {"url": "amount", "valueMoney": {"value": 250, "currency": "USD"}}
                        ],
                    }
                ],
            },
            {
                "resourceType": "Practitioner",
                "id": "whitcombe",
                "identifier": [{"system": NPI_SYSTEM, "value": WHITCOMBE_NPI}],
                "name": [{"family": "Whitcombe", "given": ["Dana"]}],
                "qualification": [licence(coded(NUCC, "207RC0000X"), "CT")],
            },
            {
                "resourceType": "Location",
                "id": "hartford-office",
                "status": "active",
                "address": {
                    "line": ["77 Larkspur Lane", "Suite 4"],
                    "city": "Hartford",
                    "state": "CT",
                    "postalCode": "06103",
                },
                "position": {"latitude": 41.7649, "longitude": -72.6823},
            },
            {
                "resourceType": "Location",
                "id": "new-haven-office",
                "status": "active",
                "address": {
                    "line": ["12 Quillfeather Court"],
                    "city": "New Haven",
                    "state": "CT",
                    "postalCode": "06510-2211",
                },
            },
            {
                "resourceType": "Location",
                "id": "cardiology-annex",
                "address": {"line": ["5 Pulse Row"], "city": "Hartford", "state": "CT"},
            },
            {
                "resourceType": "InsurancePlan",
                "id": "harbor-silver",
                "identifier": [{"value": "HL-SILVER-2026"}],
                "status": "active",
                "type": [coded(PLANNET + "CodeSystem/InsuranceProductTypeCS", "commppo")],
                "name": "Harbor Light Silver PPO",
                "ownedBy": reference("Organization/harbor-light"),
                "administeredBy": reference("Organization/harbor-light"),
                "network": [reference("Organization/harbor-standard")],
                "plan": [{"network": [reference("Organization/harbor-select")]}],
            },
            {
                "resourceType": "InsurancePlan",
                "id": "harbor-bronze",
                "status": "active",
                "name": "Harbor Light Bronze HMO",
                "ownedBy": reference("Organization/harbor-light"),
                "network": [reference("Organization/harbor-standard")],
            },
            {
                "resourceType": "Organization",
                "id": "harbor-standard",
                "meta": {"profile": [PLANNET + "StructureDefinition/plannet-Network"]},
                "active": True,
                "type": [coded(PLANNET + "CodeSystem/OrgTypeCS", "ntwk")],
                "name": "Harbor Light Standard Network",
                "partOf": reference("Organization/harbor-light"),
            },
            {
                "resourceType": "Organization",
                "id": "harbor-select",
                "meta": {"profile": [PLANNET + "StructureDefinition/plannet-Network"]},
                "active": True,
                "name": "Harbor Light Select Network",
                "partOf": reference("Organization/harbor-light"),
            },
            {
                "resourceType": "Organization",
                "id": "harbor-light",
                "active": True,
                "type": [coded(PLANNET + "CodeSystem/OrgTypeCS", "payer")],
                "name": "Harbor Light Health",
                "telecom": [{"system": "phone", "value": "800-555-0100"}],
            },
            {
                "resourceType": "Organization",
                "id": "elm-street",
                "active": True,
                "identifier": [{"system": NPI_SYSTEM, "value": ELM_STREET_NPI}],
                "type": [coded(PLANNET + "CodeSystem/OrgTypeCS", "prvgrp")],
                "name": "Elm Street Counseling Collective",
            },
        ]
    )


def find(resources: list[Resource], label: str) -> Resource:
    kind, resource_id = label.split("/")
    return next(r for r in resources if r["resourceType"] == kind and r["id"] == resource_id)


def line_of(resources: list[Resource], label: str) -> int:
    return resources.index(find(resources, label)) + 1


def write_ndjson(path: Path, resources: list[Resource]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in resources), encoding="utf-8")
    return path


def write_bundle(path: Path, resources: list[Resource], *, full_urls: bool = True) -> Path:
    entries = [
        {
            "fullUrl": f"https://directory.example.org/fhir/{r['resourceType']}/{r['id']}",
            "resource": r,
        }
        if full_urls
        else {"resource": r}
        for r in resources
    ]
    bundle = {
        "resourceType": "Bundle",
        "id": "harbor-extract",
        "type": "collection",
        "entry": entries,
    }
    path.write_text(json.dumps(bundle, indent=2), encoding="utf-8")
    return path


WRITERS: dict[str, Callable[[Path, list[Resource]], Path]] = {
    "bundle": lambda folder, resources: write_bundle(folder / "harbor.json", resources),
    "ndjson": lambda folder, resources: write_ndjson(folder / "harbor.ndjson", resources),
}


@pytest.fixture(params=sorted(WRITERS))
def write(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[list[Resource]], Path]:
    """Writes resources as a Bundle or as NDJSON (each test runs with both)."""
    writer = WRITERS[request.param]
    return lambda resources: writer(tmp_path, resources)


def run_import(session: Session, path: Path, now: dt.datetime = NOW) -> ImportSummary:
    return import_directory(session, path, ImportFormat.PLANNET, now=now)


# --- what the tables hold ---------------------------------------------------------------------


def table_contents(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every directory table, ids and timestamps included."""
    contents: dict[str, list[tuple[Any, ...]]] = {}
    for name in DIRECTORY_TABLES:
        table = Base.metadata.tables[name]
        rows = session.execute(select(table).order_by(*table.primary_key.columns))
        contents[name] = [tuple(row) for row in rows]
    return contents


def practitioners(session: Session) -> dict[str, DirectoryPractitioner]:
    return {p.npi: p for p in session.scalars(select(DirectoryPractitioner))}


def roles(session: Session) -> dict[str, dict[str, Any]]:
    """Each role as a reader sees it: the keys of what it links to instead of row ids."""
    rows = session.execute(
        select(DirectoryRole, DirectoryPractitioner.npi, DirectoryLocation.source_key)
        .join(DirectoryPractitioner, DirectoryPractitioner.id == DirectoryRole.practitioner_id)
        .outerjoin(DirectoryLocation, DirectoryLocation.id == DirectoryRole.location_id)
    )
    networks = {n.id: n.source_key for n in session.scalars(select(DirectoryNetwork))}
    organizations = {o.id: o.source_key for o in session.scalars(select(DirectoryOrganization))}
    return {
        role.source_key: {
            "npi": npi,
            "location": location,
            "organization": organizations.get(role.organization_id or 0),
            "network": networks.get(role.network_id or 0),
            "specialties": role.specialties,
            "accepting": role.accepting_new_patients,
            "telehealth": role.telehealth,
            "in_person": role.in_person,
        }
        for role, npi, location in rows
    }


def plan_networks(session: Session) -> dict[str, set[str]]:
    rows = session.execute(
        select(DirectoryPlan.plan_key, DirectoryNetwork.source_key)
        .join(DirectoryPlanNetwork, DirectoryPlanNetwork.plan_id == DirectoryPlan.id)
        .join(DirectoryNetwork, DirectoryNetwork.id == DirectoryPlanNetwork.network_id)
    )
    found: dict[str, set[str]] = {}
    for plan, network in rows:
        found.setdefault(plan, set()).add(network)
    return found


def directory_is_empty(session: Session) -> bool:
    contents = table_contents(session)
    revision = contents.pop("directory_revision")
    return all(not rows for rows in contents.values()) and [r[1] for r in revision] == [0]


# --- a good file ------------------------------------------------------------------------------


def test_the_counsellor_and_the_psychiatrist_are_read_as_written(
    session: Session, write: Callable[[list[Resource]], Path]
) -> None:
    run_import(session, write(plannet_resources()))

    found = practitioners(session)
    assert set(found) == {OKAFOR_NPI, WIERZBICKI_NPI}  # the cardiologist is not kept
    okafor = found[OKAFOR_NPI]
    assert (okafor.given_name, okafor.family_name, okafor.credentials) == (
        "Rosalind",
        "Okafor",
        "LPC",
    )
    assert okafor.gender == "female"
    assert okafor.languages == ("en", "es")
    assert okafor.licensed_states == ("CT", "MA")  # the New York licence ended in 2020
    assert okafor.specialties == ("101YP2500X",)
    assert (okafor.email, okafor.phone) == ("rosalind.okafor@example.org", "(860) 555-0142")
    assert okafor.issues == ("anxiety", "depression")
    assert okafor.modalities == ("cbt", "act")
    assert okafor.age_groups == ("adults", "older-adults")
    assert okafor.session_formats == ("individual", "couples")
    assert (okafor.fee_min_usd, okafor.fee_max_usd, okafor.sliding_scale) == (90, 150, True)
    assert okafor.next_available == dt.date(2026, 6, 22)
    assert okafor.availability_confirmed_on == dt.date(2026, 6, 12)

    wierzbicki = found[WIERZBICKI_NPI]
    assert (wierzbicki.name_prefix, wierzbicki.credentials, wierzbicki.gender) == (
        "Dr.",
        "MD",
        "male",
    )
    assert wierzbicki.languages == ("pl", "en")
    assert wierzbicki.licensed_states == ("CT",)
    assert wierzbicki.specialties == ("2084P0800X",)
    assert wierzbicki.phone == "(860) 555-0177"  # rank 1 before rank 2
    assert wierzbicki.email is None
    assert (wierzbicki.fee_min_usd, wierzbicki.fee_max_usd, wierzbicki.sliding_scale) == (
        250,
        250,
        None,
    )
    assert wierzbicki.issues == ()


def test_roles_carry_network_accepting_and_how_people_are_seen(
    session: Session, write: Callable[[list[Resource]], Path]
) -> None:
    run_import(session, write(plannet_resources()))

    offices = {
        "npi": WIERZBICKI_NPI,
        "organization": "plannet:Organization/elm-street",
        "network": "plannet:Organization/harbor-select",
        "specialties": ("2084P0800X",),
        "accepting": False,  # existing patients only, from this network
        "telehealth": False,
        "in_person": True,
    }
    assert roles(session) == {
        "plannet:PractitionerRole/okafor-online": {
            "npi": OKAFOR_NPI,
            "location": None,
            "organization": None,
            "network": "plannet:Organization/harbor-standard",
            "specialties": ("101YP2500X",),
            "accepting": True,
            "telehealth": True,
            "in_person": False,
        },
        "plannet:PractitionerRole/wierzbicki-offices#hartford-office": {
            **offices,
            "location": "plannet:Location/hartford-office",
        },
        "plannet:PractitionerRole/wierzbicki-offices#new-haven-office": {
            **offices,
            "location": "plannet:Location/new-haven-office",
        },
    }


def test_locations_are_placed_by_position_else_at_their_zip_centroid(
    session: Session, write: Callable[[list[Resource]], Path]
) -> None:
    run_import(session, write(plannet_resources()))

    places = {place.source_key: place for place in session.scalars(select(DirectoryLocation))}
    assert set(places) == {"plannet:Location/hartford-office", "plannet:Location/new-haven-office"}
    hartford = places["plannet:Location/hartford-office"]
    assert (hartford.line, hartford.city, hartford.state, hartford.postal_code) == (
        "77 Larkspur Lane, Suite 4",
        "Hartford",
        "CT",
        "06103",
    )
    assert (hartford.latitude, hartford.longitude, hartford.position_source) == (
        41.7649,
        -72.6823,
        "plannet",
    )
    new_haven = places["plannet:Location/new-haven-office"]
    centroid = zip_centroid("06510")
    assert centroid is not None
    assert new_haven.postal_code == "06510"
    assert (new_haven.latitude, new_haven.longitude, new_haven.position_source) == (
        centroid.point.latitude,
        centroid.point.longitude,
        "zip-centroid",
    )


def test_plans_networks_and_payers_are_linked(
    session: Session, write: Callable[[list[Resource]], Path]
) -> None:
    summary = run_import(session, write(plannet_resources()))

    assert plan_networks(session) == {
        "HL-SILVER-2026": {
            "plannet:Organization/harbor-standard",  # InsurancePlan.network
            "plannet:Organization/harbor-select",  # InsurancePlan.plan.network
        },
        "harbor-bronze": {"plannet:Organization/harbor-standard"},  # no identifier: its id
    }
    payer = session.scalars(
        select(DirectoryOrganization).where(
            DirectoryOrganization.source_key == "plannet:Organization/harbor-light"
        )
    ).one()
    assert (payer.name, payer.phone) == ("Harbor Light Health", "(800) 555-0100")
    plans = {plan.plan_key: plan for plan in session.scalars(select(DirectoryPlan))}
    assert plans["HL-SILVER-2026"].name == "Harbor Light Silver PPO"
    assert plans["HL-SILVER-2026"].plan_type == "commppo"
    assert {plan.payer_id for plan in plans.values()} == {payer.id}
    networks = list(session.scalars(select(DirectoryNetwork)))
    assert {network.name for network in networks} == {
        "Harbor Light Standard Network",
        "Harbor Light Select Network",
    }
    assert {network.payer_id for network in networks} == {payer.id}
    practice = session.scalars(
        select(DirectoryOrganization).where(DirectoryOrganization.npi == ELM_STREET_NPI)
    ).one()
    assert practice.name == "Elm Street Counseling Collective"

    assert (summary.rows_read, summary.rows_kept) == (17, 14)  # not: Whitcombe, role, annex
    assert summary.inserted == {
        "organizations": 2,
        "networks": 2,
        "plans": 2,
        "plan_networks": 3,
        "practitioners": 2,
        "locations": 2,
        "roles": 3,
    }
    assert summary.changed


def test_bundle_references_may_use_the_entries_full_urls(session: Session, tmp_path: Path) -> None:
    resources = plannet_resources()
    url_of = {
        f"{r['resourceType']}/{r['id']}": f"urn:uuid:00000000-0000-4000-8000-{index:012d}"
        for index, r in enumerate(resources)
    }
    entries = [
        {"fullUrl": url_of[f"{r['resourceType']}/{r['id']}"], "resource": r} for r in resources
    ]
    find(resources, "PractitionerRole/okafor-online")["practitioner"] = reference(
        url_of["Practitioner/okafor"]
    )
    path = tmp_path / "uuids.json"
    path.write_text(
        json.dumps({"resourceType": "Bundle", "type": "searchset", "entry": entries}),
        encoding="utf-8",
    )

    run_import(session, path)

    assert roles(session)["plannet:PractitionerRole/okafor-online"]["npi"] == OKAFOR_NPI


# --- importing again --------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(
    session: Session, write: Callable[[list[Resource]], Path]
) -> None:
    path = write(plannet_resources())
    run_import(session, path)
    before = table_contents(session)

    again = run_import(session, path, now=LATER)

    assert table_contents(session) == before
    assert again.changed is False
    assert again.inserted == {}
    assert again.updated == {}
    assert again.unchanged["practitioners"] == 2
    assert again.unchanged["roles"] == 3


def test_a_changed_file_updates_what_it_says_and_leaves_what_it_does_not_mention(
    session: Session, write: Callable[[list[Resource]], Path]
) -> None:
    run_import(session, write(plannet_resources()))
    first = practitioners(session)
    stamped = {npi: p.updated_at for npi, p in first.items()}
    resources = plannet_resources()
    okafor = find(resources, "Practitioner/okafor")
    okafor["telecom"][0]["value"] = "r.okafor@example.org"
    del okafor["communication"]  # saying nothing about languages is not saying "none"
    find(resources, "Practitioner/wierzbicki")["extension"][0]["extension"][0]["valueMoney"][
        "value"
    ] = 275

    summary = run_import(session, write(resources), now=LATER)

    session.expire_all()
    found = practitioners(session)
    assert found[OKAFOR_NPI].email == "r.okafor@example.org"
    assert found[OKAFOR_NPI].languages == ("en", "es")
    assert (found[WIERZBICKI_NPI].fee_min_usd, found[WIERZBICKI_NPI].fee_max_usd) == (275, 275)
    assert {npi: p.updated_at for npi, p in found.items()} == dict.fromkeys(stamped, LATER)
    assert summary.updated == {"practitioners": 2}
    assert summary.inserted == {}


def test_a_role_may_name_what_an_earlier_import_stored(session: Session, tmp_path: Path) -> None:
    run_import(session, write_ndjson(tmp_path / "first.ndjson", plannet_resources()))
    weekend_role = {
        "resourceType": "PractitionerRole",
        "id": "wierzbicki-weekends",
        "extension": [
            {"url": NETWORK_REFERENCE, "valueReference": reference("Organization/harbor-standard")}
        ],
        "practitioner": {"identifier": {"system": NPI_SYSTEM, "value": WIERZBICKI_NPI}},
        "location": [reference("Location/hartford-office")],
    }

    run_import(session, write_ndjson(tmp_path / "second.ndjson", [weekend_role]))

    role = roles(session)["plannet:PractitionerRole/wierzbicki-weekends"]
    assert role["npi"] == WIERZBICKI_NPI
    assert role["location"] == "plannet:Location/hartford-office"
    assert role["network"] == "plannet:Organization/harbor-standard"
    assert role["specialties"] == ()  # none listed: the practitioner's apply


# --- finding them -----------------------------------------------------------------------------


def test_search_finds_the_psychiatrist_through_the_plans_network(
    session: Session, write: Callable[[list[Resource]], Path]
) -> None:
    run_import(session, write(plannet_resources()))

    silver = search_directory(session, DirectoryQuery(zip="06103", plan="HL-SILVER-2026"))
    bronze = search_directory(session, DirectoryQuery(zip="06103", plan="harbor-bronze"))

    assert [match.npi for match in silver.matches] == [WIERZBICKI_NPI]
    match = silver.matches[0]
    assert match.network == "Harbor Light Select Network"
    assert match.distance_miles is not None
    assert match.distance_miles < 1
    assert match.accepting_new_patients is False
    assert silver.plan_name == "Harbor Light Silver PPO"
    assert bronze.matches == []  # the select network is not in the bronze plan


def test_search_finds_the_online_counsellor_in_the_states_she_is_licensed_in(
    session: Session, write: Callable[[list[Resource]], Path]
) -> None:
    run_import(session, write(plannet_resources()))

    connecticut = search_directory(session, DirectoryQuery(state="CT", telehealth=True))
    new_york = search_directory(session, DirectoryQuery(state="NY", telehealth=True))

    assert [match.npi for match in connecticut.matches] == [OKAFOR_NPI]
    match = connecticut.matches[0]
    assert (match.telehealth, match.distance_miles, match.accepting_new_patients) == (
        True,
        None,
        True,
    )
    assert new_york.matches == []  # her New York licence has ended


# --- bad files --------------------------------------------------------------------------------

Spoil = Callable[[list[Resource]], tuple[str, str]]
"""Changes the resources; returns the label of the resource named and the message expected."""


def invalid_birth_date(resources: list[Resource]) -> tuple[str, str]:
    find(resources, "Practitioner/okafor")["birthDate"] = "last spring"
    return "Practitioner/okafor", "not valid FHIR R4: birthDate"


def location_absent(resources: list[Resource]) -> tuple[str, str]:
    find(resources, "PractitionerRole/wierzbicki-offices")["location"].append(
        reference("Location/lighthouse-annex")
    )
    return (
        "PractitionerRole/wierzbicki-offices",
        "location Location/lighthouse-annex is neither in the file nor in the directory",
    )


def network_absent(resources: list[Resource]) -> tuple[str, str]:
    find(resources, "InsurancePlan/harbor-bronze")["network"] = [
        reference("Organization/harbor-gold")
    ]
    return (
        "InsurancePlan/harbor-bronze",
        "network Organization/harbor-gold is neither in the file nor in the directory",
    )


def practitioner_absent(resources: list[Resource]) -> tuple[str, str]:
    find(resources, "PractitionerRole/okafor-online")["practitioner"] = reference(
        "Practitioner/okafor-junior"
    )
    return "PractitionerRole/okafor-online", "practitioner Practitioner/okafor-junior is not in"


def unknown_modality(resources: list[Resource]) -> tuple[str, str]:
    find(resources, "Practitioner/okafor")["extension"].append(
        ours("modalities", "modalities", "reiki")
    )
    return "Practitioner/okafor", "unknown modality 'reiki'"


def unknown_issue(resources: list[Resource]) -> tuple[str, str]:
    find(resources, "Practitioner/okafor")["extension"].append(
        ours("issues-treated", "issues", "general-malaise")
    )
    return "Practitioner/okafor", "unknown issue 'general-malaise'"


def unknown_language(resources: list[Resource]) -> tuple[str, str]:
    find(resources, "Practitioner/wierzbicki")["communication"].append(
        coded("urn:ietf:bcp:47", "sw")
    )
    return "Practitioner/wierzbicki", "language 'sw' is not one the directory lists"


def npi_check_digit(resources: list[Resource]) -> tuple[str, str]:
    wrong = OKAFOR_NPI[:9] + str((int(OKAFOR_NPI[9]) + 1) % 10)
    find(resources, "Practitioner/okafor")["identifier"][0]["value"] = wrong
    return "Practitioner/okafor", f"NPI '{wrong}' is not a valid NPI"


def npi_missing(resources: list[Resource]) -> tuple[str, str]:
    del find(resources, "Practitioner/wierzbicki")["identifier"]
    return "Practitioner/wierzbicki", "has no NPI"


def gender_code(resources: list[Resource]) -> tuple[str, str]:
    find(resources, "Practitioner/okafor")["gender"] = "woman"
    return "Practitioner/okafor", "gender 'woman' is not one of"


def accepting_code(resources: list[Resource]) -> tuple[str, str]:
    find(resources, "PractitionerRole/okafor-online")["extension"][1] = new_patients("maybe")
    return "PractitionerRole/okafor-online", "acceptingPatients 'maybe' is not one of"


def delivery_code(resources: list[Resource]) -> tuple[str, str]:
    find(resources, "HealthcareService/okafor-video")["extension"] = [delivery("carrier-pigeon")]
    return "HealthcareService/okafor-video", "delivery-method type 'carrier-pigeon'"


def licence_state(resources: list[Resource]) -> tuple[str, str]:
    find(resources, "Practitioner/wierzbicki")["qualification"][0] = licence(
        coded("http://terminology.hl7.org/CodeSystem/v2-0360", "MD"), "QQ"
    )
    return "Practitioner/wierzbicki", "whereValid 'QQ' is not a USPS state code"


def fee_in_euros(resources: list[Resource]) -> tuple[str, str]:
    fee = find(resources, "Practitioner/wierzbicki")["extension"][0]
    fee["extension"][0]["valueMoney"]["currency"] = "EUR"
    return "Practitioner/wierzbicki", "fees are in US dollars"


def misspelt_extension(resources: list[Resource]) -> tuple[str, str]:
    find(resources, "Practitioner/okafor")["extension"].append(
        {"url": OURS + "modality", "valueCoding": {"code": "cbt"}}
    )
    return "Practitioner/okafor", f"unknown extension {OURS}modality"


def practice_as_network(resources: list[Resource]) -> tuple[str, str]:
    find(resources, "PractitionerRole/okafor-online")["extension"][0]["valueReference"] = reference(
        "Organization/elm-street"
    )
    return "PractitionerRole/okafor-online", "Organization/elm-street is not a Network"


def twice(resources: list[Resource]) -> tuple[str, str]:
    resources.append(copy.deepcopy(find(resources, "Location/hartford-office")))
    return "Location/hartford-office", "Location/hartford-office appears twice"


SPOILS: list[Spoil] = [
    invalid_birth_date,
    location_absent,
    network_absent,
    practitioner_absent,
    unknown_modality,
    unknown_issue,
    unknown_language,
    npi_check_digit,
    npi_missing,
    gender_code,
    accepting_code,
    delivery_code,
    licence_state,
    fee_in_euros,
    misspelt_extension,
    practice_as_network,
    twice,
]


@pytest.mark.parametrize("spoil", SPOILS, ids=[spoil.__name__ for spoil in SPOILS])
def test_a_bad_resource_is_refused_naming_the_ndjson_line_and_nothing_is_imported(
    session: Session, tmp_path: Path, spoil: Spoil
) -> None:
    resources = plannet_resources()
    label, message = spoil(resources)
    line = len(resources) if spoil is twice else line_of(resources, label)
    path = write_ndjson(tmp_path / "harbor.ndjson", resources)

    with pytest.raises(DirectoryImportError) as raised:
        run_import(session, path)
    session.rollback()  # as the command line does

    assert str(raised.value).startswith(f"harbor.ndjson, line {line} ({label}): ")
    assert message in str(raised.value)
    assert directory_is_empty(session)


def test_a_bad_bundle_entry_is_named_by_its_entry_number(session: Session, tmp_path: Path) -> None:
    resources = plannet_resources()
    find(resources, "Practitioner/okafor")["gender"] = 7
    path = write_bundle(tmp_path / "harbor.json", resources)

    with pytest.raises(DirectoryImportError) as raised:
        run_import(session, path)
    session.rollback()

    entry = line_of(resources, "Practitioner/okafor")
    assert str(raised.value).startswith(f"harbor.json, entry {entry} (Practitioner/okafor): ")
    assert "not valid FHIR R4: gender" in str(raised.value)
    assert directory_is_empty(session)


def raw_lines(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


PRACTICE = json.dumps(find(plannet_resources(), "Organization/elm-street"))

RAW_FILES: dict[str, tuple[str, str]] = {
    "not JSON": ("Dear directory, please list me.\n", "x.ndjson, line 1, column 1: not JSON"),
    "a broken line": (
        raw_lines(PRACTICE, PRACTICE.replace("elm-street", "oak-street"), '{"resourceType": '),
        "x.ndjson, line 3: not JSON",
    ),
    "no resourceType": (
        raw_lines(PRACTICE, '{"id": "mystery", "name": "Nobody in particular"}'),
        "x.ndjson, line 2: not a FHIR resource (no resourceType)",
    ),
    "not an object": (raw_lines(PRACTICE, '["Organization"]'), "x.ndjson, line 2: not a FHIR"),
    "not a FHIR type": (
        raw_lines('{"resourceType": "Therapist", "id": "t1"}'),
        "x.ndjson, line 1 (Therapist/t1): 'Therapist' is not a FHIR R4 resource type",
    ),
    "an empty file": ("\n\n", "x.ndjson: the file is empty"),
    "a bundle without a type": (
        json.dumps({"resourceType": "Bundle", "entry": []}),
        "x.ndjson (Bundle): not valid FHIR R4: type",
    ),
    "a delete entry": (
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [{"request": {"method": "DELETE", "url": "Practitioner/okafor"}}],
            }
        ),
        "x.ndjson, entry 1: a DELETE entry",
    ),
}


@pytest.mark.parametrize("kind", sorted(RAW_FILES))
def test_a_file_that_is_not_plannet_is_refused_naming_the_place(
    session: Session, tmp_path: Path, kind: str
) -> None:
    content, expected = RAW_FILES[kind]
    path = tmp_path / "x.ndjson"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(DirectoryImportError) as raised:
        run_import(session, path)
    session.rollback()

    assert str(raised.value).startswith(expected)
    assert directory_is_empty(session)


def test_a_bad_file_after_a_good_one_leaves_the_directory_as_it_was(
    session: Session, tmp_path: Path
) -> None:
    run_import(session, write_ndjson(tmp_path / "good.ndjson", plannet_resources()))
    session.commit()
    before = table_contents(session)
    resources = plannet_resources()
    find(resources, "Practitioner/okafor")["telecom"][0]["value"] = "changed@example.org"
    unknown_modality(resources)

    with pytest.raises(DirectoryImportError):
        run_import(session, write_ndjson(tmp_path / "bad.ndjson", resources), now=LATER)
    session.rollback()

    assert table_contents(session) == before


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def command_line(
    committing_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Path], tuple[int, str]]]:
    monkeypatch.chdir(tmp_path)  # no stray .env or var/ of the working tree
    env = {
        "AFFECTRANGE_DATABASE_URL": committing_database.engine.url.render_as_string(
            hide_password=False
        ),
        "AFFECTRANGE_SECRET_KEY": "plannet-cli-test-secret",
    }
    runner = CliRunner()

    def run(path: Path) -> tuple[int, str]:
        result = runner.invoke(
            cli, ["directory", "import", str(path), "--format", "plannet"], env=env
        )
        return result.exit_code, result.stderr

    get_settings.cache_clear()
    yield run
    get_settings.cache_clear()


def test_the_command_imports_a_file_and_refuses_a_bad_one_with_exit_2(
    committing_database: Database,
    command_line: Callable[[Path], tuple[int, str]],
    tmp_path: Path,
) -> None:
    resources = plannet_resources()
    good = write_bundle(tmp_path / "harbor.json", resources)
    unknown_language(resources)
    bad = write_ndjson(tmp_path / "harbor.ndjson", resources)

    refused, refusal = command_line(bad)
    with committing_database.session_factory() as session:
        assert directory_is_empty(session)
    imported, report = command_line(good)
    with committing_database.session_factory() as session:
        after_good = table_contents(session)
    refused_again, _ = command_line(bad)
    with committing_database.session_factory() as session:
        after_bad = table_contents(session)

    line = line_of(resources, "Practitioner/wierzbicki")
    assert refused == 2
    assert f"harbor.ndjson, line {line} (Practitioner/wierzbicki): language 'sw'" in refusal
    assert "nothing was imported" in refusal
    assert imported == 0, report
    assert "Read 17 rows, kept 14" in report
    assert len(after_good["directory_practitioners"]) == 2
    assert refused_again == 2
    assert after_bad == after_good
