"""Check-in write throughput of `affectrange serve` on SQLite, measured beside a trivial endpoint.

Why this shape: SQLite serialises writers and every check-in commit is synced to disk
(synchronous=FULL), so the number that matters is how close durable writes come to what the same
server does when it touches nothing. Both phases therefore run against one server, started the way
production starts it (`affectrange serve`, its own process), and this process is the load generator:
one keep-alive connection per simulated person. Afterwards the database is opened directly, because
a fast benchmark that loses acknowledged check-ins would be worse than a slow one.

Run:  .venv/bin/python bench/checkins.py --seconds 30      (or `make bench-checkins`)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import os
import platform
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from affectrange.accounts import service as accounts
from affectrange.accounts.schemas import RegisterForm
from affectrange.analysis.items import EVENT_MAX, EVENT_MIN, ITEM_IDS, ITEM_MAX, ITEM_MIN
from affectrange.cli import default_workers
from affectrange.config import Settings
from affectrange.db import create_database, session_scope

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "docs" / "benchmarks.md"
# Not resolved: the venv's python is a symlink, and its bin/ is where `affectrange` lives.
VENV_BIN = Path(sys.executable).parent
SECTION_START = "<!-- bench:checkins:start -->"
SECTION_END = "<!-- bench:checkins:end -->"
HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 30.0
READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 20.0
TARGET_RATIO = 0.5
TARGET_P95_MS = 50.0
ACKNOWLEDGED = frozenset({200, 201})
VERIFIED_COLUMNS = (*ITEM_IDS, "event_pleasantness")

out = Console()


# --- simulated people ----------------------------------------------------------------------------


def latest_safe_day() -> dt.date:
    """Yesterday in UTC: never a future day in any time zone (UTC-12 is the furthest behind)."""
    return dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)


@dataclass
class Person:
    """One client: its own account, token, connection and run of dates, so every acknowledged
    request maps to exactly one (person, day) row and nothing is overwritten."""

    number: int
    email: str
    password: str
    token: str = ""
    next_day: dt.date = field(default_factory=latest_safe_day)
    acknowledged: dict[dt.date, dict[str, int]] = field(default_factory=dict)
    replaced: int = 0

    def take_day(self) -> dt.date:
        day = self.next_day
        self.next_day = day - dt.timedelta(days=1)
        return day


def checkin_values(day: dt.date, seed: int) -> dict[str, int]:
    """Values that differ per day and person, so a row holding another request's data shows up."""
    span = ITEM_MAX - ITEM_MIN + 1
    values = {
        item: ITEM_MIN + (day.toordinal() + seed + i) % span for i, item in enumerate(ITEM_IDS)
    }
    values["event_pleasantness"] = EVENT_MIN + (day.toordinal() + seed) % (
        EVENT_MAX - EVENT_MIN + 1
    )
    return values


# --- load generation ------------------------------------------------------------------------------

RequestFn = Callable[[httpx2.AsyncClient, Person], Awaitable[int]]


async def get_livez(http: httpx2.AsyncClient, _person: Person) -> int:
    """The baseline: the same server, routing and JSON response, but no database."""
    response = await http.get("/livez")
    return response.status_code


async def post_checkin(http: httpx2.AsyncClient, person: Person) -> int:
    """One check-in for the person's next earlier day; remembered only once acknowledged."""
    day = person.take_day()
    values = checkin_values(day, person.number)
    response = await http.post("/api/v1/checkins", json={"date": day.isoformat(), **values})
    if response.status_code in ACKNOWLEDGED:
        person.acknowledged[day] = values
        person.replaced += response.status_code == 200
    return response.status_code


@dataclass
class Sample:
    latencies_s: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


async def client_loop(
    http: httpx2.AsyncClient, person: Person, request: RequestFn, deadline: float, sample: Sample
) -> None:
    """Closed loop: the next request leaves once the previous answer arrived, like a real client."""
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        error: str | None
        try:
            status = await request(http, person)
            error = None if 200 <= status < 300 else f"HTTP {status}"
        except httpx2.HTTPError as exc:
            error = type(exc).__name__
        sample.latencies_s.append(time.perf_counter() - started)
        if error is not None:
            sample.errors[error] += 1


