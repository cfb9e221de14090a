"""`affectrange analyze` on a year of 1,000 people beside `polars.read_csv` of the same file,
and the per-person analysis the web app runs for one page.

Why this shape: reading a six-million-row CSV is the part of `analyze` a user waits for and the
part that can be made slow by accident, so its yardstick is the fastest reader at hand, polars,
run the same way (its own process, interpreter start and imports included) on the same file in
the same run. The web path is measured per person because a page shows one person: what matters
there is the tail latency of one analysis of two years, not throughput.

Both subprocesses get a bytecode cache in the temporary directory (PYTHONPYCACHEPREFIX), as an
installed package has one: without it every run would compile scipy and polars from source, which
says more about the environment than about either program. The first, unmeasured run fills it.

Run:  .venv/bin/python bench/analyze.py      (flags: --persons, --days, --rounds, --web-persons,
      --web-days, --output)
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table

from affectrange import analyze_csv
from affectrange.analysis.engine import analyze
from affectrange.analysis.serialize import output_json, person_json
from affectrange.analysis.series import CONTEXT_FIELDS, DayRow, series_from_rows
from affectrange.simulate import (
    SimulatedPerson,
    simulate_cohort,
    write_long_csv,
    write_medications_csv,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "docs" / "benchmarks.md"
SECTION_START = "<!-- bench:analyze:start -->"
SECTION_END = "<!-- bench:analyze:end -->"
START = dt.date(2025, 1, 1)
TARGET_RATIO = 2.0
TARGET_PEAK_RSS_MIB = 2048.0
TARGET_WEB_P95_MS = 5.0
TIMEOUT_S = 600

out = Console()
_T = TypeVar("_T")


# --- data -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Files:
    checkins: Path
    medications: Path
    rows: int
    persons: int
    days: int
    size_mib: float


def make_files(folder: Path, persons: int, days: int, seed: int) -> Files:
    cohort = simulate_cohort(persons, seed=seed, start=START, n_days=days)
    checkins, medications = folder / "checkins.csv", folder / "meds.csv"
    rows = write_long_csv(cohort, checkins)
    write_medications_csv(cohort, medications)
    size = checkins.stat().st_size / 2**20
    return Files(checkins, medications, rows, persons, days, size)


# --- subprocess runs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    peak_rss_mib: float


def child_env(cache: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


TIME = Path("/usr/bin/time")
RSS_SOURCE = "from GNU time" if TIME.exists() else "from wait4 (too high: see `run_child`)"


def run_child(command: Sequence[str], env: dict[str, str], log: Path) -> Run:
    """Wall time, CPU time and peak RSS of the command, measured by GNU time where installed.

    Why not os.wait4 on our own child: a forked child starts as a copy of this process, and
    Linux keeps that copy's high-water mark across exec, so the peak RSS would be ours (the
    simulated cohort and all). GNU time is small, and what it forks is the command alone.
    """
    stats = log.with_suffix(".time")
    timed = [str(TIME), "-f", "%M %U %S", "-o", str(stats), *command] if TIME.exists() else command
    with log.open("w") as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(timed, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {child.returncode}: {log.read_text()}")
    if TIME.exists():
        peak_kib, user_s, system_s = stats.read_text().split()[-3:]
        return Run(wall, float(user_s) + float(system_s), int(peak_kib) / 1024)
    # ru_maxrss is in KiB on Linux (and includes this process's size at the fork, see above).
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def analyze_command(files: Files, output: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "affectrange",
        "analyze",
        str(files.checkins),
        "--medications",
        str(files.medications),
        "-o",
        str(output),
    ]


def polars_command(files: Files) -> list[str]:
    code = f"import polars; polars.read_csv({str(files.checkins)!r})"
    return [sys.executable, "-c", code]


def import_command() -> list[str]:
    """What `analyze` pays before it reads a byte: the command line and the engine."""
    code = "import affectrange.cli, affectrange.analyze_csv"
    return [sys.executable, "-c", code]


@dataclass(frozen=True)
class Measured:
    name: str
    runs: list[Run]

    @property
    def median_s(self) -> float:
        return statistics.median(run.wall_s for run in self.runs)

    @property
    def best_s(self) -> float:
        return min(run.wall_s for run in self.runs)

    @property
    def cpu_s(self) -> float:
        return statistics.median(run.cpu_s for run in self.runs)

    @property
    def peak_rss_mib(self) -> float:
        return max(run.peak_rss_mib for run in self.runs)


def measure_commands(
    commands: dict[str, list[str]], env: dict[str, str], rounds: int, folder: Path
) -> dict[str, Measured]:
    """Alternating rounds, so drift on the machine weighs on every command alike."""
    for name, command in commands.items():
        out.print(f"warm-up: {name} ...")
        run_child(command, env, folder / "warmup.log")
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for round_number in range(rounds):
        for name, command in commands.items():
            run = run_child(command, env, folder / "child.log")
            out.print(f"round {round_number + 1}/{rounds}: {name} {run.wall_s:.2f} s")
            runs[name].append(run)
    return {name: Measured(name, found) for name, found in runs.items()}


# --- in-process phases ----------------------------------------------------------------------------


def best_of(rounds: int, work: Callable[[], _T]) -> tuple[float, _T]:
    best, result = float("inf"), None
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return best, result


@dataclass(frozen=True)
class Phases:
    polars_read_s: float
    read_checkins_s: float
    read_medications_s: float
    analysis_serial_s: float
    analysis_parallel_s: float
    workers: int
    json_s: float
    persons: int


def measure_phases(files: Files, rounds: int) -> Phases:
    """Where `analyze`'s time goes, in this process (no interpreter start, no imports)."""
    polars_s, _ = best_of(rounds, lambda: pl.read_csv(files.checkins))
    read_s, table = best_of(rounds, lambda: analyze_csv.read_checkins(files.checkins))
    meds_s, meds = best_of(rounds, lambda: analyze_csv.read_medications(files.medications))
    persons = table.persons
    serial_s, _ = best_of(1, lambda: analyze_csv.analyze_persons(persons, meds.events))
    workers = analyze_csv.worker_count(persons, None)
    parallel_s, results = best_of(
        1, lambda: analyze_csv.analyze_persons(persons, meds.events, workers=workers)
    )
    json_s, _ = best_of(rounds, lambda: analyze_csv.json_text(output_json(results)))
    return Phases(polars_s, read_s, meds_s, serial_s, parallel_s, workers, json_s, len(persons))


