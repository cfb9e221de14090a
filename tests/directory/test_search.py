"""`search_directory`: the brute-force oracle on the real sample, random geometry, and the
documented ranking (ranking.py) on rows written by hand through `DirectoryWriter`.

Synthetic providers sit due north of the centroid of ZIP 06105 (Hartford, CT), so the distance
each is placed at is the distance the search must report: along a meridian the great circle is
r·Δφ, one degree of latitude being 3958.7613 * π / 180 = 69.0933 miles.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from affectrange import migrate
from affectrange.db import Database, create_database, session_scope
from affectrange.directory.importers.common import DirectoryWriter, ImportSummary
from affectrange.directory.importers.nppes import import_nppes
from affectrange.directory.schemas import DirectoryQuery, MatchRead
from affectrange.directory.service import SearchOutcome, search_directory
from affectrange.directory.taxonomy import ProviderType
from tests.conftest import DatabaseFactory
from tests.directory import oracle
from tests.directory.oracle import SAMPLE, make_npi

NOW = dt.datetime(2026, 6, 15, 16, 0, tzinfo=dt.UTC)
ORIGIN = "06105"
ORIGIN_LAT, ORIGIN_LON = oracle.zip_centroid(ORIGIN)
MILES_PER_DEGREE_OF_LATITUDE = oracle.EARTH_MEAN_RADIUS_MILES * math.pi / 180

THERAPIST = "1041C0700X"  # Clinical Social Worker
PSYCHIATRIST = "2084P0800X"  # Psychiatry
PRESCRIBING_PSYCHOLOGIST = "103TP0016X"
BEHAVIOR_ANALYST = "103K00000X"  # kept, but neither type


def search(session: Session, **query: Any) -> SearchOutcome:
    query.setdefault("zip", ORIGIN)
    query.setdefault("radius_miles", 10)
    query.setdefault("limit", 200)
    return search_directory(session, DirectoryQuery(**query))


def npis(outcome: SearchOutcome) -> list[str]:
    return [match.npi for match in outcome.matches]


def by_npi(outcome: SearchOutcome) -> dict[str, MatchRead]:
    return {match.npi: match for match in outcome.matches}


def assert_agrees_with_oracle(outcome: SearchOutcome, expected: dict[str, float]) -> None:
    """Same set, distances within 0.01 mile, ordered by distance then NPI."""
    assert set(npis(outcome)) == set(expected)
    assert outcome.total == len(expected)
    for match in outcome.matches:
        assert match.distance_miles is not None
        assert abs(match.distance_miles - expected[match.npi]) <= 0.01, match.npi
    assert npis(outcome) == sorted(expected, key=lambda npi: (round(expected[npi], 9), npi))


# --- the real sample against the oracle -------------------------------------------------------


@pytest.fixture(scope="module")
def sample(databases: DatabaseFactory) -> Iterator[Database]:
    """A database of its own holding the imported sample, shared by the read-only tests here."""
    database = create_database(databases.new_url("directory_search_sample"))
    migrate.upgrade(database)
    with session_scope(database) as session:
        import_nppes(session, SAMPLE, now=NOW)
    yield database
    database.dispose()


ZIPS = ("06105", "06510", "06902", "02114", "01103", "02903")
RADII = (1, 5, 10, 25, 60)
TYPES = (None, ProviderType.PRESCRIBER, ProviderType.THERAPIST)


@pytest.mark.parametrize("zip_code", ZIPS)
def test_search_finds_exactly_whom_the_oracle_finds(sample: Database, zip_code: str) -> None:
    found_any = 0
    with sample.session_factory() as session:
        for radius in RADII:
            for kind in TYPES:
                expected = oracle.within(session, zip_code, radius, kind.value if kind else None)
                outcome = search(session, zip=zip_code, radius_miles=radius, provider_type=kind)
                assert_agrees_with_oracle(outcome, expected)
                found_any += bool(expected)
    assert found_any >= 6  # at 60 miles every one of these ZIPs has providers of each type


def test_a_hand_computed_distance_on_the_sample(sample: Database) -> None:
    # ZIP 06030 (Farmington, UConn Health) holds 18 of the kept providers. Its centroid
    # (41.7918, -72.7188) lies 1.8169 miles from that of 06105 (41.7691, -72.701): the latitude
    # step 0.0227° is 1.5685 mi, the longitude step 0.0178° * cos 41.78° * 69.0933 is 0.9171 mi,
    # and √(1.5685² + 0.9171²) = 1.8169 (at two miles the sphere agrees with the plane).
    miles = oracle.haversine_miles(*oracle.zip_centroid("06105"), *oracle.zip_centroid("06030"))
    assert miles == pytest.approx(1.8169, abs=1e-4)
    with sample.session_factory() as session:
        near_hartford = oracle.within(session, "06105", 10)
        outcome = search(session, zip="06105", radius_miles=10)
    assert sum(1 for distance in near_hartford.values() if distance == miles) == 18
    assert sum(1 for match in outcome.matches if match.distance_miles == 1.82) == 18


def test_a_sample_result_says_how_far_and_that_the_office_is_a_zip_centroid(
    sample: Database,
) -> None:
    with sample.session_factory() as session:
        outcome = search(session, zip="01103", radius_miles=5, provider_type="prescriber")
    # Line 1117: O'Hanlon, psychiatrist, practice ZIP 01199 (Springfield, MA).
    [match] = outcome.matches
    expected = oracle.haversine_miles(42.1029, -72.5887, 42.1199, -72.605)
    assert match.npi == "1548267107"
    assert match.name == "Donal O'Hanlon, MD"
    assert match.distance_miles == round(expected, 2)
    assert match.why[0] == (
        f"{expected:.1f} miles from 01103 (office placed at the centre of ZIP 01199)"
    )
    assert match.why[1] == "Prescriber: Psychiatry"
    assert match.position_source == "zip-centroid"
    assert match.accepting_new_patients is None


# --- random geometry against the oracle -------------------------------------------------------

ORIGINS = (
    "06105",  # Hartford
    "99546",  # Adak, AK: 124 miles east of the antimeridian
    "99701",  # Fairbanks, AK: 65°N
    "96799",  # Pago Pago, American Samoa: south of the equator
    "96910",  # Hagåtña, Guam: east longitude
    "33040",  # Key West
    "98101",  # Seattle
)

BOUNDARY = (1 - 1e-6, 1 - 1e-7, 1 + 1e-7, 1 + 1e-6)
"""Relative distances just inside and just outside the radius."""


@st.composite
def scenes(draw: st.DrawFn) -> dict[str, Any]:
    zip_code = draw(st.sampled_from(ORIGINS))
    radius = draw(st.floats(min_value=0.1, max_value=250))
    factor = st.one_of(
        st.floats(min_value=0, max_value=2.5), st.sampled_from(BOUNDARY), st.just(0.0)
    )
    points = draw(
        st.lists(
            st.tuples(
                st.floats(min_value=0, max_value=360, exclude_max=True),  # bearing
                factor,
                st.sampled_from(
                    (THERAPIST, PSYCHIATRIST, PRESCRIBING_PSYCHOLOGIST, BEHAVIOR_ANALYST)
                ),
                st.booleans(),  # in person
            ),
            min_size=1,
            max_size=20,
        )
    )
    kind = draw(st.sampled_from(TYPES))
    return {"zip": zip_code, "radius": radius, "points": points, "kind": kind}


def write_points(session: Session, scene: dict[str, Any]) -> dict[str, tuple[float, float]]:
    lat, lon = oracle.zip_centroid(scene["zip"])
    writer = DirectoryWriter(session, ImportSummary(source="test"), now=NOW)
    placed: dict[str, tuple[float, float]] = {}
    for serial, (bearing, factor, code, in_person) in enumerate(scene["points"]):
        npi = make_npi(serial)
        point = oracle.destination(lat, lon, bearing, factor * scene["radius"])
        placed[npi] = point
        person = writer.upsert(
            "practitioners",
            [{"npi": npi, "family_name": f"P{serial}", "given_name": "T", "specialties": (code,)}],
        )
        place = writer.upsert(
            "locations",
            [
                {
                    "source_key": f"test:{serial}",
                    "line": f"{serial} Test Rd",
                    "city": "Somewhere",
                    "state": "CT",
                    "postal_code": "06105",
                    "latitude": point[0],
                    "longitude": point[1],
                    "position_source": "test",
                }
            ],
        )
        writer.upsert(
            "roles",
            [
                {
                    "source_key": f"test:{serial}",
                    "practitioner_id": person[npi],
                    "location_id": place[f"test:{serial}"],
                    "specialties": (code,),
                    "telehealth": False,
                    "in_person": in_person,
                }
            ],
        )
    writer.finish()
    return placed


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scene=scenes())
@example(  # across the antimeridian from Adak: east longitude one way, west the other
    scene={
        "zip": "99546",
        "radius": 200.0,
        "points": [
            (270.0, 0.9, THERAPIST, True),
            (275.0, 1 - 1e-7, THERAPIST, True),
            (265.0, 1 + 1e-7, THERAPIST, True),
            (90.0, 0.5, THERAPIST, True),
        ],
        "kind": None,
    }
)
def test_random_points_and_radii_agree_with_the_oracle(
    session: Session, scene: dict[str, Any]
) -> None:
    radius = scene["radius"]
    savepoint = session.begin_nested()
    try:
        placed = write_points(session, scene)
        kind = scene["kind"]
        expected = oracle.within(session, scene["zip"], radius, kind.value if kind else None)
        outcome = search(session, zip=scene["zip"], radius_miles=radius, provider_type=kind)
    finally:
        savepoint.rollback()

    if scene["zip"] == "99546" and scene["radius"] == 200.0:
        assert placed[make_npi(0)][1] > 170  # really on the other side of the antimeridian
    # The scene is what it claims: boundary points fall on their intended side.
    for serial, (_bearing, factor, code, in_person) in enumerate(scene["points"]):
        wanted = kind is None or kind.value in oracle.provider_types_of([code])
        if factor in BOUNDARY:
            assert (make_npi(serial) in expected) == (factor < 1 and in_person and wanted)
    # A point whose distance equals the radius to within float noise may go either way.
    undecided = {npi for npi, miles in expected.items() if abs(miles - radius) < 1e-9 * radius}
    found = [match for match in outcome.matches if match.npi not in undecided]
    assert {match.npi for match in found} == set(expected) - undecided
    for match in found:
        assert match.distance_miles is not None
        assert abs(match.distance_miles - expected[match.npi]) <= 0.01
    # Nearest first; providers at the very same point in NPI order. (Two different points at
    # the same distance to the last bit may come either way: float noise, not a rule.)
    for first, second in zip(outcome.matches, outcome.matches[1:], strict=False):
        near, far = expected.get(first.npi, radius), expected.get(second.npi, radius)
        assert near <= far + 1e-9
        if placed[first.npi] == placed[second.npi]:
            assert first.npi < second.npi


# --- synthetic rows: filters and ranking ------------------------------------------------------


def north(miles: float) -> tuple[float, float]:
    return ORIGIN_LAT + miles / MILES_PER_DEGREE_OF_LATITUDE, ORIGIN_LON


class Directory:
    """Writes hand-made providers the way an importer does, then counts the revision."""

    def __init__(self, session: Session) -> None:
        self.summary = ImportSummary(source="test")
        self.writer = DirectoryWriter(session, self.summary, now=NOW)
        self.network_ids: dict[str, int] = {}
        self.practitioner_ids: dict[str, int] = {}

    def network(self, key: str, name: str) -> None:
        self.network_ids.update(self.writer.upsert("networks", [{"source_key": key, "name": name}]))

    def plan(self, key: str, name: str, networks: Sequence[str]) -> None:
        plan_id = self.writer.upsert("plans", [{"plan_key": key, "name": name}])[key]
        self.writer.link_plan_networks((plan_id, self.network_ids[net]) for net in networks)

    def provider(
        self,
        serial: int,
        *,
        miles: float | None = 1.0,
        codes: tuple[str, ...] = (THERAPIST,),
        network: str | None = None,
        accepting: bool | None = None,
        telehealth: bool = False,
        in_person: bool = True,
        **fields: Any,
    ) -> str:
        npi = make_npi(serial)
        record = {"npi": npi, "family_name": f"Provider{serial}", "given_name": "Test"}
        self.practitioner_ids.update(
            self.writer.upsert("practitioners", [{**record, "specialties": codes, **fields}])
        )
        self.role(
            npi,
            f"role:{serial}",
            miles=miles,
            network=network,
            accepting=accepting,
            telehealth=telehealth,
            in_person=in_person,
        )
        return npi

    def role(
        self,
        npi: str,
        key: str,
        *,
        miles: float | None,
        network: str | None = None,
        accepting: bool | None = None,
        telehealth: bool = False,
        in_person: bool = True,
    ) -> None:
        location_id = None
        if miles is not None:
            lat, lon = north(miles)
            location_id = self.writer.upsert(
                "locations",
                [
                    {
                        "source_key": f"place:{key}",
                        "line": "1 Main St",
                        "city": "Hartford",
                        "state": "CT",
                        "postal_code": "06105",
                        "latitude": lat,
                        "longitude": lon,
                        "position_source": "test-geocoder",
                    }
                ],
            )[f"place:{key}"]
        self.writer.upsert(
            "roles",
            [
                {
                    "source_key": key,
                    "practitioner_id": self.practitioner_ids[npi],
                    "location_id": location_id,
                    "network_id": self.network_ids[network] if network else None,
                    "accepting_new_patients": accepting,
                    "telehealth": telehealth,
                    "in_person": in_person,
                }
            ],
        )

    def finish(self) -> None:
        self.writer.finish()


@pytest.fixture
def directory(session: Session) -> Directory:
    return Directory(session)


def test_distances_of_placed_rows_are_the_miles_they_were_placed_at(
    session: Session, directory: Directory
) -> None:
    a = directory.provider(1, miles=2.5)
    b = directory.provider(2, miles=0.25)
    directory.provider(3, miles=10.5)  # outside 10 miles
    directory.finish()

    outcome = search(session)

    assert [(match.npi, match.distance_miles) for match in outcome.matches] == [
        (b, 0.25),
        (a, 2.5),
    ]
    assert by_npi(outcome)[a].why[:2] == [
        "2.5 miles from 06105",
        "Therapist: Clinical Social Worker",
    ]


def test_a_plan_keeps_only_roles_in_its_networks(session: Session, directory: Directory) -> None:
    directory.network("net:gold", "Acme Gold Network")
    directory.network("net:silver", "Acme Silver Network")
    directory.network("net:other", "Other Health Network")
    directory.plan("acme-gold-ppo", "Acme Gold PPO", ["net:gold", "net:silver"])
    gold = directory.provider(1, miles=3, network="net:gold")
    silver = directory.provider(2, miles=2, network="net:silver", codes=(PSYCHIATRIST,))
    other = directory.provider(3, miles=1, network="net:other")
    none = directory.provider(4, miles=0.5)
    directory.finish()

    in_plan = search(session, plan="acme-gold-ppo")

    assert npis(in_plan) == [silver, gold]
    assert by_npi(in_plan)[silver].why == [
        "2.0 miles from 06105",
        "Prescriber: Psychiatry",
        "In network for Acme Gold PPO (Acme Silver Network)",
    ]
    assert by_npi(in_plan)[gold].network == "Acme Gold Network"
    assert npis(search(session, plan="ACME-GOLD-PPO")) == [silver, gold]  # as people type it
    assert npis(search(session)) == [none, other, silver, gold]
    unknown = search(session, plan="no-such-plan")
    assert unknown.matches == []
    assert unknown.total == 0


def test_several_matching_roles_are_listed_once_at_the_nearest_matching_one(
    session: Session, directory: Directory
) -> None:
    directory.network("net:gold", "Acme Gold Network")
    directory.network("net:other", "Other Health Network")
    directory.plan("acme-gold-ppo", "Acme Gold PPO", ["net:gold"])
    person = directory.provider(1, miles=0.5, network="net:other")
    directory.role(person, "role:1b", miles=4, network="net:gold")
    directory.role(person, "role:1c", miles=2, network="net:gold")
    directory.role(person, "role:1d", miles=7, network="net:gold")
    directory.finish()

    [in_plan] = search(session, plan="acme-gold-ppo").matches
    [anywhere] = search(session).matches

    assert (in_plan.npi, in_plan.distance_miles, in_plan.network) == (
        person,
        2.0,
        "Acme Gold Network",
    )
    assert (anywhere.npi, anywhere.distance_miles) == (person, 0.5)
    assert search(session).total == 1


def test_accepting_new_patients_excludes_no_and_unknown(
    session: Session, directory: Directory
) -> None:
    yes = directory.provider(1, miles=3, accepting=True)
    no = directory.provider(2, miles=2, accepting=False)
    unknown = directory.provider(3, miles=1, accepting=None)
    directory.finish()

    accepting = search(session, accepting=True)

    assert npis(accepting) == [yes]
    assert "Accepting new patients" in accepting.matches[0].why
    everyone = search(session)
    assert npis(everyone) == [unknown, no, yes]
    assert all("Accepting new patients" not in match.why for match in everyone.matches)


def test_age_group_and_gender_are_hard_filters(session: Session, directory: Directory) -> None:
    adults = directory.provider(1, miles=1, age_groups=("adults",), gender="female")
    young = directory.provider(2, miles=2, age_groups=("children", "adolescents"), gender="male")
    unknown = directory.provider(3, miles=3)
    directory.finish()

    teens = search(session, age_group="adolescents")
    women = search(session, gender="female")
    men_for_adults = search(session, gender="male", age_group="adults")

    assert npis(teens) == [young]
    assert "Sees adolescents (13 to 17)" in teens.matches[0].why
    assert npis(women) == [adults]
    assert "Gender: woman" in women.matches[0].why
    assert npis(men_for_adults) == []
    assert npis(search(session)) == [adults, young, unknown]


def test_the_fee_ceiling_and_the_sliding_scale_either_suffices(
    session: Session, directory: Directory
) -> None:
    cheap = directory.provider(1, miles=1, fee_min_usd=100, fee_max_usd=150)
    sliding = directory.provider(2, miles=2, fee_min_usd=200, sliding_scale=True)
    directory.provider(3, miles=3)  # fee and sliding scale unknown
    directory.provider(4, miles=4, fee_min_usd=250, sliding_scale=False)
    directory.finish()

    assert npis(search(session, max_fee_usd=150)) == [cheap]
    assert npis(search(session, max_fee_usd=99)) == []
    assert npis(search(session, max_fee_usd=200)) == [cheap, sliding]  # "at most": 200 is in
    assert npis(search(session, sliding_scale=True)) == [sliding]
    assert npis(search(session, max_fee_usd=99, sliding_scale=True)) == [sliding]
    both = search(session, max_fee_usd=150, sliding_scale=True)
    assert npis(both) == [cheap, sliding]
    assert "Sessions from $100, within your $150" in by_npi(both)[cheap].why
    assert "Offers a sliding scale" in by_npi(both)[sliding].why


def test_preferences_order_before_distance_then_distance_then_npi(
    session: Session, directory: Directory
) -> None:
    # Inserted out of NPI order on purpose: the tie must be broken by NPI, not by row order.
    later_npi = directory.provider(40, miles=3, modalities=("cbt",))
    two = directory.provider(1, miles=5, modalities=("cbt", "dbt"), issues=("depression",))
    one_near = directory.provider(2, miles=1, modalities=("cbt",))
    none = directory.provider(3, miles=0.5)
    earlier_npi = directory.provider(30, miles=3, modalities=("cbt",))
    assert earlier_npi < later_npi
    directory.finish()

    outcome = search(session, modalities=("cbt", "dbt"), issues=("depression",))

    assert npis(outcome) == [two, one_near, earlier_npi, later_npi, none]
    best = by_npi(outcome)[two]
    assert "Offers Cognitive behavioral therapy (CBT)" in best.why
    assert "Offers Dialectical behavior therapy (DBT)" in best.why
    assert "Treats depression" in best.why
    assert best.unmet == []
    assert by_npi(outcome)[one_near].unmet == [
        "Does not list depression",
        "Does not list Dialectical behavior therapy (DBT)",
    ]
    assert by_npi(outcome)[none].unmet == [
        "Does not list depression",
        "Does not list Cognitive behavioral therapy (CBT)",
        "Does not list Dialectical behavior therapy (DBT)",
    ]
    # Without preferences, distance alone.
    assert npis(search(session)) == [none, one_near, earlier_npi, later_npi, two]


def test_met_language_and_issue_preferences_keep_their_proper_capitals(
    session: Session, directory: Directory
) -> None:
    person = directory.provider(1, miles=1, languages=("es", "asl"), issues=("trauma-ptsd",))
    directory.finish()

    [match] = search(session, languages=("es", "asl"), issues=("trauma-ptsd",)).matches

    assert match.npi == person
    assert "Speaks Spanish" in match.why
    assert "Speaks American Sign Language" in match.why
    assert "Treats trauma and PTSD" in match.why


def test_online_only_results_come_after_in_person_ones_of_equal_fit(
    session: Session, directory: Directory
) -> None:
    in_person = directory.provider(1, miles=3, licensed_states=("CT",))
    online = directory.provider(
        2, miles=None, telehealth=True, in_person=False, licensed_states=("CT",)
    )
    directory.provider(3, miles=None, telehealth=True, in_person=False, licensed_states=("MA",))
    online_cbt = directory.provider(
        4,
        miles=None,
        telehealth=True,
        in_person=False,
        licensed_states=("NY", "CT"),
        modalities=("cbt",),
    )
    far_office_online = directory.provider(5, miles=30, telehealth=True, licensed_states=("CT",))
    directory.finish()

    outcome = search(session, telehealth=True, state="CT")

    assert [(m.npi, m.distance_miles) for m in outcome.matches] == [
        (in_person, 3.0),
        (online, None),
        (online_cbt, None),
        (far_office_online, None),
    ]
    assert by_npi(outcome)[online].why[0] == "Offers online sessions and is licensed in CT"
    # The ZIP's state stands in when none is given.
    assert npis(search(session, telehealth=True)) == npis(outcome)
    # Fit still comes first: an online provider meeting the preference leads.
    assert npis(search(session, telehealth=True, state="CT", modalities=("cbt",)))[:2] == [
        online_cbt,
        in_person,
    ]
    # A state alone finds only online care.
    state_only = search(session, zip=None, telehealth=True, state="CT")
    assert npis(state_only) == [online, online_cbt, far_office_online]
    assert all(match.distance_miles is None for match in state_only.matches)
    # Without --telehealth the online-only providers are not there at all.
    assert npis(search(session)) == [in_person]


def test_preferring_prescribers_adds_them_to_a_therapist_search_and_ranks_them_first(
    session: Session, directory: Directory
) -> None:
    therapist = directory.provider(1, miles=1, codes=(THERAPIST,))
    psychiatrist = directory.provider(2, miles=5, codes=(PSYCHIATRIST,))
    analyst = directory.provider(3, miles=0.5, codes=(BEHAVIOR_ANALYST,))
    both = directory.provider(4, miles=2, codes=(PRESCRIBING_PSYCHOLOGIST,))
    directory.finish()

    assert npis(search(session, provider_type="therapist")) == [therapist, both]
    assert npis(search(session, provider_type="prescriber")) == [both, psychiatrist]
    assert npis(search(session)) == [analyst, therapist, both, psychiatrist]
    preferring = search(session, provider_type="therapist", prefer_prescribers=True)
    assert npis(preferring) == [both, psychiatrist, therapist]
    reason = "Prescriber who can review your medication with you"
    assert reason in by_npi(preferring)[psychiatrist].why
    assert reason not in by_npi(preferring)[therapist].why
    assert by_npi(preferring)[psychiatrist].why[1] == "Prescriber: Psychiatry"


# --- the index follows the database -----------------------------------------------------------


def test_the_next_search_sees_a_second_import(session: Session, directory: Directory) -> None:
    first = directory.provider(1, miles=1)
    directory.finish()
    assert npis(search(session)) == [first]

    second_import = Directory(session)
    second_import.practitioner_ids = dict(directory.practitioner_ids)
    second = second_import.provider(2, miles=2)
    second_import.role(first, "role:1", miles=20)  # the first one moved away
    second_import.finish()

    assert npis(search(session)) == [second]
    assert npis(search(session, radius_miles=25)) == [second, first]


def test_a_rolled_back_import_leaves_no_trace_in_the_next_search(
    session: Session, directory: Directory
) -> None:
    kept = directory.provider(1, miles=1)
    directory.finish()
    assert npis(search(session)) == [kept]

    abandoned = session.begin_nested()
    writer = Directory(session)
    rolled_back = writer.provider(2, miles=2)
    writer.finish()
    assert npis(search(session)) == [kept, rolled_back]
    abandoned_revision = oracle.revision_row(session)
    abandoned.rollback()
    # No search in between: the cached index is still the abandoned one. The next import
    # reaches the same revision number; only the token tells the two apart.
    again = Directory(session)
    replacement = again.provider(4, miles=4)
    again.finish()
    revision = oracle.revision_row(session)
    assert revision[0] == abandoned_revision[0] == 2
    assert revision[1] != abandoned_revision[1]

    outcome = search(session)
    # Distances too: SQLite hands the abandoned role's id to the replacement, so a stale index
    # would show the replacement under the abandoned row's position, 2 miles away.
    assert [(match.npi, match.distance_miles) for match in outcome.matches] == [
        (kept, 1.0),
        (replacement, 4.0),
    ]


def test_a_search_after_a_rolled_back_import_sees_the_directory_as_it_was(
    session: Session, directory: Directory
) -> None:
    kept = directory.provider(1, miles=1)
    directory.finish()
    abandoned = session.begin_nested()
    writer = Directory(session)
    writer.provider(2, miles=2)
    writer.finish()
    assert len(npis(search(session))) == 2
    abandoned.rollback()

    assert npis(search(session)) == [kept]


def test_a_changed_nppes_file_is_seen_by_the_next_search(session: Session, tmp_path: Path) -> None:
    import_nppes(session, SAMPLE, now=NOW)
    assert "1548267107" not in npis(search(session, radius_miles=1))

    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    [row] = [list(row) for row in rows if row[0] == "1548267107"]
    row[header.index("Provider First Line Business Practice Location Address")] = "1 MAIN ST"
    row[header.index("Provider Second Line Business Practice Location Address")] = ""
    row[header.index("Provider Business Practice Location Address City Name")] = "HARTFORD"
    row[header.index("Provider Business Practice Location Address State Name")] = "CT"
    row[header.index("Provider Business Practice Location Address Postal Code")] = "061051234"
    moved = tmp_path / "moved.csv"
    with moved.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows([header, row])
    summary = import_nppes(session, moved, now=NOW + dt.timedelta(days=30))
    assert summary.changed

    [match] = search(session, radius_miles=1).matches
    assert (match.npi, match.distance_miles) == ("1548267107", 0.0)
    assert match.address == "1 MAIN ST, Hartford, CT 06105"