async def drive(
    connections: list[httpx2.AsyncClient],
    people: list[Person],
    request: RequestFn,
    seconds: float,
    sample: Sample,
) -> None:
    deadline = time.perf_counter() + seconds
    loops = (
        client_loop(http, person, request, deadline, sample)
        for http, person in zip(connections, people, strict=True)
    )
    await asyncio.gather(*loops)


def open_connection(base_url: str, token: str | None) -> httpx2.AsyncClient:
    """One keep-alive connection per client; trust_env=False so no proxy sits in the loop."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx2.AsyncClient(
        base_url=base_url,
        headers=headers,
        timeout=REQUEST_TIMEOUT_S,
        limits=httpx2.Limits(max_connections=1, max_keepalive_connections=1),
        trust_env=False,
    )


# --- measuring -----------------------------------------------------------------------------------


def process_tree_cpu_s(pid: int) -> float | None:
    """User+system CPU seconds of a process and its descendants (uvicorn workers), from /proc.

    Why: with one worker, a server near 100 % of a core is CPU-bound; far below it, it is waiting
    (on locks or fsync). None where /proc is unavailable.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / ticks
        for children in Path(f"/proc/{pid}/task").glob("*/children"):
            for child in children.read_text().split():
                total += process_tree_cpu_s(int(child)) or 0.0
    except (OSError, IndexError, ValueError):
        return None
    return total


