"""FHIR R4 Da Vinci Plan-Net resources: one Bundle (JSON) or NDJSON (one resource per line).

The format is told by content, not by the file name: a file whose first non-blank line is a whole
JSON value is NDJSON (a one-line Bundle counts as a Bundle); anything else must be one JSON
document, a Bundle of any type whose entries' `resource`s are read. Places in messages are
"line 7" for NDJSON and "entry 3" for a Bundle (counted from 1).

Plan-Net references cross the file in any order (a role may come before its practitioner), so
the whole file is read and checked first and written afterwards. That holds it in memory, which
suits what one import carries: a payer's directory extract, a few thousand to some tens of
thousands of resources (NPPES, the large source, streams instead). Every resource is validated
with the `fhir.resources` R4B models; those do not check code values, so every code the import
relies on (gender, language, state, accepting-patients, delivery method, our local codes) is
checked here.

What becomes what:

- Organization: a payer or practice (`directory_organizations`, key `plannet:Organization/{id}`);
  one with a `plannet-Network` profile or type code `ntwk` is a Network (`directory_networks`,
  same key form, payer from `partOf`).
- InsurancePlan: `directory_plans`, keyed by its first identifier's value, else its id; its
  networks are `network` and every `plan.network`; payer from `ownedBy`.
- PractitionerRole: `directory_roles`, key `plannet:PractitionerRole/{id}`, or
  `plannet:PractitionerRole/{id}#{location id}` for each location when it lists several. Kept when
  it is active and lists a behavioral-health NUCC specialty (`taxonomy.BEHAVIORAL_HEALTH_CODES`),
  or lists no NUCC specialty at all and its practitioner holds one. A role listing only other
  specialties (a cardiologist's) is not kept, nor are its practitioner and locations unless a kept
  role uses them. Its network is the `network-reference` extension; accepting new patients comes
  from `newpatients` (the role's, else its location's, else its services'; an entry `fromNetwork`
  the role's network wins over a general one; `newpt` is yes, `nopt`, `existptonly` and
  `existptfam` are no). Telehealth: a referenced HealthcareService with `delivery-method` type
  `virtual`; in person: one with type `physical`, or the role lists a location.
- Practitioner: `directory_practitioners`, keyed by NPI (identifier system
  http://hl7.org/fhir/sid/us-npi, check digit verified). Name (the official one, else the first),
  gender, `communication` (BCP-47 primary tags; `ase` is American Sign Language, `asl` here),
  `qualification` (NUCC codes add to the specialties, v2-0360 degree codes or a coding's display
  make the credentials, `practitioner-qualification.whereValid` USPS codes or Locations make the
  licensed states; expired or inactive qualifications are skipped), telecom e-mail and phone.
  Columns the resource does not carry are left as they are, so a Plan-Net file without
  languages never erases those a clinic's file set.
- Location: `directory_locations`, key `plannet:Location/{id}`, placed at `position`
  (position_source "plannet"), else at its ZIP's centroid. Only locations of kept roles are
  stored.
- HealthcareService: read for delivery method and new patients, not stored.

Our local extensions, for what Plan-Net has no element for, go on the Practitioner; each URL is
`vocabulary.EXTENSION_BASE` + its name, and coded ones use `vocabulary.LOCAL_SYSTEM_BASE` + a code
system name (docs/directory.md):

- `issues-treated`, `modalities`, `client-age-groups`, `session-formats`: repeated, one
  `valueCoding` each, systems `issues`, `modalities`, `age-groups`, `session-formats`, codes from
  `vocabulary` (unknown codes are refused).
- `fee`: complex; `amount` (valueMoney, USD) or `range` (valueRange, low and optional high in
  USD), and `slidingScale` (valueBoolean). Fees are per session, rounded to whole dollars.
- `next-available`: complex; `date` (valueDate: the next free appointment) and `confirmed`
  (valueDate: when someone last checked it).

A reference must name a resource in the file or, for organizations, networks and locations, one
an earlier Plan-Net import stored; a practitioner from an earlier import is referenced by its NPI
identifier. An import adds and updates; it never removes (a Bundle DELETE entry is refused).
In the summary, `rows_read` counts resources and `rows_kept` those the import used (stored, or a
HealthcareService read for a stored role).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final, NoReturn

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.insuranceplan import InsurancePlan
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from affectrange.directory.geo import normalize_zip, zip_centroid
from affectrange.directory.importers.common import (
    DirectoryImportError,
    DirectoryWriter,
    ImportSummary,
    Record,
    format_us_phone,
)
from affectrange.directory.importers.nppes import npi_is_valid
from affectrange.directory.models import (
    DirectoryLocation,
    DirectoryNetwork,
    DirectoryOrganization,
    DirectoryPractitioner,
)
from affectrange.directory.taxonomy import is_behavioral_health
from affectrange.directory.vocabulary import (
    AGE_GROUPS,
    EXTENSION_BASE,
    ISSUES,
    LANGUAGES,
    LOCAL_SYSTEM_BASE,
    MODALITIES,
    SESSION_FORMATS,
    US_STATES,
)

Json = dict[str, Any]

# --- Plan-Net and FHIR identifiers ------------------------------------------------------------

PLANNET_BASE: Final = "http://hl7.org/fhir/us/davinci-pdex-plan-net/"
NETWORK_REFERENCE_URL: Final = PLANNET_BASE + "StructureDefinition/network-reference"
NEW_PATIENTS_URL: Final = PLANNET_BASE + "StructureDefinition/newpatients"
DELIVERY_METHOD_URL: Final = PLANNET_BASE + "StructureDefinition/delivery-method"
QUALIFICATION_URL: Final = PLANNET_BASE + "StructureDefinition/practitioner-qualification"
ACCEPTING_PATIENTS_SYSTEM: Final = PLANNET_BASE + "CodeSystem/AcceptingPatientsCS"
DELIVERY_METHOD_SYSTEM: Final = PLANNET_BASE + "CodeSystem/DeliveryMethodCS"
NPI_SYSTEM: Final = "http://hl7.org/fhir/sid/us-npi"
NUCC_SYSTEM: Final = "http://nucc.org/provider-taxonomy"
BCP47_SYSTEM: Final = "urn:ietf:bcp:47"
USPS_SYSTEM: Final = "https://www.usps.com/"
DEGREE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/v2-0360"
CURRENCY_SYSTEM: Final = "urn:iso:std:iso:4217"

ACCEPTING_CODES: Final[Mapping[str, bool]] = {
    "newpt": True,
    "nopt": False,
    "existptonly": False,
    "existptfam": False,
}
"""Plan-Net AcceptingPatientsCS: only `newpt` says a new patient can book."""

DELIVERY_METHODS: Final = ("virtual", "physical")
GENDERS: Final[Mapping[str, str | None]] = {
    "female": "female",
    "male": "male",
    "other": "other",
    "unknown": None,
}
LANGUAGE_ALIASES: Final[Mapping[str, str]] = {"ase": "asl"}
"""BCP-47 names American Sign Language `ase`; the directory's vocabulary calls it `asl`."""

