"""The therapist finder at national scale, beside PostgreSQL + PostGIS holding the same data.

Why this shape: the finder must answer a person in well under a human's notice at national
scale: at least 1,000,000 practitioner roles in every state (DIRECTORY.md section 3). The run:

1. generates a synthetic national directory in the real layouts (bench/directory_data.py): an
   NPPES data file of `--providers` behavioral-health individuals and a clinic CSV of their
   payer-network memberships (each membership a role, as Plan-Net has one network per role);
2. imports both with `affectrange directory import`'s own importers into a SQLite file (the
   embedded default), timing each and reporting rows per second, peak memory and file size;
3. copies the same tables into a throwaway PostgreSQL 15 with PostGIS 3: a `geography` point per
   location under a GiST index, B-tree indexes on the join and filter columns, ANALYZE, and the
   provider type as a column so no string matching is left in the SQL (the baseline's best);
4. runs the DIRECTORY.md section 3 queries against both, at 1 and 8 concurrent clients (processes;
   each of ours forks from a parent that built the index once, as uvicorn workers would):
   - Q1 the Plan-Net reference query: plan network + provider type + within 10 miles of a ZIP,
   - Q2 the two-step geo query: within 25 miles, type, accepting new patients,
   - Q3 the HAPI-style `location.near`: everything within 5 miles,
   - Q4 telehealth: plan network + type + licensed in the state, no geography;
   (the reverse chain Q5, "every practitioner in network N", lists a network, not a search, so
   it is left out). Each answers the first 20 providers, nearest first, then by NPI, with name and
   distance; ours through `directory.service.search_directory`, exactly as the page calls it
   (the revision check, the index, the detail query);
5. checks every answer of both against a brute-force oracle: great-circle distance from the ZIP
   centroid to every role, in NumPy, over arrays read straight from the SQLite tables.

Run:  .venv/bin/python bench/directory.py     (or `make bench-directory`; about 15 minutes with
the defaults; flags: --providers, --queries, --keep-data DIR, --output)
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import multiprocessing as mp
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import psycopg
from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench.*, tests.support.postgres

from tests.support.postgres import create_database as create_pg_database
from tests.support.postgres import throwaway_postgres

from affectrange import migrate
from affectrange.db import Database, create_database, session_scope
from affectrange.directory import service
from affectrange.directory.geo import EARTH_RADIUS_MILES, zip_centroid
from affectrange.directory.importers import ImportFormat
from affectrange.directory.index import DirectoryIndex
from affectrange.directory.models import DIRECTORY_DATA_TABLES
from affectrange.directory.repository import DirectoryReader
from affectrange.directory.schemas import DirectoryQuery
from affectrange.directory.taxonomy import PRESCRIBER_CODES, THERAPIST_CODES
from bench import directory_data as data

SECTION_START: Final = "<!-- bench:directory:start -->"
SECTION_END: Final = "<!-- bench:directory:end -->"
LIMIT: Final = 20
WARMUP_QUERIES: Final = 5
# (clients, workers): ours runs as `affectrange serve` does, one worker process per core; the
# baseline as PostgreSQL is usually used, a connection per client, and also pooled to one per core.
OURS_SETUPS: Final = ((1, 1), (8, 2))
POSTGIS_SETUPS: Final = ((1, 1), (8, 8), (8, 2))
NETWORKS_PER_STATE: Final = 10
METERS_PER_MILE: Final = 1609.344
PG_SETTINGS: Final = (
    "-c shared_buffers=2GB -c effective_cache_size=12GB -c work_mem=32MB "
    "-c maintenance_work_mem=1GB -c random_page_cost=1.1 -c jit=off"
)
console = Console(stderr=True)


# --- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    kind: str
    zip_code: str | None
    state: str
    plan: str | None
    provider_type: str | None
    radius_miles: float | None
    accepting: bool = False
    telehealth: bool = False

    def ours(self) -> DirectoryQuery:
        return DirectoryQuery(
            zip=self.zip_code if self.radius_miles is not None else None,
            radius_miles=self.radius_miles or 10,
            state=self.state if self.telehealth else None,
            telehealth=self.telehealth,
            plan=self.plan,
            provider_type=self.provider_type,
            accepting=self.accepting,
            limit=LIMIT,
        )


def make_queries(people: Sequence[data.Provider], count: int, seed: int) -> list[Query]:
    """Origins where people live: the ZIP of a random provider (providers follow population)."""
    rng = random.Random(seed)
    kinds: list[Callable[[data.Provider], Query]] = [
        lambda p: Query(
            "Q1", p.zip_code, p.state, _plan(rng, p), rng.choice(("prescriber", "therapist")), 10
        ),
        lambda p: Query(
            "Q2", p.zip_code, p.state, None, rng.choice(("prescriber", "therapist")), 25, True
        ),
        lambda p: Query("Q3", p.zip_code, p.state, None, None, 5),
        lambda p: Query(
            "Q4",
            None,
            p.state,
            _plan(rng, p),
            rng.choice(("prescriber", "therapist")),
            None,
            telehealth=True,
        ),
    ]
    return [kinds[i % 4](rng.choice(people)) for i in range(count)]


def _plan(rng: random.Random, person: data.Provider) -> str:
    return data.plan_id(person.state, rng.randint(1, NETWORKS_PER_STATE))


# --- our engine ------------------------------------------------------------------------------

Answer = tuple[tuple[str, float | None], ...]


def ours_answer(database: Database, query: Query) -> Answer:
    with session_scope(database, write=False) as session:
        outcome = service.search_directory(session, query.ours())
    return tuple((match.npi, match.distance_miles) for match in outcome.matches)


# --- PostGIS baseline ------------------------------------------------------------------------

COPY_TABLES: Final = DIRECTORY_DATA_TABLES

POSTGIS_SETUP: Final = f"""
CREATE EXTENSION IF NOT EXISTS postgis;
ALTER TABLE directory_locations ADD COLUMN geog geography(Point, 4326);
UPDATE directory_locations SET geog = ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography
  WHERE latitude IS NOT NULL;