def machine_busy_s() -> float | None:
    """CPU seconds all cores spent not idle, from /proc/stat (to see what else ran meanwhile)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle, iowait = fields[3], fields[4]
    return (sum(fields[:8]) - idle - iowait) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuUsage:
    """Shares of one core over a phase: server, this load generator, and everything else."""

    server_pct: float | None
    client_pct: float
    others_pct: float | None


@dataclass(frozen=True)
class CpuSnapshot:
    wall_s: float
    client_s: float
    server_s: float | None
    machine_s: float | None

    @classmethod
    def take(cls, server_pid: int) -> CpuSnapshot:
        return cls(
            wall_s=time.perf_counter(),
            client_s=time.process_time(),
            server_s=process_tree_cpu_s(server_pid),
            machine_s=machine_busy_s(),
        )

    def spent_until(self, later: CpuSnapshot) -> CpuSpent:
        return CpuSpent(
            wall_s=later.wall_s - self.wall_s,
            client_s=later.client_s - self.client_s,
            server_s=_delta(self.server_s, later.server_s),
            machine_s=_delta(self.machine_s, later.machine_s),
        )


@dataclass(frozen=True)
class CpuSpent:
    """Wall and CPU seconds over one or more measured slices (they add up across rounds)."""

    wall_s: float = 0.0
    client_s: float = 0.0
    server_s: float | None = 0.0
    machine_s: float | None = 0.0

    def __add__(self, other: CpuSpent) -> CpuSpent:
        return CpuSpent(
            wall_s=self.wall_s + other.wall_s,
            client_s=self.client_s + other.client_s,
            server_s=_sum(self.server_s, other.server_s),
            machine_s=_sum(self.machine_s, other.machine_s),
        )

    def usage(self) -> CpuUsage:
        wall, server, machine = self.wall_s, self.server_s, self.machine_s
        others = None if machine is None or server is None else machine - server - self.client_s
        return CpuUsage(
            server_pct=None if server is None else 100 * server / wall,
            client_pct=100 * self.client_s / wall,
            others_pct=None if others is None else max(0.0, 100 * others / wall),
        )


def _delta(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def _sum(first: float | None, second: float | None) -> float | None:
    return None if first is None or second is None else first + second


def percentile_ms(sorted_s: list[float], pct: float) -> float:
    """Nearest-rank percentile in milliseconds (no interpolation: a value that really occurred)."""
    if not sorted_s:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(sorted_s)))
    return sorted_s[rank - 1] * 1000


@dataclass(frozen=True)
class PhaseResult:
    name: str
    path: str
    requests: int
    elapsed_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: Counter[str]
    cpu: CpuUsage

    @property
    def req_per_s(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        """Server CPU per request: the cost that caps throughput once a core is saturated."""
        if self.cpu.server_pct is None or not self.requests:
            return None
        return 10 * self.cpu.server_pct * self.elapsed_s / self.requests

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


@dataclass(frozen=True)
class PhaseSpec:
    name: str
    method_path: str
    request: RequestFn
    authenticated: bool


async def run_phase(
    spec: PhaseSpec,
    base_url: str,
    people: list[Person],
    *,
    seconds: float,
    warmup: float,
    server_pid: int,
) -> tuple[Sample, CpuSpent]:
    """Warm up (not counted), then measure `seconds` of closed-loop load from every client."""
    connections = [
        open_connection(base_url, p.token if spec.authenticated else None) for p in people
    ]
    try:
        if warmup > 0:
            await drive(connections, people, spec.request, warmup, Sample())
        sample = Sample()
        before = CpuSnapshot.take(server_pid)
        await drive(connections, people, spec.request, seconds, sample)
        after = CpuSnapshot.take(server_pid)
    finally:
        await asyncio.gather(*(http.aclose() for http in connections))
    return sample, before.spent_until(after)


def summarise(spec: PhaseSpec, sample: Sample, spent: CpuSpent) -> PhaseResult:
    latencies = sorted(sample.latencies_s)
    elapsed = spent.wall_s
    return PhaseResult(
        name=spec.name,
        path=spec.method_path,
        requests=len(latencies),
        elapsed_s=elapsed,
        p50_ms=percentile_ms(latencies, 50),
        p95_ms=percentile_ms(latencies, 95),
        p99_ms=percentile_ms(latencies, 99),
        max_ms=latencies[-1] * 1000 if latencies else math.nan,
        errors=sample.errors,
        cpu=spent.usage(),
    )


# --- the server under test ------------------------------------------------------------------------


def server_env(database: Path) -> dict[str, str]:
    """The environment of every `affectrange` command here: a throwaway database and secret."""
    env = dict(os.environ)
    env["AFFECTRANGE_DATABASE_URL"] = f"sqlite:///{database}"
    env["AFFECTRANGE_SECRET_KEY"] = secrets.token_urlsafe(32)
    return env


def migrate(workdir: Path, env: dict[str, str]) -> None:
    subprocess.run(
        [str(VENV_BIN / "affectrange"), "migrate"],
        cwd=workdir,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def create_people(env: dict[str, str], count: int) -> list[Person]:
    """Accounts through the same service the CLI uses; in-process, to hash 16 passwords in seconds
    rather than start 16 interpreters."""
    settings = Settings(
        database_url=env["AFFECTRANGE_DATABASE_URL"],
        secret_key=SecretStr(env["AFFECTRANGE_SECRET_KEY"]),
    )
    people = [
        Person(number=n, email=f"bench-{n:02d}@example.org", password=secrets.token_urlsafe(18))
        for n in range(count)
    ]
    database = create_database(settings.database_url)
    try:
        with session_scope(database) as session:
            for person in people:
                form = RegisterForm(
                    email=person.email, password=person.password, password_repeat=person.password
                )
                accounts.register_user(session, settings, form, now=dt.datetime.now(dt.UTC))
    finally:
        database.dispose()
    return people


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(
    workdir: Path, env: dict[str, str], port: int, workers: int
) -> Iterator[subprocess.Popen[bytes]]:
    """`affectrange serve` in its own process, stopped with SIGINT (Ctrl-C) as an operator would."""
    log_path = workdir / "serve.log"
    command = [str(VENV_BIN / "affectrange"), "serve", "--host", HOST, "--port", str(port)]
    command += ["--workers", str(workers), "--no-access-log"]
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=log)
        try:
            wait_until_ready(f"http://{HOST}:{port}", server, log_path)
            yield server
        finally:
            stop_server(server)


def wait_until_ready(base_url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    with httpx2.Client(base_url=base_url, timeout=2.0, trust_env=False) as http:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"server exited early:\n{log_path.read_text()[-2000:]}")
            try:
                if http.get("/healthz").status_code == 200:
                    return
            except httpx2.HTTPError:
                pass
            time.sleep(0.1)
    raise RuntimeError(
        f"server not ready after {READY_TIMEOUT_S} s:\n{log_path.read_text()[-2000:]}"
    )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        out.print("[yellow]server ignored SIGINT; killing it[/]")
        server.kill()
        server.wait()


async def issue_tokens(base_url: str, people: list[Person]) -> None:
    """One bearer token per person, the documented way (POST /api/v1/auth/token)."""
    async with httpx2.AsyncClient(base_url=base_url, timeout=60.0, trust_env=False) as http:
        for person in people:
            response = await http.post(
                "/api/v1/auth/token",
                json={"email": person.email, "password": person.password, "name": "bench"},
            )
            response.raise_for_status()
            person.token = response.json()["access_token"]


# --- afterwards: is every acknowledged check-in in the database? ----------------------------------


@dataclass(frozen=True)
class Verification:
    acknowledged: int
    found: int
    wrong_values: int
    rows_in_database: int
    replaced: int
    """Answered 200 (an existing day replaced): should be 0, every request has a fresh day."""

    @property
    def missing(self) -> int:
        return self.acknowledged - self.found


def verify(database: Path, people: list[Person]) -> Verification:
    """Compare every acknowledged (person, day) with its row, values included."""
    columns = ", ".join(f"c.{name}" for name in VERIFIED_COLUMNS)
    query = f"SELECT u.email, c.day, {columns} FROM checkins c JOIN users u ON u.id = c.owner_id"  # noqa: S608
    with sqlite3.connect(database) as connection:
        stored = {
            (email, dt.date.fromisoformat(day)): dict(zip(VERIFIED_COLUMNS, values, strict=True))
            for email, day, *values in connection.execute(query)
        }
    connection.close()
    acknowledged = found = wrong = 0
    for person in people:
        for day, values in person.acknowledged.items():
            acknowledged += 1
            row = stored.get((person.email, day))
            found += row is not None
            wrong += row is not None and row != values
    replaced = sum(person.replaced for person in people)
    return Verification(acknowledged, found, wrong, len(stored), replaced)


# --- reporting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    when: dt.datetime
    seconds: float
    rounds: int
    warmup: float
    clients: int
    workers: int
    trivial: PhaseResult
    checkins: PhaseResult
    verification: Verification
    filesystem: str

    @property
    def ratio(self) -> float:
        return self.checkins.req_per_s / self.trivial.req_per_s if self.trivial.req_per_s else 0.0

    def targets(self) -> list[tuple[str, str, bool]]:
        """(target, measured, met) — measured against the issue's targets, never adjusted."""
        v = self.verification
        errors = self.trivial.error_count + self.checkins.error_count
        return [
            (
                f"check-in req/s >= {TARGET_RATIO:.0%} of trivial",
                f"{self.ratio:.1%}",
                self.ratio >= TARGET_RATIO,
            ),
            (
                f"check-in p95 <= {TARGET_P95_MS:.0f} ms",
                f"{self.checkins.p95_ms:.1f} ms",
                self.checkins.p95_ms <= TARGET_P95_MS,
            ),
            ("zero errors (both phases)", str(errors), errors == 0),
            (
                "every acknowledged check-in in the database",
                f"{v.found}/{v.acknowledged} found, {v.wrong_values} with wrong values",
                v.missing == 0 and v.wrong_values == 0,
            ),
        ]


