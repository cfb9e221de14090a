"""How well the analysis finds what the simulator put in: pattern, blunting, onset and its event.

A cohort of simulated people (equal numbers of the nine scenarios of `affectrange.simulate`) is
analysed exactly as the web and the command line analyse a person, and the findings are compared
with each person's ground truth. The seed is one the rules were never tuned on; the thresholds were
set on seed 7 (docs/analysis.md says how).

Run:  .venv/bin/python bench/validate_analysis.py --persons 900 --seed 20261126
      (writes its tables into docs/analysis.md between the validation markers)
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from affectrange.analysis.engine import PersonAnalysis, analyze
from affectrange.analysis.pattern import PATTERNS
from affectrange.analysis.series import CONTEXT_FIELDS, DailySeries, series_from_rows
from affectrange.simulate import SCENARIOS, SimulatedPerson, simulate_cohort

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "docs" / "analysis.md"
SECTION_START = "<!-- validation:start -->"
SECTION_END = "<!-- validation:end -->"
START = dt.date(2025, 1, 6)
ONSET_TOLERANCE_DAYS = 10
TARGET_ACCURACY = 0.90
TARGET_SPECIFICITY = 0.95
TARGET_ONSET_SHARE = 0.80


def series_of(person: SimulatedPerson) -> DailySeries:
    """The series the web builds from stored check-ins: items, event and context per day."""
    rows = (
        (
            day.date,
            {**day.items, **{field: getattr(day, field) for field in CONTEXT_FIELDS}},
            day.event_pleasantness,
        )
        for day in person.days
    )
    return series_from_rows(person.days[0].date, person.days[-1].date, rows)


@dataclass(frozen=True, slots=True)
class Outcome:
    person: SimulatedPerson
    analysis: PersonAnalysis

    @property
    def onset_error(self) -> int | None:
        found, true = self.analysis.blunting.onset_date, self.person.truth.onset_date
        if found is None or true is None:
            return None
        return (found - true).days


def evaluate(persons: int, seed: int, n_days: int) -> list[Outcome]:
    cohort = simulate_cohort(persons, seed=seed, start=START, n_days=n_days)
    return [
        Outcome(person, analyze(series_of(person), person.medication_events)) for person in cohort
    ]


def _share(count: int, total: int) -> str:
    return "n/a" if total == 0 else f"{count / total:.1%} ({count}/{total})"


def summary_lines(outcomes: list[Outcome], seed: int, n_days: int) -> list[str]:
    total = len(outcomes)
    correct = sum(o.analysis.pattern == o.person.truth.expected_pattern for o in outcomes)
    blunted = [o for o in outcomes if o.person.truth.expected_pattern == "blunting_like"]
    not_blunted = [o for o in outcomes if o.person.truth.expected_pattern != "blunting_like"]
    true_positive = sum(o.analysis.pattern == "blunting_like" for o in blunted)
    true_negative = sum(o.analysis.pattern != "blunting_like" for o in not_blunted)
    changes = [o for o in outcomes if o.person.truth.onset_date is not None]
    errors = [o.onset_error for o in changes if o.onset_error is not None]
    within = sum(abs(error) <= ONSET_TOLERANCE_DAYS for error in errors)
    linked = sum(
        o.analysis.blunting.after_event is not None
        and o.analysis.blunting.after_event.event == o.person.truth.after_event
        for o in changes
    )
    from_start = [o for o in blunted if o.person.truth.onset_date is None]
    spurious = sum(o.analysis.blunting.onset_date is not None for o in from_start)
    lines = [
        f"Cohort: {total} simulated persons ({total // len(SCENARIOS)} per scenario), "
        f"{n_days} days each, seed {seed}.",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| pattern accuracy (last 28 days) | {_share(correct, total)} "
        f"| >= {TARGET_ACCURACY:.0%} |",
        f"| blunting-like sensitivity | {_share(true_positive, len(blunted))} | |",
        f"| blunting-like specificity | {_share(true_negative, len(not_blunted))} "
        f"| >= {TARGET_SPECIFICITY:.0%} |",
        f"| onset within {ONSET_TOLERANCE_DAYS} days of the true onset | "
        f"{_share(within, len(changes))} | >= {TARGET_ONSET_SHARE:.0%} |",
        f"| onset error, median (days, found - true) | "
        f"{statistics.median(errors) if errors else 'n/a'} | |",
        f"| onset error, median absolute (days) | "
        f"{statistics.median(abs(e) for e in errors) if errors else 'n/a'} | |",
        f"| `after_event` names the true event | {_share(linked, len(changes))} | |",
        f"| blunted from the first day given an onset anyway | {_share(spurious, len(from_start))} "
        "| |",
        "",
        "Confusion matrix (rows: scenario and its true pattern; columns: pattern found):",
        "",
        "| scenario (truth) | " + " | ".join(PATTERNS) + " |",
        "|---|" + "---|" * len(PATTERNS),
    ]
    for scenario in SCENARIOS:
        group = [o for o in outcomes if o.person.truth.scenario == scenario]
        if not group:
            continue
        found = Counter(o.analysis.pattern for o in group)
        truth = group[0].person.truth.expected_pattern
        cells = " | ".join(str(found.get(pattern, 0)) for pattern in PATTERNS)
        lines.append(f"| {scenario} ({truth}) | {cells} |")
    return lines


def write_section(path: Path, lines: list[str]) -> None:
    text = path.read_text(encoding="utf-8")
    before, rest = text.split(SECTION_START, 1)
    _, after = rest.split(SECTION_END, 1)
    block = "\n".join([SECTION_START, *lines, SECTION_END])
    path.write_text(before + block + after, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--persons", type=int, default=900)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    outcomes = evaluate(args.persons, args.seed, args.days)
    lines = summary_lines(outcomes, args.seed, args.days)
    print("\n".join(lines))
    if not args.no_write:
        write_section(args.output, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