CREATE INDEX directory_locations_geog ON directory_locations USING gist (geog);
ALTER TABLE directory_roles ADD COLUMN prescriber boolean, ADD COLUMN therapist boolean;
UPDATE directory_roles r SET
  prescriber = string_to_array(coalesce(nullif(r.specialties, ''), p.specialties), ' ')
    && ARRAY[{", ".join(f"'{code}'" for code in PRESCRIBER_CODES)}],
  therapist = string_to_array(coalesce(nullif(r.specialties, ''), p.specialties), ' ')
    && ARRAY[{", ".join(f"'{code}'" for code in (*THERAPIST_CODES, "103TP0016X"))}]
  FROM directory_practitioners p WHERE p.id = r.practitioner_id;
CREATE INDEX directory_roles_location_network ON directory_roles (location_id, network_id);
CREATE INDEX directory_roles_network_telehealth ON directory_roles (network_id) WHERE telehealth;
VACUUM ANALYZE;
"""  # noqa: S608  # built from our own constants, no input

NEAR_SQL: Final = """
SELECT p.npi, min(ST_Distance(l.geog, o.g, false)) / %(mile)s AS miles
FROM (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography AS g) o
JOIN directory_locations l ON ST_DWithin(l.geog, o.g, %(meters)s, false)
JOIN directory_roles r ON r.location_id = l.id AND r.in_person
JOIN directory_practitioners p ON p.id = r.practitioner_id
WHERE (%(networks)s::int[] IS NULL OR r.network_id = ANY(%(networks)s::int[]))
  AND (%(type)s::text IS NULL OR (%(type)s = 'prescriber' AND r.prescriber)
       OR (%(type)s = 'therapist' AND r.therapist))
  AND (NOT %(accepting)s OR r.accepting_new_patients)