def machine_summary() -> str:
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def filesystem_of(path: Path) -> str:
    """The mount under the database: fsync on tmpfs costs nothing, so readers need to know."""
    best = ("?", "?", "")
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return "unknown"
    resolved = str(path.resolve())
    for line in mounts:
        device, mount_point, fs_type, *_ = line.split()
        prefix = mount_point.rstrip("/") + "/"
        if (resolved + "/").startswith(prefix) and len(mount_point) >= len(best[2]):
            best = (fs_type, device, mount_point)
    return f"{best[0]} ({best[1]} on {best[2]})"


def format_errors(errors: Counter[str]) -> str:
    if not errors:
        return "0"
    detail = ", ".join(f"{kind}: {count}" for kind, count in errors.most_common())
    return f"{sum(errors.values())} ({detail})"


def cpu_text(pct: float | None) -> str:
    return "n/a" if pct is None else f"{pct:.0f} %"


def phase_row(phase: PhaseResult) -> list[str]:
    return [
        f"{phase.name} (`{phase.path}`)",
        f"{phase.requests}",
        f"{phase.req_per_s:.1f}",
        f"{phase.p50_ms:.1f}",
        f"{phase.p95_ms:.1f}",
        f"{phase.p99_ms:.1f}",
        f"{phase.max_ms:.1f}",
        format_errors(phase.errors),
        cpu_text(phase.cpu.server_pct),
        "n/a" if (ms := phase.server_cpu_ms_per_request) is None else f"{ms:.2f}",
        cpu_text(phase.cpu.client_pct),
        cpu_text(phase.cpu.others_pct),
    ]


PHASE_HEADERS = [
    "phase",
    "requests",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "max ms",
    "errors",
    "server CPU",
    "server CPU ms/req",
    "client CPU",
    "other CPU",
]