# --- Our local extensions (all on Practitioner) -----------------------------------------------

ISSUES_TREATED_URL: Final = EXTENSION_BASE + "issues-treated"
MODALITIES_URL: Final = EXTENSION_BASE + "modalities"
CLIENT_AGE_GROUPS_URL: Final = EXTENSION_BASE + "client-age-groups"
SESSION_FORMATS_URL: Final = EXTENSION_BASE + "session-formats"
FEE_URL: Final = EXTENSION_BASE + "fee"
NEXT_AVAILABLE_URL: Final = EXTENSION_BASE + "next-available"

ISSUES_SYSTEM: Final = LOCAL_SYSTEM_BASE + "issues"
MODALITIES_SYSTEM: Final = LOCAL_SYSTEM_BASE + "modalities"
AGE_GROUPS_SYSTEM: Final = LOCAL_SYSTEM_BASE + "age-groups"
SESSION_FORMATS_SYSTEM: Final = LOCAL_SYSTEM_BASE + "session-formats"

MAX_FEE_USD: Final = 100_000
"""A per-session fee above this is a typo (cents for dollars), not a price."""


@dataclass(frozen=True, slots=True)
class _CodedExtension:
    url: str
    system: str
    vocabulary: Mapping[str, str]
    column: str
    what: str


CODED_EXTENSIONS: Final = (
    _CodedExtension(ISSUES_TREATED_URL, ISSUES_SYSTEM, ISSUES, "issues", "issue"),
    _CodedExtension(MODALITIES_URL, MODALITIES_SYSTEM, MODALITIES, "modalities", "modality"),
    _CodedExtension(
        CLIENT_AGE_GROUPS_URL, AGE_GROUPS_SYSTEM, AGE_GROUPS, "age_groups", "client age group"
    ),
    _CodedExtension(
        SESSION_FORMATS_URL,
        SESSION_FORMATS_SYSTEM,
        SESSION_FORMATS,
        "session_formats",
        "session format",
    ),
)
LOCAL_EXTENSIONS: Final = frozenset(
    {*(coded.url for coded in CODED_EXTENSIONS), FEE_URL, NEXT_AVAILABLE_URL}
)

# Column widths of the directory tables: a longer value is refused by name, not by the database.
_WIDTHS: Final[Mapping[str, int]] = {
    "name": 300,
    "plan_key": 120,
    "plan_type": 40,
    "family_name": 120,
    "given_name": 120,
    "name_prefix": 40,
    "name_suffix": 40,
    "credentials": 120,
    "email": 320,
    "phone": 40,
    "line": 300,
    "city": 120,
}
_LOOKUP_CHUNK: Final = 900

_MODELS: Final[Mapping[str, type[FHIRAbstractModel]]] = {
    "Organization": Organization,
    "InsurancePlan": InsurancePlan,
    "Practitioner": Practitioner,
    "PractitionerRole": PractitionerRole,
    "Location": Location,
    "HealthcareService": HealthcareService,
}


def import_plannet(session: Session, path: Path, *, now: dt.datetime) -> ImportSummary:
    """Import the file inside the session's transaction; raise DirectoryImportError at a problem.

    Everything is read and checked before the first write; the caller rolls back on an error
    anyway, so a bad file imports nothing.
    """
    contents = _read(path)
    summary = ImportSummary(source="plannet", rows_read=len(contents.resources))
    prepared = _Preparation(session, contents, today=now.date()).run()
    writer = DirectoryWriter(session, summary, now=now)
    prepared.write(writer, summary)
    writer.finish()
    return summary


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Resource:
    kind: str
    id: str | None
    data: Json
    where: str
    """"file.ndjson, line 7 (PractitionerRole/abc)": how messages name it."""
    order: int

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.id}" if self.id else self.kind

    def fail(self, message: str) -> NoReturn:
        raise DirectoryImportError(f"{self.where}: {message}")


@dataclass
class _Contents:
    path: Path
    resources: list[_Resource] = field(default_factory=list)
    by_ref: dict[str, _Resource] = field(default_factory=dict)
    """Handled resources by "Type/id"."""
    by_url: dict[str, _Resource] = field(default_factory=dict)
    """Bundle entries by fullUrl (references may use it, e.g. "urn:uuid:...")."""

    def add(self, value: Any, place: str) -> _Resource | None:
        name = self.path.name
        if not isinstance(value, dict):
            raise DirectoryImportError(
                f"{name}, {place}: not a FHIR resource (a JSON {type(value).__name__}, "
                "not an object)"
            )
        kind = value.get("resourceType")
        if not isinstance(kind, str) or not kind:
            raise DirectoryImportError(f"{name}, {place}: not a FHIR resource (no resourceType)")
        raw_id = value.get("id")
        resource_id = raw_id if isinstance(raw_id, str) and raw_id else None
        where = (
            f"{name}, {place} ({kind}/{resource_id})"
            if resource_id
            else f"{name}, {place} ({kind})"
        )
        model = _MODELS.get(kind) or _other_model(kind)
        if model is None:
            raise DirectoryImportError(f"{where}: {kind!r} is not a FHIR R4 resource type")
        try:
            validated = model.model_validate(value)
        except ValidationError as error:
            raise DirectoryImportError(
                f"{where}: not valid FHIR R4: {_first_problem(error)}"
            ) from error
        if kind not in _MODELS:
            self.resources.append(_Resource(kind, resource_id, {}, where, len(self.resources)))
            return None  # validated, then ignored: Endpoint, OrganizationAffiliation, ...
        data = validated.model_dump(mode="json", exclude_none=True)
        resource = _Resource(kind, resource_id, data, where, len(self.resources))
        if resource_id is not None:
            earlier = self.by_ref.get(resource.label)
            if earlier is not None:
                resource.fail(f"{resource.label} appears twice (also at {earlier.where})")
            self.by_ref[resource.label] = resource
        self.resources.append(resource)
        return resource

    def add_bundle(self, bundle: Json, prefix: str | None) -> None:
        name = self.path.name
        bundle_id = bundle.get("id")
        label = f"Bundle/{bundle_id}" if isinstance(bundle_id, str) and bundle_id else "Bundle"
        where = f"{name}, {prefix} ({label})" if prefix else f"{name} ({label})"
        entries = bundle.get("entry") or []
        shell = bundle
        if isinstance(entries, list):  # the resources are validated one by one, to name them
            shell = {
                **bundle,
                "entry": [
                    {key: item for key, item in entry.items() if key != "resource"}
                    if isinstance(entry, dict)
                    else entry
                    for entry in entries
                ],
            }
        try:
            Bundle.model_validate(shell)
        except ValidationError as error:
            raise DirectoryImportError(
                f"{where}: not valid FHIR R4: {_first_problem(error)}"
            ) from error
        for number, entry in enumerate(entries, start=1):
            place = f"{prefix}, entry {number}" if prefix else f"entry {number}"
            resource = entry.get("resource")
            if resource is None:
                request = entry.get("request") or {}
                if request.get("method") == "DELETE":
                    raise DirectoryImportError(
                        f"{name}, {place}: a DELETE entry; an import adds and updates, "
                        "it never removes"
                    )
                continue
            added = self.add(resource, place)
            full_url = entry.get("fullUrl")
            if added is not None and isinstance(full_url, str) and full_url:
                self.by_url[full_url] = added