# --- the web path ---------------------------------------------------------------------------------


def day_rows(person: SimulatedPerson) -> list[DayRow]:
    """What `checkins.service.daily_series` hands `series_from_rows`: the items, the context
    fields and the event of every stored day."""
    rows: list[DayRow] = []
    for day in person.days:
        values: dict[str, float | None] = dict(day.items)
        for name in CONTEXT_FIELDS:
            value = getattr(day, name)
            values[name] = None if value is None else float(value)
        rows.append((day.date, values, day.event_pleasantness))
    return rows


@dataclass(frozen=True)
class WebLatency:
    persons: int
    days: int
    samples_ms: list[float]

    def percentile(self, pct: float) -> float:
        return float(np.percentile(self.samples_ms, pct, method="inverted_cdf"))


def measure_web(persons: int, days: int, rounds: int, seed: int) -> WebLatency:
    """One page's analysis: rows to series, the engine, the contract object; per person."""
    out.print(f"simulating {persons} persons of {days} days for the web path ...")
    cohort = simulate_cohort(persons, seed=seed, start=START, n_days=days)
    inputs = [(p, day_rows(p)) for p in cohort]

    def once(person: SimulatedPerson, rows: list[DayRow]) -> float:
        started = time.perf_counter()
        first, last = START, START + dt.timedelta(days=days - 1)
        series = series_from_rows(first, last, rows)
        person_json(person.person_id, analyze(series, person.medication_events))
        return (time.perf_counter() - started) * 1000

    for person, rows in inputs[:20]:
        once(person, rows)  # warm-up: first calls fill NumPy's and the engine's caches
    samples = [once(person, rows) for _ in range(rounds) for person, rows in inputs]
    return WebLatency(persons, days, samples)