def print_report(report: Report) -> None:
    """Phases as columns, so the table stays readable in an 80-column terminal."""
    phases = (report.trivial, report.checkins)
    table = Table(title=f"{report.clients} clients, {report.seconds:g} s per phase")
    table.add_column("")
    for phase in phases:
        table.add_column(f"{phase.name}\n{phase.path}", justify="right")
    rows = zip(*(phase_row(phase)[1:] for phase in phases), strict=True)
    for header, cells in zip(PHASE_HEADERS[1:], rows, strict=True):
        table.add_row(header, *cells)
    out.print(table)
    targets = Table(title="targets")
    for header in ("target", "measured", "met"):
        targets.add_column(header)
    for name, measured, met in report.targets():
        targets.add_row(name, measured, "[green]yes[/]" if met else "[red]NO[/]")
    out.print(targets)


def markdown_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


CLIENT_BOUND_PCT = 90.0
SHARED_MACHINE_PCT = 10.0


def caveats(report: Report) -> list[str]:
    """Conditions that make this run's numbers mean less, stated next to them rather than hidden."""
    notes = []
    for phase in (report.trivial, report.checkins):
        if phase.cpu.client_pct >= CLIENT_BOUND_PCT:
            notes.append(
                f"The load generator used {phase.cpu.client_pct:.0f} % of a core in the "
                f"{phase.name} phase: that phase was (also) limited by the client, so its req/s "
                "is a lower bound for the server."
            )
        if phase.cpu.others_pct is not None and phase.cpu.others_pct >= SHARED_MACHINE_PCT:
            notes.append(
                f"Other processes used {phase.cpu.others_pct:.0f} % of a core during the "
                f"{phase.name} phase: the machine was shared and the numbers are pessimistic."
            )
    return [f"- Caveat: {note}" for note in notes]


def markdown_section(report: Report) -> str:
    v = report.verification
    notes = caveats(report)
    lines = [
        SECTION_START,
        "## Check-in writes beside a trivial endpoint (`bench/checkins.py`)",
        "",
        f"- Run: {report.when:%Y-%m-%d %H:%M} UTC, {report.clients} clients, "
        f"{report.seconds:g} s per phase in {report.rounds} alternating rounds "
        f"after {report.warmup:g} s warm-up, "
        f"`affectrange serve --workers {report.workers}`",
        f"- Machine: {machine_summary()}",
        f"- Database: SQLite (WAL, synchronous=FULL) on {report.filesystem}",
        "",
        *markdown_table(PHASE_HEADERS, [phase_row(report.trivial), phase_row(report.checkins)]),
        "",
        f"Check-ins / trivial throughput: **{report.ratio:.1%}**. "
        f"Acknowledged check-ins: {v.acknowledged} (warm-up included); found in the database "
        f"afterwards: {v.found}; missing: {v.missing}; with other values than sent: "
        f"{v.wrong_values}; rows in the table: {v.rows_in_database}; answered 200 (replaced "
        f"an existing day, expected 0): {v.replaced}.",
        "",
        *markdown_table(
            ["target", "measured", "met"],
            [
                [name, measured, "yes" if met else "**no**"]
                for name, measured, met in report.targets()
            ],
        ),
        "",
        *notes,
        *([""] if notes else []),
        "CPU is a share of one core over the measured interval (server: the `affectrange serve` "
        "process and its workers; client: this load generator; other: every other process on the "
        f"machine, which has {os.cpu_count()} cores in all). Other CPU well above zero means the "
        "run shared the machine and its numbers are low.",
        SECTION_END,
    ]
    return "\n".join(lines) + "\n"


INTRO = """# Benchmarks

Measured on the machine that runs them, with the numbers written by the scripts themselves
(sections between `<!-- bench:... -->` markers are replaced on each run; edit outside them).

## How to run

- `make bench-checkins`, or `.venv/bin/python bench/checkins.py --seconds 30`
  (flags: `--seconds`, `--rounds`, `--clients`, `--warmup`, `--workers`, `--output`). It takes
  about `2 x seconds + 2 x warm-up` plus ~15 s of setup (argon2 hashes for the accounts and tokens).
- The reference machine has 2 cores; the load generator shares them with the server, so
  treat the numbers as a comparison between the two phases, not as capacity planning.

## What `bench/checkins.py` measures

A fresh SQLite database in a temporary directory, migrated with `affectrange migrate`, one person
account per client, and `affectrange serve --no-access-log` started as its own process. Each client
has one keep-alive HTTP connection over loopback and sends its next request as soon as the previous
answer arrives. Phase 1 hammers `GET /livez` (touches nothing: the ceiling of the stack). Phase 2
posts check-ins (`POST /api/v1/checkins`, bearer token), each request for a distinct earlier day of
its own person, so every acknowledged request must be exactly one row. After the server is stopped
the database file is opened, and every acknowledged (person, day) is looked up and compared.
Latency percentiles are nearest-rank over every measured request; errors are non-2xx answers and
transport exceptions.

"""