def _other_model(kind: str) -> type[FHIRAbstractModel] | None:
    try:
        return get_fhir_model_class(kind)
    except (KeyError, ValueError):
        return None


def _first_problem(error: ValidationError) -> str:
    problems = error.errors()
    first = problems[0]
    location = ".".join(str(part) for part in first["loc"])
    message = " ".join(str(first["msg"]).split())
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{location}: {message}{more}" if location else f"{message}{more}"


def _read(path: Path) -> _Contents:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DirectoryImportError(f"{path}: cannot be read ({error.strerror})") from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DirectoryImportError(
            f"{path.name}: not UTF-8 text (byte {error.start}: {error.reason})"
        ) from error
    filled = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not filled:
        raise DirectoryImportError(f"{path.name}: the file is empty")
    contents = _Contents(path)
    first_number, first_line = filled[0]
    try:
        first = json.loads(first_line)
    except json.JSONDecodeError:
        try:  # not one value per line: the whole file is one JSON document
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise DirectoryImportError(
                f"{path.name}, line {error.lineno}, column {error.colno}: not JSON ({error.msg})"
            ) from error
        _add_document(contents, document, f"line {first_number}")
        return contents
    if len(filled) == 1:
        _add_document(contents, first, f"line {first_number}")
        return contents
    for number, line in filled:
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise DirectoryImportError(
                f"{path.name}, line {number}: not JSON ({error.msg} at column {error.colno})"
            ) from error
        if isinstance(value, dict) and value.get("resourceType") == "Bundle":
            contents.add_bundle(value, f"line {number}")
        else:
            contents.add(value, f"line {number}")
    return contents


def _add_document(contents: _Contents, document: Any, place: str) -> None:
    if isinstance(document, dict) and document.get("resourceType") == "Bundle":
        contents.add_bundle(document, None)
    else:
        contents.add(document, place)


# --- JSON helpers -----------------------------------------------------------------------------


def _objects(data: Json | None, key: str) -> list[Json]:
    """The objects under `key`: a list's objects, or a single object as a list of one."""
    if data is None:
        return []
    value = data.get(key)
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def _object(data: Json | None, key: str) -> Json | None:
    value = data.get(key) if data is not None else None
    return value if isinstance(value, dict) else None


def _string(data: Json | None, key: str) -> str | None:
    value = data.get(key) if data is not None else None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _strings(data: Json | None, key: str) -> list[str]:
    value = data.get(key) if data is not None else None
    if not isinstance(value, list):
        return []
    return [item.strip() for item in value if isinstance(item, str) and item.strip()]


def _extensions(data: Json | None, url: str) -> list[Json]:
    return [item for item in _objects(data, "extension") if item.get("url") == url]


def _codes(concept: Json | None, system: str, *, systemless: bool = True) -> list[str]:
    """Codes of a CodeableConcept from `system` (and, when `systemless`, codings without one)."""
    found: list[str] = []
    for coding in _objects(concept, "coding"):
        coding_system = _string(coding, "system")
        code = _string(coding, "code")
        if code is not None and (coding_system == system or (systemless and not coding_system)):
            found.append(code)
    return found


def _date(text: str | None) -> dt.date | None:
    """A full date from a FHIR date or dateTime ("2026-07-01", "2026-07-01T09:00:00-04:00")."""
    if text is None or len(text) < 10:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _phone(text: str) -> str:
    """US numbers in the one stored form; anything else as written."""
    return format_us_phone(text) or text.strip()


def _fits(resource: _Resource, what: str, value: str) -> str:
    width = _WIDTHS[what]
    if len(value) > width:
        resource.fail(f"{what.replace('_', ' ')} is {len(value)} characters; at most {width} fit")
    return value


# --- References -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ref:
    kind: str
    id: str | None
    """The referenced resource's id (None for a practitioner named only by NPI)."""
    found: _Resource | None
    """The resource when it is in the file."""
    npi: str | None = None


@dataclass
class _Wanted:
    """Keys absent from the file that must already be in the directory, with who asked first."""

    keys: dict[str, tuple[_Resource, str]] = field(default_factory=dict)

    def want(self, key: str, owner: _Resource, phrase: str) -> None:
        earlier = self.keys.get(key)
        if earlier is None or owner.order < earlier[0].order:
            self.keys[key] = (owner, phrase)

    def refuse_missing(self, stored: Mapping[str, object]) -> None:
        missing = [asked for key, asked in self.keys.items() if key not in stored]
        if missing:
            owner, phrase = min(missing, key=lambda asked: asked[0].order)
            owner.fail(phrase)


@dataclass(frozen=True, slots=True)
class _Stored:
    id: int
    state: str | None = None
    specialties: tuple[str, ...] = ()


def _org_key(resource_id: str) -> str:
    return f"plannet:Organization/{resource_id}"


def _location_key(resource_id: str) -> str:
    return f"plannet:Location/{resource_id}"


# --- Preparation: everything checked, nothing written -----------------------------------------


@dataclass(frozen=True, slots=True)
class _RoleDraft:
    resource: _Resource
    codes: tuple[str, ...]
    """The role's behavioral-health NUCC codes."""
    practitioner: _Ref


@dataclass(frozen=True, slots=True)
class _RoleRow:
    source_key: str
    practitioner_npi: str
    location_key: str | None
    organization_key: str | None
    network_key: str | None
    specialties: tuple[str, ...]
    accepting: bool | None
    telehealth: bool
    in_person: bool