GROUP BY p.npi, p.given_name, p.family_name
ORDER BY miles, p.npi
LIMIT %(limit)s
"""

ONLINE_SQL: Final = """
SELECT DISTINCT p.npi, NULL::float8 AS miles
FROM directory_roles r
JOIN directory_practitioners p ON p.id = r.practitioner_id
WHERE r.telehealth AND r.network_id = ANY(%(networks)s::int[])
  AND (' ' || p.licensed_states || ' ') LIKE %(state_like)s
  AND ((%(type)s = 'prescriber' AND r.prescriber) OR (%(type)s = 'therapist' AND r.therapist))
ORDER BY p.npi
LIMIT %(limit)s
"""


class PostGis:
    def __init__(self, url: str) -> None:
        self.url = url.replace("postgresql+psycopg://", "postgresql://")
        self._connection: psycopg.Connection[Any] | None = None
        self._plans: dict[str, list[int]] = {}

    def connect(self) -> None:
        self._connection = psycopg.connect(self.url, autocommit=True)
        self._connection.execute("SET jit = off")
        rows = self._connection.execute(
            "SELECT lower(p.plan_key), pn.network_id FROM directory_plans p "
            "JOIN directory_plan_networks pn ON pn.plan_id = p.id"
        ).fetchall()
        for plan, network in rows:
            self._plans.setdefault(plan, []).append(network)

    def answer(self, query: Query) -> Answer:
        assert self._connection is not None
        networks = self._plans.get(query.plan.lower(), [-1]) if query.plan else None
        if query.telehealth:
            rows = self._connection.execute(
                ONLINE_SQL,
                {
                    "networks": networks,
                    "state_like": f"% {query.state} %",
                    "type": query.provider_type,
                    "limit": LIMIT,
                },
            ).fetchall()
            return tuple((npi, None) for npi, _ in rows)
        centre = zip_centroid(query.zip_code or "")
        assert centre is not None
        assert query.radius_miles is not None
        rows = self._connection.execute(
            NEAR_SQL,
            {
                "lat": centre.point.latitude,
                "lon": centre.point.longitude,
                "meters": query.radius_miles * METERS_PER_MILE,
                "mile": METERS_PER_MILE,
                "networks": networks,
                "type": query.provider_type,
                "accepting": query.accepting,
                "limit": LIMIT,
            },
        ).fetchall()
        return tuple((npi, round(float(miles), 2)) for npi, miles in rows)


def load_postgis(sqlite_path: Path, url: str) -> float:
    started = time.perf_counter()
    database = create_database(url)
    migrate.upgrade(database)
    database.dispose()
    source = sqlite3.connect(sqlite_path)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as target:
        for table in COPY_TABLES:
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(columns)
            with target.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {names} FROM {table}"):  # noqa: S608
                    copy.write_row(row)
        target.execute(POSTGIS_SETUP.replace("VACUUM ANALYZE;", ""))
        target.commit()
    with psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as target:
        target.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


# --- oracle ----------------------------------------------------------------------------------


class Oracle:
    """Every role as plain arrays read with sqlite3 from the tables (not through the index), and
    every query answered by checking all of them."""

    def __init__(self, sqlite_path: Path) -> None:
        connection = sqlite3.connect(sqlite_path)
        rows = connection.execute(
            "SELECT p.npi, l.latitude, l.longitude, r.network_id, "
            "coalesce(nullif(r.specialties, ''), p.specialties), r.accepting_new_patients, "
            "r.telehealth, r.in_person, p.licensed_states "
            "FROM directory_roles r JOIN directory_practitioners p ON p.id = r.practitioner_id "
            "LEFT JOIN directory_locations l ON l.id = r.location_id"
        ).fetchall()
        self.npi = np.array([row[0] for row in rows])
        self.lat = np.array([np.nan if row[1] is None else row[1] for row in rows])
        self.lon = np.array([np.nan if row[2] is None else row[2] for row in rows])
        self.network = np.array([-1 if row[3] is None else row[3] for row in rows])
        codes = [set((row[4] or "").split()) for row in rows]
        self.prescriber = np.array([bool(c & set(PRESCRIBER_CODES)) for c in codes])
        therapist_codes = {*THERAPIST_CODES, "103TP0016X"}
        self.therapist = np.array([bool(c & therapist_codes) for c in codes])
        self.accepting = np.array([row[5] == 1 for row in rows])
        self.telehealth = np.array([bool(row[6]) for row in rows])
        self.in_person = np.array([bool(row[7]) for row in rows])
        self.states = [row[8] or "" for row in rows]
        self.plans: dict[str, set[int]] = {}
        for plan, network in connection.execute(
            "SELECT lower(p.plan_key), pn.network_id FROM directory_plans p "
            "JOIN directory_plan_networks pn ON pn.plan_id = p.id"
        ):
            self.plans.setdefault(plan, set()).add(network)
        self._state_masks: dict[str, np.ndarray] = {}

    def answer(self, query: Query) -> tuple[Answer, int]:
        keep = np.ones(len(self.npi), dtype=bool)
        if query.plan is not None:
            keep &= np.isin(self.network, list(self.plans.get(query.plan.lower(), set())))
        if query.provider_type == "prescriber":
            keep &= self.prescriber
        elif query.provider_type == "therapist":
            keep &= self.therapist
        if query.accepting:
            keep &= self.accepting
        if query.telehealth:
            keep &= self.telehealth & self._licensed(query.state)
            npis = sorted(set(self.npi[keep]))
            return tuple((npi, None) for npi in npis[:LIMIT]), len(npis)
        centre = zip_centroid(query.zip_code or "")
        assert centre is not None
        assert query.radius_miles is not None
        keep &= self.in_person & ~np.isnan(self.lat)
        lat1, lon1 = math.radians(centre.point.latitude), math.radians(centre.point.longitude)
        lat2, lon2 = np.radians(self.lat[keep]), np.radians(self.lon[keep])
        h = (
            np.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        )
        miles = 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(h))
        inside = miles <= query.radius_miles
        best: dict[str, float] = {}
        for npi, distance in zip(self.npi[keep][inside], miles[inside], strict=True):
            if distance < best.get(npi, math.inf):
                best[npi] = float(distance)
        ordered = sorted(best.items(), key=lambda item: (item[1], item[0]))
        return tuple((npi, round(d, 2)) for npi, d in ordered[:LIMIT]), len(ordered)

    def _licensed(self, state: str) -> np.ndarray:
        found = self._state_masks.get(state)
        if found is None:
            found = np.array([state in text.split() for text in self.states])
            self._state_masks[state] = found
        return found


def agrees(answer: Answer, expected: Answer, tolerance: float = 0.011) -> bool:
    """Same providers in the same order, distances within about a hundredth of a mile; a pair
    of providers at (almost) the same distance may come in either order."""
    if len(answer) != len(expected):
        return False
    if [npi for npi, _ in answer] == [npi for npi, _ in expected]:
        return all(
            (a is None and b is None)
            or (a is not None and b is not None and abs(a - b) <= tolerance)
            for (_, a), (_, b) in zip(answer, expected, strict=True)
        )
    return sorted(answer, key=lambda pair: pair[0]) == sorted(expected, key=lambda pair: pair[0])


# --- timing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    kind: str
    clients: int
    workers: int
    latencies_ms: list[float]
    wall_seconds: float

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return float(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)])


def _engine(engine: str, target: str) -> Callable[[Query], Answer]:
    if engine == "ours":
        database = create_database(target)
        return lambda query: ours_answer(database, query)
    baseline = PostGis(target)
    baseline.connect()
    return baseline.answer


def _serve(engine: str, target: str, requests: Any, replies: Any, warmup: list[Query]) -> None:
    """A worker process: one engine (our index, or one PostgreSQL connection), queries in turn."""
    run = _engine(engine, target)
    for query in warmup:  # connections, caches and plans warm, not timed
        run(query)
    replies.put((-1, ()))
    while (request := requests.get()) is not None:
        number, query = request
        replies.put((number, run(query)))


def measure(
    engine: str, target: str, queries: list[Query], *, clients: int, workers: int
) -> tuple[list[Timing], list[Answer]]:
    """`clients` threads each send their share of the queries one after another (the next when
    the previous is answered) to `workers` processes; latency is from sending to the answer, so
    it includes any wait for a free worker, as a person's request waits in a server."""
    context = mp.get_context("fork")  # ours: the workers share the parent's built index
    requests, replies = context.Queue(), context.Queue()
    warmup = queries[:WARMUP_QUERIES]
    processes = [
        context.Process(target=_serve, args=(engine, target, requests, replies, warmup))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        replies.get()  # each worker is warm
    answers: list[Answer] = [()] * len(queries)
    done = [threading.Event() for _ in queries]

    def dispatch() -> None:
        for _ in queries:
            number, answer = replies.get()
            answers[number] = answer
            done[number].set()

    latencies: list[tuple[str, float]] = [("", 0.0)] * len(queries)

    def client(numbers: range) -> None:
        for number in numbers:
            started = time.perf_counter()
            requests.put((number, queries[number]))
            done[number].wait()
            latencies[number] = (queries[number].kind, (time.perf_counter() - started) * 1000)

    dispatcher = threading.Thread(target=dispatch)
    dispatcher.start()
    threads = [
        threading.Thread(target=client, args=(range(slot, len(queries), clients),))
        for slot in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    dispatcher.join()
    for _ in processes:
        requests.put(None)
    for process in processes:
        process.join()
    by_kind: dict[str, list[float]] = {}
    for kind, ms in latencies:
        by_kind.setdefault(kind, []).append(ms)
        by_kind.setdefault("all", []).append(ms)
    return [
        Timing(kind, clients, workers, ms, wall) for kind, ms in sorted(by_kind.items())
    ], answers


# --- the run ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    label: str
    rows: int
    seconds: float
    peak_rss_mb: float


def import_in_child(path: Path, file_format: ImportFormat, url: str) -> ImportResult:
    """Run `affectrange directory import` as its own process, as a person would: its wall time
    includes start-up. Peak memory is the process's own high-water mark (VmHWM), read while it
    runs: the rusage of a child also counts its parent's pages from before its exec."""
    command = [sys.executable, "-m", "affectrange", "directory", "import", str(path)]
    command += ["--format", file_format.value]
    environment = {**os.environ, "AFFECTRANGE_DATABASE_URL": url}
    started = time.perf_counter()
    peak_kib = 0
    with tempfile.TemporaryFile("w+") as messages:
        process = subprocess.Popen(command, env=environment, stderr=messages)
        status = Path(f"/proc/{process.pid}/status")
        while process.poll() is None:
            peak_kib = max(peak_kib, _high_water_kib(status))
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        messages.seek(0)
        message = messages.read()
    if process.returncode != 0:
        raise RuntimeError(f"import failed: {message}")
    rows = int(message.split("Read ", 1)[1].split(" rows", 1)[0].replace(",", ""))
    return ImportResult(file_format.value, rows, seconds, peak_kib / 1024)


def _high_water_kib(status: Path) -> int:
    try:
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:  # the process has just ended
        pass
    return 0


@contextmanager
def data_directory(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="affectrange-bench-directory-") as folder:
        yield Path(folder)


def main() -> None:  # noqa: PLR0915  # one linear script, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--keep-data", type=Path, default=None)
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"))
    options = parser.parse_args()

    with data_directory(options.keep_data) as folder:
        nppes_path, members_path = folder / "npidata_pfile.csv", folder / "memberships.csv"
        people = list(data.providers(options.providers, options.seed))
        if not nppes_path.exists():
            console.print(f"writing {options.providers:,} NPPES rows and their memberships")
            data.write_nppes(nppes_path, people, options.seed)
            data.write_memberships(members_path, people, NETWORKS_PER_STATE, options.seed)
        sqlite_path = folder / "directory.sqlite3"
        for stale in folder.glob("directory.sqlite3*"):
            stale.unlink()
        url = f"sqlite:///{sqlite_path}"
        database = create_database(url)
        migrate.upgrade(database)
        database.dispose()
        console.print("importing NPPES into SQLite")
        nppes = import_in_child(nppes_path, ImportFormat.NPPES, url)
        console.print(f"  {nppes.rows:,} rows in {nppes.seconds:.1f} s")
        members = import_in_child(members_path, ImportFormat.CSV, url)
        console.print(f"  {members.rows:,} membership rows in {members.seconds:.1f} s")
        reimport = import_in_child(nppes_path, ImportFormat.NPPES, url)
        sqlite_mb = sqlite_path.stat().st_size / 1e6

        database = create_database(url)
        with session_scope(database, write=False) as session:
            counts = DirectoryReader(session).counts()
            started = time.perf_counter()
            index = service.current_index(session)
            build_seconds = time.perf_counter() - started
        index_mb = _index_megabytes(index)
        console.print(f"index built in {build_seconds:.1f} s: {counts}")

        queries = make_queries(people, options.queries, options.seed)
        oracle = Oracle(sqlite_path)
        expected = [oracle.answer(query) for query in queries]

        ours_runs: dict[str, tuple[list[Timing], list[Answer]]] = {}
        for clients, workers in OURS_SETUPS:
            console.print(f"ours, {clients} client(s), {workers} worker(s)")
            ours_runs[f"{clients}/{workers}"] = measure(
                "ours", url, queries, clients=clients, workers=workers
            )
        database.dispose()

        with throwaway_postgres(PG_SETTINGS) as server:
            pg_url = create_pg_database(server, "directory_bench")
            console.print("copying into PostgreSQL + PostGIS")
            load_seconds = load_postgis(sqlite_path, pg_url)
            pg_mb = _pg_megabytes(pg_url)
            baseline_runs: dict[str, tuple[list[Timing], list[Answer]]] = {}
            for clients, workers in POSTGIS_SETUPS:
                console.print(f"PostGIS, {clients} client(s), {workers} connection(s)")
                baseline_runs[f"{clients}/{workers}"] = measure(
                    "postgis", pg_url, queries, clients=clients, workers=workers
                )

    ours_agree = _agreement(ours_runs["1/1"][1], expected)
    pg_agree = _agreement(baseline_runs["1/1"][1], expected)
    section = render(
        options,
        counts=counts,
        imports=(nppes, members, reimport),
        sqlite_mb=sqlite_mb,
        build_seconds=build_seconds,
        index_mb=index_mb,
        load_seconds=load_seconds,
        pg_mb=pg_mb,
        ours=ours_runs,
        baseline=baseline_runs,
        agreement=(ours_agree, pg_agree, len(queries)),
    )
    write_section(options.output, section)
    print(section)


def _agreement(answers: list[Answer], expected: list[tuple[Answer, int]]) -> int:
    return sum(agrees(answer, truth) for answer, (truth, _) in zip(answers, expected, strict=True))


def _index_megabytes(index: DirectoryIndex) -> float:
    total: int = 0
    for columns in (index.practitioners, index.roles):
        for value in vars(columns).values():
            if isinstance(value, np.ndarray):
                total += int(value.nbytes)
    total += index.practitioner_count * 60  # the NPI strings
    return total / 1e6


def _pg_megabytes(url: str) -> float:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        row = connection.execute("SELECT pg_database_size(current_database())").fetchone()
    return float(row[0]) / 1e6 if row else 0.0


def render(options: argparse.Namespace, **r: Any) -> str:
    nppes, members, reimport = r["imports"]
    counts = r["counts"]
    ours_agree, pg_agree, total = r["agreement"]
    lines = [
        SECTION_START,
        f"Run {dt.date.today().isoformat()} on {platform.node() or 'this machine'} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, PostgreSQL 15 + PostGIS 3), "
        f"`bench/directory.py --providers {options.providers} --queries {options.queries}`.",
        "",
        f"Directory: {counts['practitioners']:,} practitioners, **{counts['roles']:,} roles**, "
        f"{counts['locations']:,} locations, {counts['networks']:,} networks, "
        f"{counts['plans']:,} plans, in every state, DC and Puerto Rico.",
        "",
        "| import (SQLite, one transaction each) | rows | seconds | rows/s | peak memory |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, result in (
        ("NPPES data file, first import", nppes),
        ("clinic CSV of network memberships", members),
        ("NPPES again (nothing changes)", reimport),
    ):
        lines.append(
            f"| {label} | {result.rows:,} | {result.seconds:.1f} | "
            f"{result.rows / result.seconds:,.0f} | {result.peak_rss_mb:.0f} MB |"
        )
    lines += [
        "",
        f"SQLite file {r['sqlite_mb']:,.0f} MB; our search index built from it in "
        f"{r['build_seconds']:.1f} s, {r['index_mb']:,.0f} MB of arrays. The PostGIS copy "
        f"(COPY, geography column, GiST and B-tree indexes, VACUUM ANALYZE) took "
        f"{r['load_seconds']:.0f} s and {r['pg_mb']:,.0f} MB.",
        "",
        "Latency per query in milliseconds, from sending the query to having its answer "
        f"(nearest-rank percentiles over {options.queries:,} queries, a quarter of each kind, "
        "20 results with names and distances). Ours: one worker process per core, as "
        "`affectrange serve` runs, sharing the index built once. PostGIS: one connection per "
        "client, and pooled to one connection per core:",
        "",
        "| query | clients | ours p50 | ours p95 | ours p99 | PostGIS p50 | PostGIS p95 | "
        "PostGIS p99 | PostGIS pooled p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for ours_key, pg_key, pooled_key in (("1/1", "1/1", None), ("8/2", "8/8", "8/2")):
        ours_timings = {t.kind: t for t in r["ours"][ours_key][0]}
        pg_timings = {t.kind: t for t in r["baseline"][pg_key][0]}
        pooled = {t.kind: t for t in r["baseline"][pooled_key][0]} if pooled_key else {}
        for kind in ("Q1", "Q2", "Q3", "Q4", "all"):
            a, b = ours_timings[kind], pg_timings[kind]
            c = f"{pooled[kind].percentile(95):.1f}" if pooled else "(same)"
            lines.append(
                f"| {kind} | {a.clients} | {a.percentile(50):.1f} | **{a.percentile(95):.1f}** | "
                f"{a.percentile(99):.1f} | {b.percentile(50):.1f} | **{b.percentile(95):.1f}** | "
                f"{b.percentile(99):.1f} | {c} |"
            )
    throughput = {
        label: options.queries / runs[key][0][0].wall_seconds
        for label, runs, key in (
            ("ours", r["ours"], "8/2"),
            ("PostGIS", r["baseline"], "8/8"),
            ("PostGIS pooled", r["baseline"], "8/2"),
        )
    }
    lines += [
        "",
        "Throughput at 8 clients: "
        + ", ".join(f"{label} {rate:,.0f} queries/s" for label, rate in throughput.items())
        + ".",
        "",
        f"Agreement with the brute-force oracle (same providers, same order, distances within "
        f"0.01 mile): ours **{ours_agree} of {total}**, PostGIS **{pg_agree} of {total}**.",
        SECTION_END,
    ]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if SECTION_START in text:
        before, rest = text.split(SECTION_START, 1)
        after = rest.split(SECTION_END, 1)[1]
        text = before + section + after
    else:
        text = (
            text.rstrip() + "\n\n## Therapist finder at national scale (`bench/directory.py`)\n\n"
        )
        text += section + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