def write_markdown(report: Report, output: Path) -> None:
    """Replace this benchmark's section, keeping anything else people wrote in the file."""
    section = markdown_section(report)
    text = output.read_text(encoding="utf-8") if output.exists() else INTRO
    if SECTION_START in text and SECTION_END in text:
        head, rest = text.split(SECTION_START, 1)
        tail = rest.split(SECTION_END, 1)[1].removeprefix("\n")
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")


# --- main ----------------------------------------------------------------------------------------

TRIVIAL = PhaseSpec("trivial", "GET /livez", get_livez, authenticated=False)
CHECKINS = PhaseSpec("check-ins", "POST /api/v1/checkins", post_checkin, authenticated=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per phase")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="split each phase into this many slices, alternating the two phases "
        "(so drift on the machine affects both alike)",
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (accounts)")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds per phase")
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="passed to `affectrange serve` (default: its own default, one per core)",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="Markdown report")
    return parser.parse_args(argv)


async def load_test(
    base_url: str, people: list[Person], args: argparse.Namespace, server_pid: int
) -> tuple[PhaseResult, PhaseResult]:
    await issue_tokens(base_url, people)
    samples = {spec.name: Sample() for spec in (TRIVIAL, CHECKINS)}
    spent = {spec.name: CpuSpent() for spec in (TRIVIAL, CHECKINS)}
    slice_s = args.seconds / args.rounds
    for round_number in range(args.rounds):
        for spec in (TRIVIAL, CHECKINS):
            warmup = args.warmup if round_number == 0 else 0.0
            out.print(
                f"round {round_number + 1}/{args.rounds}, {spec.name}: "
                f"{warmup:g} s warm-up, {slice_s:g} s measured ..."
            )
            sample, cpu = await run_phase(
                spec, base_url, people, seconds=slice_s, warmup=warmup, server_pid=server_pid
            )
            samples[spec.name].latencies_s.extend(sample.latencies_s)
            samples[spec.name].errors.update(sample.errors)
            spent[spec.name] += cpu
    trivial = summarise(TRIVIAL, samples[TRIVIAL.name], spent[TRIVIAL.name])
    checkins = summarise(CHECKINS, samples[CHECKINS.name], spent[CHECKINS.name])
    return trivial, checkins


def show_server_log(log_path: Path, lines: int = 40) -> None:
    """The server's own account of the errors, before its temporary directory disappears."""
    tail = log_path.read_text(errors="replace").splitlines()[-lines:]
    out.print(f"[yellow]last {len(tail)} lines of the server log:[/]")
    out.print("\n".join(tail), markup=False, highlight=False)


def benchmark(args: argparse.Namespace, workdir: Path) -> Report:
    database = workdir / "bench.sqlite3"
    env = server_env(database)
    out.print(f"setting up {database} (migrate, {args.clients} accounts) ...")
    migrate(workdir, env)
    people = create_people(env, args.clients)
    port = free_port()
    out.print(f"starting affectrange serve on port {port}, {args.workers} worker(s) ...")
    with running_server(workdir, env, port, args.workers) as server:
        trivial, checkins = asyncio.run(
            load_test(f"http://{HOST}:{port}", people, args, server.pid)
        )
    if trivial.error_count or checkins.error_count:
        show_server_log(workdir / "serve.log")
    return Report(
        when=dt.datetime.now(dt.UTC),
        seconds=args.seconds,
        rounds=args.rounds,
        warmup=args.warmup,
        clients=args.clients,
        workers=args.workers,
        trivial=trivial,
        checkins=checkins,
        verification=verify(database, people),
        filesystem=filesystem_of(workdir),
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="affectrange-bench-") as tmp:
        report = benchmark(args, Path(tmp))
    print_report(report)
    write_markdown(report, args.output)
    out.print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