@dataclass
class _Prepared:
    organizations: list[Record]
    networks: list[tuple[Record, str | None]]
    """Network records and their payer's key."""
    plans: list[tuple[Record, str | None, list[str]]]
    """Plan records, their payer's key and their networks' keys."""
    practitioners: list[Record]
    locations: list[Record]
    roles: list[_RoleRow]
    stored_organizations: dict[str, int]
    stored_networks: dict[str, int]
    stored_locations: dict[str, int]
    stored_practitioners: dict[str, int]
    kept: int

    def write(self, writer: DirectoryWriter, summary: ImportSummary) -> None:
        summary.rows_kept = self.kept
        summary.without_position = sum(1 for row in self.locations if row["latitude"] is None)
        organizations = {
            **self.stored_organizations,
            **writer.upsert("organizations", self.organizations),
        }
        networks = {
            **self.stored_networks,
            **writer.upsert(
                "networks",
                [
                    {**record, "payer_id": organizations[payer] if payer else None}
                    for record, payer in self.networks
                ],
            ),
        }
        plans = writer.upsert(
            "plans",
            [
                {**record, "payer_id": organizations[payer] if payer else None}
                for record, payer, _networks in self.plans
            ],
        )
        writer.link_plan_networks(
            (plans[record["plan_key"]], networks[network])
            for record, _payer, keys in self.plans
            for network in keys
        )
        practitioners = {
            **self.stored_practitioners,
            **writer.upsert("practitioners", self.practitioners),
        }
        locations = {**self.stored_locations, **writer.upsert("locations", self.locations)}
        writer.upsert(
            "roles",
            [
                {
                    "source_key": row.source_key,
                    "practitioner_id": practitioners[row.practitioner_npi],
                    "location_id": locations[row.location_key] if row.location_key else None,
                    "organization_id": (
                        organizations[row.organization_key] if row.organization_key else None
                    ),
                    "network_id": networks[row.network_key] if row.network_key else None,
                    "specialties": row.specialties,
                    "accepting_new_patients": row.accepting,
                    "telehealth": row.telehealth,
                    "in_person": row.in_person,
                }
                for row in self.roles
            ],
        )