# --- report ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    when: dt.datetime
    files: Files
    rounds: int
    commands: dict[str, Measured]
    phases: Phases
    web: WebLatency
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    @property
    def analyze(self) -> Measured:
        return self.commands["affectrange analyze"]

    @property
    def polars(self) -> Measured:
        return self.commands["polars.read_csv"]

    @property
    def ratio(self) -> float:
        return self.analyze.median_s / self.polars.median_s

    def targets(self) -> list[tuple[str, str, bool]]:
        p95 = self.web.percentile(95)
        return [
            (
                f"`analyze` wall time <= {TARGET_RATIO:g}x `polars.read_csv` (medians)",
                f"{self.ratio:.2f}x",
                self.ratio <= TARGET_RATIO,
            ),
            (
                f"`analyze` peak RSS <= {TARGET_PEAK_RSS_MIB / 1024:g} GiB",
                f"{self.analyze.peak_rss_mib:.0f} MiB",
                self.analyze.peak_rss_mib <= TARGET_PEAK_RSS_MIB,
            ),
            (
                f"web analysis of {self.web.days} days, p95 <= {TARGET_WEB_P95_MS:g} ms",
                f"{p95:.2f} ms",
                p95 <= TARGET_WEB_P95_MS,
            ),
        ]


def machine_summary() -> str:
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"polars {pl.__version__}, NumPy {np.__version__}"
    )


def command_rows(report: Report) -> list[list[str]]:
    rows = []
    for measured in report.commands.values():
        rows.append(
            [
                measured.name,
                f"{measured.median_s:.2f}",
                f"{measured.best_s:.2f}",
                f"{measured.cpu_s:.2f}",
                f"{measured.peak_rss_mib:.0f}",
            ]
        )
    return rows


COMMAND_HEADERS = ["command (own process)", "median s", "best s", "CPU s (median)", "peak RSS MiB"]


def phase_rows(report: Report) -> list[list[str]]:
    p = report.phases
    per_person_ms = p.analysis_serial_s / max(p.persons, 1) * 1000
    return [
        ["`polars.read_csv` (the yardstick)", f"{p.polars_read_s:.2f}"],
        [
            "`read_checkins`: read, check, build every person's arrays",
            f"{p.read_checkins_s:.2f} ({p.read_checkins_s / p.polars_read_s:.2f}x polars)",
        ],
        ["`read_medications`", f"{p.read_medications_s:.3f}"],
        [
            f"analysis of {p.persons} persons, 1 process",
            f"{p.analysis_serial_s:.2f} ({per_person_ms:.2f} ms per person)",
        ],
        [f"analysis, {p.workers} worker process(es) (the default)", f"{p.analysis_parallel_s:.2f}"],
        ["JSON text", f"{p.json_s:.3f}"],
    ]


def web_rows(report: Report) -> list[list[str]]:
    web = report.web
    return [
        [
            f"{web.persons} persons x {web.days} days, {len(web.samples_ms)} analyses",
            f"{web.percentile(50):.2f}",
            f"{web.percentile(95):.2f}",
            f"{web.percentile(99):.2f}",
            f"{max(web.samples_ms):.2f}",
        ]
    ]


WEB_HEADERS = ["web path (rows -> series -> analyze -> person_json)", "p50 ms", "p95 ms", "p99 ms"]
WEB_HEADERS += ["max ms"]


def print_report(report: Report) -> None:
    for title, headers, rows in (
        ("subprocesses", COMMAND_HEADERS, command_rows(report)),
        ("in-process phases", ["phase", "seconds"], phase_rows(report)),
        ("web path", WEB_HEADERS, web_rows(report)),
        ("targets", ["target", "measured", "met"], target_rows(report, rich=True)),
    ):
        table = Table(title=title)
        for header in headers:
            table.add_column(header)
        for row in rows:
            table.add_row(*row)
        out.print(table)


def target_rows(report: Report, *, rich: bool = False) -> list[list[str]]:
    yes, no = ("[green]yes[/]", "[red]NO[/]") if rich else ("yes", "**no**")
    return [[name, value, yes if met else no] for name, value, met in report.targets()]


def markdown_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def load_text(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in load)


def markdown_section(report: Report) -> str:
    f = report.files
    lines = [
        SECTION_START,
        "## Analysis (`bench/analyze.py`)",
        "",
        f"- Run: {report.when:%Y-%m-%d %H:%M} UTC, `.venv/bin/python bench/analyze.py "
        f"--persons {f.persons} --days {f.days} --rounds {report.rounds}`",
        f"- Machine: {machine_summary()}",
        f"- Load average (1/5/15 min) before: {load_text(report.load_before)}, "
        f"after: {load_text(report.load_after)}",
        f"- Input: simulated long-format CSV, {f.persons} persons x {f.days} days, "
        f"{f.rows:,} rows, {f.size_mib:.0f} MiB, plus their medication events",
        "",
        "Whole commands, each in its own process (interpreter start and imports included), "
        f"{report.rounds} alternating rounds after one unmeasured warm-up run each; CPU and "
        f"peak RSS {RSS_SOURCE}:",
        "",
        *markdown_table(COMMAND_HEADERS, command_rows(report)),
        "",
        "Where `analyze`'s time goes (in one process, best of "
        f"{report.rounds}; the analysis once):",
        "",
        *markdown_table(["phase", "seconds"], phase_rows(report)),
        "",
        *markdown_table(WEB_HEADERS, web_rows(report)),
        "",
        *markdown_table(["target", "measured", "met"], target_rows(report)),
        "",
        "Percentiles are nearest-rank over every analysis. The web path starts from the day rows "
        "the check-in repository returns (the database query is not included) and includes the "
        "optional context fields, so the everyday associations are computed too.",
        SECTION_END,
    ]
    return "\n".join(lines) + "\n"


def write_markdown(report: Report, output: Path) -> None:
    """Replace this benchmark's section, keeping everything else in the file."""
    section = markdown_section(report)
    text = output.read_text(encoding="utf-8") if output.exists() else "# Benchmarks\n"
    if SECTION_START in text and SECTION_END in text:
        head, rest = text.split(SECTION_START, 1)
        tail = rest.split(SECTION_END, 1)[1].removeprefix("\n")
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    output.write_text(text, encoding="utf-8")


# --- main -----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--persons", type=int, default=1000, help="persons in the CSV")
    parser.add_argument("--days", type=int, default=365, help="days per person in the CSV")
    parser.add_argument("--rounds", type=int, default=3, help="measured runs of each command")
    parser.add_argument("--web-persons", type=int, default=200, help="persons for the web path")
    parser.add_argument("--web-days", type=int, default=730, help="days per web-path person")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="Markdown report")
    return parser.parse_args(argv)


def benchmark(args: argparse.Namespace, folder: Path) -> Report:
    load_before = os.getloadavg()
    out.print(f"simulating {args.persons} persons x {args.days} days into {folder} ...")
    files = make_files(folder, args.persons, args.days, args.seed)
    env = child_env(folder / "pycache")
    commands = {
        "polars.read_csv": polars_command(files),
        "affectrange analyze": analyze_command(files, folder / "out.json"),
        "imports only (`affectrange.cli`, `analyze_csv`)": import_command(),
        "imports only (`polars`)": [sys.executable, "-c", "import polars"],
    }
    measured = measure_commands(commands, env, args.rounds, folder)
    persons = json.loads((folder / "out.json").read_text(encoding="utf-8"))["persons"]
    assert len(persons) == args.persons, "every simulated person is in the output"
    out.print("in-process phases ...")
    phases = measure_phases(files, args.rounds)
    web = measure_web(args.web_persons, args.web_days, args.rounds, args.seed + 1)
    return Report(
        when=dt.datetime.now(dt.UTC),
        files=files,
        rounds=args.rounds,
        commands=measured,
        phases=phases,
        web=web,
        load_before=load_before,
        load_after=os.getloadavg(),
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