class _Preparation:
    """Reads the resources into records, resolving every reference, before anything is written."""

    def __init__(self, session: Session, contents: _Contents, *, today: dt.date) -> None:
        self._session = session
        self._contents = contents
        self._today = today
        self._organizations: list[_Resource] = []
        self._networks: list[_Resource] = []
        self._plans: list[_Resource] = []
        self._roles: list[_Resource] = []
        self._by_npi: dict[str, _Resource] = {}
        for resource in contents.resources:
            if resource.kind == "Organization":
                if _is_network(resource.data):
                    self._networks.append(resource)
                else:
                    self._organizations.append(resource)
            elif resource.kind == "InsurancePlan":
                self._plans.append(resource)
            elif resource.kind == "Practitioner":
                self._index_npi(resource)
            elif resource.kind == "PractitionerRole":
                self._roles.append(resource)
        self._wanted_organizations = _Wanted()
        self._wanted_networks = _Wanted()
        self._wanted_locations = _Wanted()
        self._used: set[int] = set()

    def _index_npi(self, resource: _Resource) -> None:
        for identifier in _objects(resource.data, "identifier"):
            npi = _string(identifier, "value")
            if _string(identifier, "system") == NPI_SYSTEM and npi is not None:
                earlier = self._by_npi.get(npi)
                if earlier is not None and earlier is not resource:
                    resource.fail(f"NPI {npi} is also the NPI of {earlier.where}")
                self._by_npi[npi] = resource

    # -- the steps --

    def run(self) -> _Prepared:
        organizations = [self._organization(resource) for resource in self._organizations]
        networks = [self._network(resource) for resource in self._networks]
        plans = self._plan_records()
        drafts = [draft for role in self._roles if (draft := self._draft(role)) is not None]
        stored_practitioners = self._stored_practitioners(drafts)
        kept = [draft for draft in drafts if self._keeps(draft, stored_practitioners)]
        practitioner_codes: dict[str, list[str]] = {}
        file_practitioners: dict[str, _Resource] = {}
        role_rows: list[_RoleRow] = []
        location_resources: dict[str, _Resource] = {}
        for draft in kept:
            self._use(draft.resource)
            npi = self._practitioner_npi(draft, stored_practitioners)
            if draft.practitioner.found is not None:
                file_practitioners[npi] = draft.practitioner.found
                practitioner_codes.setdefault(npi, []).extend(draft.codes)
            role_rows += self._role_rows(draft, npi, location_resources)
        practitioners = [
            self._practitioner(resource, npi, practitioner_codes[npi])
            for npi, resource in file_practitioners.items()
        ]
        locations = [self._location(resource) for resource in location_resources.values()]
        stored_organizations = self._stored_ids(DirectoryOrganization, self._wanted_organizations)
        stored_networks = self._stored_ids(DirectoryNetwork, self._wanted_networks)
        stored_locations = self._stored_ids(DirectoryLocation, self._wanted_locations)
        return _Prepared(
            organizations=organizations,
            networks=networks,
            plans=plans,
            practitioners=[self._licensed_states(record) for record in practitioners],
            locations=locations,
            roles=role_rows,
            stored_organizations=stored_organizations,
            stored_networks=stored_networks,
            stored_locations=stored_locations,
            stored_practitioners={npi: found.id for npi, found in stored_practitioners.items()},
            kept=len(self._used),
        )

    def _use(self, resource: _Resource) -> None:
        self._used.add(resource.order)

    @staticmethod
    def _require_id(resource: _Resource) -> str:
        if resource.id is None:
            resource.fail(f"a {resource.kind} needs an id: the directory keys it by its id")
        return resource.id

    # -- references --

    def _reference(self, owner: _Resource, value: Any, expected: str, what: str) -> _Ref:
        if not isinstance(value, dict):
            owner.fail(f"{what} is not a Reference")
        text = _string(value, "reference")
        if text is None:
            identifier = _object(value, "identifier")
            npi = _string(identifier, "value")
            if expected == "Practitioner" and _string(identifier, "system") == NPI_SYSTEM and npi:
                found = self._by_npi.get(npi)
                return _Ref(expected, found.id if found else None, found, npi)
            owner.fail(
                f"{what} has no reference"
                + (" (or NPI identifier)" if expected == "Practitioner" else "")
            )
        if text.startswith("#"):
            owner.fail(f"{what} {text!r} points to a contained resource, which is not read")
        found = self._contents.by_url.get(text)
        if found is not None:
            if found.kind != expected:
                owner.fail(f"{what} {text} is a {found.kind}, not a {expected}")
            return _Ref(expected, found.id, found)
        parts = text.split("/_history/")[0].rstrip("/").split("/")
        if len(parts) < 2 or parts[-2] != expected or not parts[-1]:
            owner.fail(f"{what} {text!r} is not a reference to a {expected}")
        resource_id = parts[-1]
        return _Ref(expected, resource_id, self._contents.by_ref.get(f"{expected}/{resource_id}"))

    def _organization_key(self, owner: _Resource, value: Any, what: str) -> str:
        """A payer or practice: in the file (and not a network) or stored before."""
        ref = self._reference(owner, value, "Organization", what)
        assert ref.id is not None
        key = _org_key(ref.id)
        if ref.found is not None:
            if _is_network(ref.found.data):
                owner.fail(f"{what} Organization/{ref.id} is a Network, not a payer or practice")
        else:
            self._wanted_organizations.want(
                key,
                owner,
                f"{what} Organization/{ref.id} is neither in the file nor in the directory",
            )
        return key

    def _network_key(self, owner: _Resource, value: Any, what: str) -> str:
        ref = self._reference(owner, value, "Organization", what)
        assert ref.id is not None
        key = _org_key(ref.id)
        if ref.found is not None:
            if not _is_network(ref.found.data):
                owner.fail(
                    f"{what} Organization/{ref.id} is not a Network "
                    "(no plannet-Network profile, no type ntwk)"
                )
            self._use(ref.found)
        else:
            self._wanted_networks.want(
                key,
                owner,
                f"{what} Organization/{ref.id} is neither in the file nor in the directory",
            )
        return key

    def _stored_ids(self, model: type[Any], wanted: _Wanted) -> dict[str, int]:
        keys = list(wanted.keys)
        found: dict[str, int] = {}
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start : start + _LOOKUP_CHUNK]
            rows = self._session.execute(
                select(model.source_key, model.id).where(model.source_key.in_(chunk))
            )
            found.update((str(key), int(row_id)) for key, row_id in rows)
        wanted.refuse_missing(found)
        return found

    # -- organizations, networks, plans --

    def _organization(self, resource: _Resource) -> Record:
        self._use(resource)
        data = resource.data
        npi = self._organization_npi(resource)
        phone = next((_phone(value) for value in _telecom(data, "phone")), None)
        return {
            "source_key": _org_key(self._require_id(resource)),
            "name": _fits(resource, "name", _name_of(resource)),
            "npi": npi,
            "phone": _fits(resource, "phone", phone) if phone else None,
        }

    @staticmethod
    def _organization_npi(resource: _Resource) -> str | None:
        for identifier in _objects(resource.data, "identifier"):
            npi = _string(identifier, "value")
            if _string(identifier, "system") == NPI_SYSTEM and npi is not None:
                if not npi_is_valid(npi):
                    resource.fail(f"NPI {npi!r} is not a valid NPI (check digit)")
                return npi
        return None

    def _network(self, resource: _Resource) -> tuple[Record, str | None]:
        self._use(resource)
        part_of = resource.data.get("partOf")
        payer = self._organization_key(resource, part_of, "partOf") if part_of else None
        record = {
            "source_key": _org_key(self._require_id(resource)),
            "name": _fits(resource, "name", _name_of(resource)),
        }
        return record, payer

    def _plan_records(self) -> list[tuple[Record, str | None, list[str]]]:
        plans: list[tuple[Record, str | None, list[str]]] = []
        seen: dict[str, _Resource] = {}
        for resource in self._plans:
            self._use(resource)
            data = resource.data
            plan_key = next(
                (
                    value
                    for identifier in _objects(data, "identifier")
                    if (value := _string(identifier, "value"))
                ),
                None,
            ) or self._require_id(resource)
            _fits(resource, "plan_key", plan_key)
            earlier = seen.get(plan_key.casefold())
            if earlier is not None:
                resource.fail(f"plan key {plan_key!r} is also the key of {earlier.where}")
            seen[plan_key.casefold()] = resource
            owned_by = data.get("ownedBy")
            payer = self._organization_key(resource, owned_by, "ownedBy") if owned_by else None
            references = _objects(data, "network") + [
                reference
                for plan in _objects(data, "plan")
                for reference in _objects(plan, "network")
            ]
            networks = list(
                dict.fromkeys(self._network_key(resource, ref, "network") for ref in references)
            )
            plan_type = next(
                (code for concept in _objects(data, "type") for code in _all_codes(concept)), None
            )
            record: Record = {
                "plan_key": plan_key,
                "name": _fits(resource, "name", _name_of(resource, fallback=plan_key)),
                "plan_type": _fits(resource, "plan_type", plan_type) if plan_type else None,
            }
            plans.append((record, payer, networks))
        return plans

    # -- roles --

    def _draft(self, role: _Resource) -> _RoleDraft | None:
        data = role.data
        if data.get("active") is False:
            return None
        ended = _date(_string(_object(data, "period"), "end"))
        if ended is not None and ended < self._today:
            return None
        listed = [
            code
            for concept in _objects(data, "specialty")
            for code in _codes(concept, NUCC_SYSTEM, systemless=False)
        ]
        codes = tuple(dict.fromkeys(code for code in listed if is_behavioral_health(code)))
        if listed and not codes:
            return None  # another specialty (a cardiologist's role)
        if data.get("practitioner") is None:
            return None  # Plan-Net allows a role without a practitioner; nobody to list
        self._require_id(role)
        practitioner = self._reference(role, data["practitioner"], "Practitioner", "practitioner")
        if practitioner.found is None and practitioner.npi is None:
            role.fail(
                f"practitioner Practitioner/{practitioner.id} is not in the file (refer to a "
                f"practitioner imported before by an identifier with system {NPI_SYSTEM})"
            )
        return _RoleDraft(role, codes, practitioner)

    def _stored_practitioners(self, drafts: list[_RoleDraft]) -> dict[str, _Stored]:
        wanted = _Wanted()
        for draft in drafts:
            ref = draft.practitioner
            if ref.found is None and ref.npi is not None:
                wanted.want(
                    ref.npi,
                    draft.resource,
                    f"practitioner with NPI {ref.npi} is neither in the file nor in the directory",
                )
        npis = list(wanted.keys)
        found: dict[str, _Stored] = {}
        for start in range(0, len(npis), _LOOKUP_CHUNK):
            rows = self._session.execute(
                select(
                    DirectoryPractitioner.npi,
                    DirectoryPractitioner.id,
                    DirectoryPractitioner.specialties,
                ).where(DirectoryPractitioner.npi.in_(npis[start : start + _LOOKUP_CHUNK]))
            )
            for npi, row_id, specialties in rows:
                found[npi] = _Stored(id=row_id, specialties=tuple(specialties))
        wanted.refuse_missing(found)
        return found

    def _keeps(self, draft: _RoleDraft, stored: Mapping[str, _Stored]) -> bool:
        if draft.codes:
            return True
        ref = draft.practitioner
        if ref.found is not None:
            return bool(self._qualification_codes(ref.found))
        return ref.npi is not None and bool(stored[ref.npi].specialties)

    def _practitioner_npi(self, draft: _RoleDraft, stored: Mapping[str, _Stored]) -> str:
        ref = draft.practitioner
        if ref.found is None:
            assert ref.npi is not None
            assert ref.npi in stored
            return ref.npi
        return _npi_of(ref.found)

    def _role_rows(
        self, draft: _RoleDraft, npi: str, locations: dict[str, _Resource]
    ) -> list[_RoleRow]:
        role = draft.resource
        data = role.data
        key = f"plannet:PractitionerRole/{self._require_id(role)}"
        network_references = _extensions(data, NETWORK_REFERENCE_URL)
        if len(network_references) > 1:
            role.fail(
                f"{len(network_references)} network-reference extensions; Plan-Net allows one "
                "per role (write one role per network)"
            )
        network_key: str | None = None
        network_id: str | None = None
        if network_references:
            value = network_references[0].get("valueReference")
            network_key = self._network_key(role, value, "network-reference")
            network_id = network_key.removeprefix("plannet:Organization/")
        organization_key = (
            self._organization_key(role, data["organization"], "organization")
            if data.get("organization") is not None
            else None
        )
        services = [self._service(role, value) for value in _objects(data, "healthcareService")]
        methods = {method for service in services for method in self._delivery_methods(service)}
        place_refs: dict[str, _Ref] = {}
        for value in _objects(data, "location"):
            ref = self._reference(role, value, "Location", "location")
            assert ref.id is not None
            place_refs.setdefault(ref.id, ref)
        for ref in place_refs.values():
            assert ref.id is not None
            if ref.found is not None:
                self._use(ref.found)
                locations.setdefault(ref.id, ref.found)
            else:
                self._wanted_locations.want(
                    _location_key(ref.id),
                    role,
                    f"location Location/{ref.id} is neither in the file nor in the directory",
                )
        role_accepting = self._accepting(role, data, network_id)
        service_values = [
            value
            for service in services
            if (value := self._accepting(service, service.data, network_id)) is not None
        ]
        service_accepting = any(service_values) if service_values else None
        # One row per location, so each is found by distance; a single location (or none)
        # keeps the role's own key.
        places: list[tuple[str, _Ref | None]]
        if len(place_refs) > 1:
            places = [(f"{key}#{place_id}", ref) for place_id, ref in place_refs.items()]
        else:
            places = [(key, next(iter(place_refs.values()), None))]
        rows: list[_RoleRow] = []
        for source_key, place in places:
            accepting = role_accepting
            if accepting is None and place is not None and place.found is not None:
                accepting = self._accepting(place.found, place.found.data, network_id)
            if accepting is None:
                accepting = service_accepting
            rows.append(
                _RoleRow(
                    source_key=source_key,
                    practitioner_npi=npi,
                    location_key=_location_key(place.id) if place and place.id else None,
                    organization_key=organization_key,
                    network_key=network_key,
                    specialties=draft.codes,
                    accepting=accepting,
                    telehealth="virtual" in methods,
                    in_person="physical" in methods or place is not None,
                )
            )
        return rows

    def _service(self, role: _Resource, value: Json) -> _Resource:
        ref = self._reference(role, value, "HealthcareService", "healthcareService")
        if ref.found is None:
            role.fail(
                f"healthcareService HealthcareService/{ref.id} is not in the file (services are "
                "not stored, so they must come with the roles that use them)"
            )
        self._use(ref.found)
        return ref.found

    @staticmethod
    def _delivery_methods(service: _Resource) -> list[str]:
        methods: list[str] = []
        for extension in _extensions(service.data, DELIVERY_METHOD_URL):
            for part in _extensions(extension, "type"):
                codes = _codes(_object(part, "valueCodeableConcept"), DELIVERY_METHOD_SYSTEM)
                if not codes:
                    service.fail(f"delivery-method type has no code from {DELIVERY_METHOD_SYSTEM}")
                for code in codes:
                    if code not in DELIVERY_METHODS:
                        service.fail(
                            f"delivery-method type {code!r} is not one of "
                            + ", ".join(DELIVERY_METHODS)
                        )
                    methods.append(code)
        return methods

    def _accepting(self, owner: _Resource, data: Json, network_id: str | None) -> bool | None:
        """What `newpatients` on `data` says for the role's network: an entry for that network
        wins over a general one (no fromNetwork); entries for other networks do not apply."""
        general: bool | None = None
        specific: bool | None = None
        for extension in _extensions(data, NEW_PATIENTS_URL):
            parts = _extensions(extension, "acceptingPatients")
            if not parts:
                owner.fail("newpatients has no acceptingPatients")
            codes = _codes(_object(parts[0], "valueCodeableConcept"), ACCEPTING_PATIENTS_SYSTEM)
            if not codes:
                owner.fail(f"acceptingPatients has no code from {ACCEPTING_PATIENTS_SYSTEM}")
            if codes[0] not in ACCEPTING_CODES:
                owner.fail(
                    f"acceptingPatients {codes[0]!r} is not one of " + ", ".join(ACCEPTING_CODES)
                )
            value = ACCEPTING_CODES[codes[0]]
            networks = _extensions(extension, "fromNetwork")
            if not networks:
                general = value if general is None else general
                continue
            ref = self._reference(
                owner, networks[0].get("valueReference"), "Organization", "fromNetwork"
            )
            if network_id is not None and ref.id == network_id and specific is None:
                specific = value
        return specific if specific is not None else general

    # -- practitioners --

    def _qualifications(self, data: Json) -> list[Json]:
        """Qualifications in force: not expired, and not marked other than active."""
        current: list[Json] = []
        for qualification in _objects(data, "qualification"):
            ended = _date(_string(_object(qualification, "period"), "end"))
            if ended is not None and ended < self._today:
                continue
            statuses = [
                _string(part, "valueCode")
                for extension in _extensions(qualification, QUALIFICATION_URL)
                for part in _extensions(extension, "status")
            ]
            if any(status != "active" for status in statuses):
                continue
            current.append(qualification)
        return current

    def _qualification_codes(self, practitioner: _Resource) -> list[str]:
        return [
            code
            for qualification in self._qualifications(practitioner.data)
            for code in _codes(_object(qualification, "code"), NUCC_SYSTEM, systemless=False)
            if is_behavioral_health(code)
        ]

    def _practitioner(self, resource: _Resource, npi: str, role_codes: list[str]) -> Record:
        data = resource.data
        self._use(resource)
        name = _chosen_name(data)
        family = _string(name, "family")
        if family is None:
            resource.fail("has no family name")
        given = _strings(name, "given")
        prefix = " ".join(_strings(name, "prefix")) or None
        suffix = " ".join(_strings(name, "suffix")) or None
        qualifications = self._qualifications(data)
        record: Record = {
            "npi": npi,
            "family_name": _fits(resource, "family_name", family),
            "given_name": _fits(resource, "given_name", given[0] if given else ""),
            "name_prefix": _fits(resource, "name_prefix", prefix) if prefix else None,
            "name_suffix": _fits(resource, "name_suffix", suffix) if suffix else None,
            "specialties": tuple(
                dict.fromkeys([*self._qualification_codes(resource), *role_codes])
            ),
        }
        credentials = _credentials(qualifications)
        if credentials:
            record["credentials"] = _fits(resource, "credentials", credentials)
        gender = _string(data, "gender")
        if gender is not None:
            if gender not in GENDERS:
                resource.fail(f"gender {gender!r} is not one of " + ", ".join(GENDERS))
            record["gender"] = GENDERS[gender]
        if "communication" in data:
            record["languages"] = self._languages(resource)
        states = self._where_valid(resource, qualifications)
        if states is not None:
            record["_where_valid"] = states
        emails = _telecom(data, "email")
        if emails:
            record["email"] = _fits(resource, "email", emails[0])
        phones = _telecom(data, "phone")
        if phones:
            record["phone"] = _fits(resource, "phone", _phone(phones[0]))
        record.update(_local_extensions(resource))
        return record

    @staticmethod
    def _languages(resource: _Resource) -> tuple[str, ...]:
        languages: list[str] = []
        for concept in _objects(resource.data, "communication"):
            codes = _codes(concept, BCP47_SYSTEM)
            if not codes:
                resource.fail(f"a communication language has no code from {BCP47_SYSTEM}")
            for code in codes:
                primary = code.split("-")[0].lower()
                primary = LANGUAGE_ALIASES.get(primary, primary)
                if primary not in LANGUAGES:
                    resource.fail(
                        f"language {code!r} is not one the directory lists ("
                        + ", ".join(LANGUAGES)
                        + ")"
                    )
                languages.append(primary)
        return tuple(dict.fromkeys(languages))

    def _where_valid(
        self, resource: _Resource, qualifications: list[Json]
    ) -> list[str | tuple[str]] | None:
        """USPS codes as strings; Locations as (key,) to read their state once stored ones are
        known. None when no qualification says where it is valid."""
        found: list[str | tuple[str]] = []
        said = False
        for qualification in qualifications:
            for extension in _extensions(qualification, QUALIFICATION_URL):
                for part in _extensions(extension, "whereValid"):
                    said = True
                    concept = _object(part, "valueCodeableConcept")
                    if concept is not None:
                        codes = _codes(concept, USPS_SYSTEM)
                        if not codes:
                            resource.fail(f"whereValid has no code from {USPS_SYSTEM}")
                        for code in codes:
                            if code.upper() not in US_STATES:
                                resource.fail(f"whereValid {code!r} is not a USPS state code")
                            found.append(code.upper())
                        continue
                    ref = self._reference(
                        resource, part.get("valueReference"), "Location", "whereValid"
                    )
                    assert ref.id is not None
                    if ref.found is not None:
                        state = _location_state(ref.found)
                        if state is None:
                            resource.fail(f"whereValid Location/{ref.id} has no state")
                        found.append(state)
                    else:
                        key = _location_key(ref.id)
                        self._wanted_locations.want(
                            key,
                            resource,
                            f"whereValid Location/{ref.id} is neither in the file nor in the "
                            "directory",
                        )
                        found.append((key,))
        return found if said else None

    def _licensed_states(self, record: Record) -> Record:
        """Replace the where-valid list by the licensed states (stored Locations read now)."""
        where_valid = record.pop("_where_valid", None)
        if where_valid is None:
            return record
        states: list[str] = []
        for item in where_valid:
            if isinstance(item, str):
                states.append(item)
                continue
            state = self._stored_state(item[0])
            if state in US_STATES:
                states.append(state)
        record["licensed_states"] = tuple(dict.fromkeys(states))
        return record

    def _stored_state(self, key: str) -> str | None:
        return self._session.scalar(
            select(DirectoryLocation.state).where(DirectoryLocation.source_key == key)
        )

    # -- locations --

    def _location(self, resource: _Resource) -> Record:
        data = resource.data
        address = _object(data, "address")
        position = _object(data, "position")
        if address is None and position is None:
            resource.fail("has neither an address nor a position")
        postal_text = _string(address, "postalCode") or ""
        postal = normalize_zip(postal_text) or postal_text[:10]
        state = _location_state(resource)
        centroid = zip_centroid(postal) if postal else None
        if state is None and centroid is not None:
            state = centroid.state
        latitude: float | None = None
        longitude: float | None = None
        source: str | None = None
        if position is not None:
            latitude, longitude = float(position["latitude"]), float(position["longitude"])
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                resource.fail(f"position {latitude}, {longitude} is not a place on Earth")
            source = "plannet"
        elif centroid is not None:
            latitude, longitude = centroid.point.latitude, centroid.point.longitude
            source = centroid.source
        return {
            "source_key": _location_key(self._require_id(resource)),
            "line": _fits(resource, "line", ", ".join(_strings(address, "line"))),
            "city": _fits(resource, "city", _string(address, "city") or ""),
            "state": state or "",
            "postal_code": postal,
            "latitude": latitude,
            "longitude": longitude,
            "position_source": source,
        }


def _is_network(data: Json) -> bool:
    profiles = _strings(_object(data, "meta"), "profile")
    if any("plannet-network" in profile.lower() for profile in profiles):
        return True
    return any(
        _string(coding, "code") == "ntwk"
        for concept in _objects(data, "type")
        for coding in _objects(concept, "coding")
    )


def _name_of(resource: _Resource, fallback: str | None = None) -> str:
    name = _string(resource.data, "name") or next(iter(_strings(resource.data, "alias")), None)
    if name is None:
        if fallback is None:
            resource.fail("has no name")
        return fallback
    return name


def _all_codes(concept: Json) -> list[str]:
    return [code for coding in _objects(concept, "coding") if (code := _string(coding, "code"))]


def _npi_of(practitioner: _Resource) -> str:
    for identifier in _objects(practitioner.data, "identifier"):
        npi = _string(identifier, "value")
        if _string(identifier, "system") == NPI_SYSTEM and npi is not None:
            if not npi_is_valid(npi):
                practitioner.fail(f"NPI {npi!r} is not a valid NPI (check digit)")
            return npi
    return practitioner.fail(f"has no NPI (an identifier with system {NPI_SYSTEM})")


def _chosen_name(data: Json) -> Json | None:
    names = [name for name in _objects(data, "name") if _string(name, "use") != "old"]
    official = [name for name in names if _string(name, "use") == "official"]
    chosen = official or names
    return chosen[0] if chosen else None


def _credentials(qualifications: list[Json]) -> str:
    """Degrees and licences as written: a v2-0360 code (MD, PHD), else a coding's display (LPC).
    NUCC specialties are not credentials."""
    found: list[str] = []
    for qualification in qualifications:
        concept = _object(qualification, "code")
        codings = _objects(concept, "coding")
        if any(_string(coding, "system") == NUCC_SYSTEM for coding in codings):
            continue
        degree = _codes(concept, DEGREE_SYSTEM, systemless=False)
        label = (
            degree[0]
            if degree
            else next(
                (display for coding in codings if (display := _string(coding, "display"))), None
            )
        )
        if label is not None:
            found.append(label)
    return ", ".join(dict.fromkeys(found))


def _telecom(data: Json, system: str) -> list[str]:
    """Current values of one kind, best ranked first (rank 1 is preferred; unranked last)."""
    points = [
        point
        for point in _objects(data, "telecom")
        if _string(point, "system") == system
        and _string(point, "value")
        and _string(point, "use") != "old"
    ]
    points.sort(key=_rank)
    return [str(_string(point, "value")) for point in points]


def _rank(point: Json) -> int:
    rank = point.get("rank")
    return rank if isinstance(rank, int) else 1 << 31


def _location_state(location: _Resource) -> str | None:
    state = _string(_object(location.data, "address"), "state")
    if state is None:
        return None
    if state.upper() not in US_STATES:
        location.fail(f"address state {state!r} is not a USPS state code")
    return state.upper()


# --- Local extensions -------------------------------------------------------------------------


def _local_extensions(resource: _Resource) -> Record:
    """The columns our extensions set; a column no extension mentions is left out (unchanged)."""
    extensions = _objects(resource.data, "extension")
    for extension in extensions:
        url = str(extension.get("url", ""))
        if url.startswith(EXTENSION_BASE) and url not in LOCAL_EXTENSIONS:
            resource.fail(f"unknown extension {url}")
    record: Record = {}
    for coded in CODED_EXTENSIONS:
        found = [extension for extension in extensions if extension.get("url") == coded.url]
        if found:
            record[coded.column] = tuple(
                dict.fromkeys(_local_code(resource, extension, coded) for extension in found)
            )
    fees = _extensions(resource.data, FEE_URL)
    if len(fees) > 1:
        resource.fail("more than one fee extension")
    if fees:
        record.update(_fee(resource, fees[0]))
    availability = _extensions(resource.data, NEXT_AVAILABLE_URL)
    if len(availability) > 1:
        resource.fail("more than one next-available extension")
    if availability:
        record.update(_next_available(resource, availability[0]))
    return record


def _local_code(resource: _Resource, extension: Json, coded: _CodedExtension) -> str:
    coding = _object(extension, "valueCoding")
    if coding is None:
        resource.fail(f"extension {coded.url} needs a valueCoding")
    system = _string(coding, "system")
    if system is not None and system != coded.system:
        resource.fail(f"extension {coded.url}: system {system} is not {coded.system}")
    code = _string(coding, "code")
    if code is None or code not in coded.vocabulary:
        resource.fail(
            f"unknown {coded.what} {code!r}; the codes are " + ", ".join(coded.vocabulary)
        )
    return code


def _parts(resource: _Resource, extension: Json, allowed: tuple[str, ...]) -> dict[str, Json]:
    """The sub-extensions of a complex extension, each at most once."""
    url = extension.get("url")
    parts: dict[str, Json] = {}
    for part in _objects(extension, "extension"):
        name = str(part.get("url", ""))
        if name not in allowed:
            resource.fail(f"extension {url}: unknown part {name!r} (parts: {', '.join(allowed)})")
        if name in parts:
            resource.fail(f"extension {url}: {name} given twice")
        parts[name] = part
    return parts


def _fee(resource: _Resource, extension: Json) -> Record:
    parts = _parts(resource, extension, ("amount", "range", "slidingScale"))
    if "amount" in parts and "range" in parts:
        resource.fail("fee has both an amount and a range; give one")
    record: Record = {}
    if "amount" in parts:
        money = _object(parts["amount"], "valueMoney")
        if money is None:
            resource.fail("fee amount needs a valueMoney")
        dollars = _dollars(resource, money.get("value"), _string(money, "currency"), "amount")
        record["fee_min_usd"] = record["fee_max_usd"] = dollars
    if "range" in parts:
        span = _object(parts["range"], "valueRange")
        low = _object(span, "low")
        high = _object(span, "high")
        if low is None:
            resource.fail("fee range needs a low value")
        record["fee_min_usd"] = _dollars(
            resource, low.get("value"), _currency(resource, low), "low"
        )
        record["fee_max_usd"] = (
            _dollars(resource, high.get("value"), _currency(resource, high), "high")
            if high is not None
            else None
        )
        if record["fee_max_usd"] is not None and record["fee_max_usd"] < record["fee_min_usd"]:
            resource.fail("fee range's high is below its low")
    if "slidingScale" in parts:
        sliding = parts["slidingScale"].get("valueBoolean")
        if not isinstance(sliding, bool):
            resource.fail("fee slidingScale needs a valueBoolean")
        record["sliding_scale"] = sliding
    if not record:
        resource.fail("fee has no amount, range or slidingScale")
    return record


def _currency(resource: _Resource, quantity: Json) -> str | None:
    system = _string(quantity, "system")
    if system is not None and system != CURRENCY_SYSTEM:
        resource.fail(f"fee range: system {system} is not {CURRENCY_SYSTEM}")
    return _string(quantity, "code") or _string(quantity, "unit")


def _dollars(resource: _Resource, value: Any, currency: str | None, what: str) -> int:
    if currency is not None and currency != "USD":
        resource.fail(f"fee {what} is in {currency}; fees are in US dollars (USD)")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        resource.fail(f"fee {what} has no value")
    if not amount.is_finite() or not 0 <= amount <= MAX_FEE_USD:
        resource.fail(f"fee {what} {value} is not between 0 and {MAX_FEE_USD} dollars")
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _next_available(resource: _Resource, extension: Json) -> Record:
    parts = _parts(resource, extension, ("date", "confirmed"))
    record: Record = {}
    for name, column in (("date", "next_available"), ("confirmed", "availability_confirmed_on")):
        if name not in parts:
            continue
        text = _string(parts[name], "valueDate") or _string(parts[name], "valueDateTime")
        day = _date(text)
        if day is None:
            resource.fail(f"next-available {name} needs a full date (valueDate), not {text!r}")
        record[column] = day
    if not record:
        resource.fail("next-available has neither a date nor a confirmed date")
    return record
