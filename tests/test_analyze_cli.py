"""`affectrange analyze` as CONTRACTS.md sections 2 and 3 fix it: CSVs in, the contract JSON out."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from affectrange.analysis.items import EVENT_ITEM, ITEM_IDS
from affectrange.analyze_csv import read_checkins
from affectrange.cli import app
from affectrange.simulate import (
    SCENARIOS,
    SimulatedPerson,
    simulate_cohort,
    write_long_csv,
    write_medications_csv,
    write_wide_csv,
)

START = dt.date(2026, 1, 1)
N_DAYS = 180
CONTRACT_METRICS = (
    "n_days",
    "pa_mean",
    "na_mean",
    "pa_sd",
    "na_sd",
    "pa_rmssd",
    "na_rmssd",
    "emodiversity",
    "numbness_mean",
    "pa_reactivity",
    "na_reactivity",
)
LONG_HEADER = "person_id,date,item,value"
MEDS_HEADER = "person_id,date,medication,event,dose_mg"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cohort() -> list[SimulatedPerson]:
    """One person of every scenario; person 2 (p002) becomes blunted after starting a medication."""
    return simulate_cohort(len(SCENARIOS), seed=5, start=START, n_days=N_DAYS)


@pytest.fixture(scope="module")
def files(cohort: list[SimulatedPerson], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cohort")
    write_long_csv(cohort, folder / "long.csv")
    write_wide_csv(cohort, folder / "wide.csv")
    write_medications_csv(cohort, folder / "meds.csv")
    return folder


@pytest.fixture(scope="module")
def analysed(files: Path) -> dict[str, Any]:
    code, _, stderr = run(
        "analyze", files / "long.csv", "--medications", files / "meds.csv", "-o", files / "out.json"
    )
    assert code == 0, stderr
    document: dict[str, Any] = json.loads((files / "out.json").read_text(encoding="utf-8"))
    return document


def a_day(person: str, day: str, value: int = 3) -> list[str]:
    """Long rows for one complete day (every item, the event at 0)."""
    rows = [f"{person},{day},{item},{value}" for item in ITEM_IDS]
    return [*rows, f"{person},{day},{EVENT_ITEM},0"]


# --- results --------------------------------------------------------------------------------------


def test_long_and_wide_files_of_the_same_people_give_identical_json(
    files: Path, analysed: dict[str, Any]
) -> None:
    code, _, stderr = run(
        "analyze", files / "wide.csv", "--medications", files / "meds.csv", "-o", files / "w.json"
    )

    assert code == 0, stderr
    assert json.loads((files / "w.json").read_text(encoding="utf-8")) == analysed
    ids = [person["person_id"] for person in analysed["persons"]]
    assert ids == sorted(ids)
    assert len(ids) == len(SCENARIOS)


def test_blunting_after_a_start_is_found_with_its_onset_and_the_start_event(
    cohort: list[SimulatedPerson], analysed: dict[str, Any]
) -> None:
    person = cohort[SCENARIOS.index("blunting_after_start")]
    truth = person.truth
    assert truth.onset_date is not None
    assert truth.after_event is not None
    found = next(p for p in analysed["persons"] if p["person_id"] == person.person_id)

    assert found["pattern"] == "blunting_like"
    blunting = found["blunting"]
    assert blunting["detected"] is True
    onset = dt.date.fromisoformat(blunting["onset_date"])
    assert abs((onset - truth.onset_date).days) <= 10
    start = truth.after_event
    assert blunting["after_event"] == {
        "medication": start.medication,
        "event": "start",
        "date": start.date.isoformat(),
        "lag_days": (onset - start.date).days,
    }


def test_every_contract_key_is_present(
    cohort: list[SimulatedPerson], analysed: dict[str, Any]
) -> None:
    assert analysed["version"] == 1
    for person, simulated in zip(analysed["persons"], cohort, strict=True):
        first, last = simulated.days[0].date, simulated.days[-1].date
        assert person["person_id"] == simulated.person_id
        assert person["n_days"] == len(simulated.days)
        assert person["first_date"] == first.isoformat()
        assert person["last_date"] == last.isoformat()
        assert person["pattern"] in {
            "blunting_like",
            "anhedonia_like",
            "depressed_affect",
            "no_pattern",
            "insufficient_data",
        }
        assert set(person["blunting"]) >= {"detected", "onset_date", "after_event"}
        assert set(person["metrics"]) >= {"current", "baseline"}
        for window in ("current", "baseline"):
            metrics = person["metrics"][window]
            if metrics is not None:
                assert set(metrics) >= set(CONTRACT_METRICS)


def test_output_goes_to_stdout_without_o(files: Path, analysed: dict[str, Any]) -> None:
    code, stdout, _ = run("analyze", files / "long.csv", "--medications", files / "meds.csv")

    assert code == 0
    assert json.loads(stdout) == analysed


def test_several_worker_processes_give_the_same_json(files: Path, analysed: dict[str, Any]) -> None:
    code, stdout, stderr = run(
        "analyze", files / "long.csv", "--medications", files / "meds.csv", "--workers", "2"
    )

    assert code == 0, stderr
    assert json.loads(stdout) == analysed


def test_the_command_runs_as_a_module_with_json_on_stdout_and_no_progress_bar(
    files: Path, analysed: dict[str, Any]
) -> None:
    command = [sys.executable, "-m", "affectrange", "analyze", str(files / "long.csv")]
    result = subprocess.run(
        [*command, "--medications", str(files / "meds.csv")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == analysed
    assert result.stderr == ""  # not a terminal: no progress bar, nothing to report


def test_help_works() -> None:
    code, stdout, _ = run("analyze", "--help")

    assert code == 0
    assert "--medications" in stdout
    assert "--lenient" in stdout


def test_a_person_is_analysed_from_the_first_to_the_last_check_in(tmp_path: Path) -> None:
    checkins = write(
        tmp_path / "c.csv",
        LONG_HEADER,
        *a_day("b", "2026-03-01"),
        *a_day("a", "2026-03-05"),
        *a_day("a", "2026-03-02"),
        "a,2026-03-09,sad,",  # empty: not answered, so not a check-in
        "",  # a blank line is skipped
    )

    code, stdout, stderr = run("analyze", checkins)

    assert code == 0, stderr
    persons = json.loads(stdout)["persons"]
    assert [(p["person_id"], p["first_date"], p["last_date"], p["n_days"]) for p in persons] == [
        ("a", "2026-03-02", "2026-03-05", 2),
        ("b", "2026-03-01", "2026-03-01", 1),
    ]
    assert persons[0]["pattern"] == "insufficient_data"


# --- bad input ------------------------------------------------------------------------------------

GOOD_ROWS = ("p1,2026-01-01,sad,3", "p1,2026-01-01,calm,4", "p1,2026-01-02,sad,2")


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("p1,2026-01-03,sad,9", "value 9 for 'sad' is outside 0..6"),
        (
            "p1,2026-01-03,event_pleasantness,-4",
            "value -4 for 'event_pleasantness' is outside -3..3",
        ),
        ("p1,2026-01-03,sad,x", "value 'x' for 'sad' is not a whole number"),
        ("p1,2026-01-03,sad,2.5", "value '2.5' for 'sad' is not a whole number"),
        ("p1,2026-01-03,happy,3", "unknown item 'happy'"),
        ("p1,03/01/2026,sad,3", "date '03/01/2026' is not a date as YYYY-MM-DD"),
        ("p1,2026-02-30,sad,3", "date '2026-02-30' is not a real date"),
        (",2026-01-03,sad,3", "person_id is empty"),
        (
            "p1,2026-01-01,sad,5",
            "a second row for person p1, 2026-01-01, 'sad' (the first is on line 2)",
        ),
    ],
)
def test_a_bad_long_row_is_refused_naming_file_and_line_and_nothing_is_written(
    tmp_path: Path, bad_row: str, message: str
) -> None:
    checkins = write(tmp_path / "checkins.csv", LONG_HEADER, *GOOD_ROWS, bad_row, *GOOD_ROWS[2:])
    out = tmp_path / "out.json"

    code, stdout, stderr = run("analyze", checkins, "-o", out)

    assert code == 2
    assert f"{checkins}: line 5: {message}" in stderr
    assert stdout == ""
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [checkins]  # no temporary file left behind either


def test_the_first_problem_in_file_order_is_named_with_how_many_more(tmp_path: Path) -> None:
    checkins = write(
        tmp_path / "c.csv",
        LONG_HEADER,
        "p1,2026-01-01,sad,3",
        "p1,2026-01-02,sad,7",  # line 3: out of range
        "p1,bad,sad,3",  # line 4: bad date
        ",2026-01-02,sad,3",  # line 5: no person
    )

    code, _, stderr = run("analyze", checkins)

    assert code == 2
    assert f"{checkins}: line 3: value 7 for 'sad' is outside 0..6 (and 2 more problems" in stderr


def test_values_with_spaces_crlf_line_ends_and_a_bom_read_like_plain_ones(tmp_path: Path) -> None:
    rows = [*a_day("p1", "2026-01-01", 2), *a_day("p1", "2026-01-02", 4)]
    plain = write(tmp_path / "plain.csv", LONG_HEADER, *rows)
    spaced = tmp_path / "spaced.csv"
    text = "\r\n".join([LONG_HEADER, *(f"{row} " for row in rows)]) + "\r\n"
    spaced.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))

    plain_result, spaced_result = run("analyze", plain), run("analyze", spaced)

    assert plain_result[0] == spaced_result[0] == 0
    assert json.loads(plain_result[1]) == json.loads(spaced_result[1])


def test_a_wide_cell_that_is_not_a_whole_number_is_named(tmp_path: Path) -> None:
    checkins = write(
        tmp_path / "w.csv", "person_id,date,sad,calm", "p1,2026-01-01,3,4", "p1,2026-01-02,3,lots"
    )

    code, _, stderr = run("analyze", checkins)

    assert code == 2
    assert f"{checkins}: line 3: value 'lots' for 'calm' is not a whole number" in stderr


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        (("person_id,date,sad,happy", "p1,2026-01-01,3,3"), 1, "unknown column(s) 'happy'"),
        (("id,day,item,value", "p1,2026-01-01,sad,3"), 1, "expected the header"),
        (("person_id,date,sad,sad", "p1,2026-01-01,3,3"), 1, "repeated column(s) sad"),
        (
            ("person_id,date,sad,calm", "p1,2026-01-01,3,3", "p1,2026-01-02,3,8"),
            3,
            "value 8 for 'calm' is outside 0..6",
        ),
        (
            ("person_id,date,sad,event_pleasantness", "p1,2026-01-01,3,4"),
            2,
            "value 4 for 'event_pleasantness' is outside -3..3",
        ),
        (
            ("person_id,date,sad", "p1,2026-01-01,3", "p1,2026-13-01,3"),
            3,
            "date '2026-13-01' is not a real date",
        ),
        (
            ("person_id,date,sad", "p1,2026-01-01,3", "p1,2026-01-02,4", "p1,2026-01-01,5"),
            4,
            "a second row for person p1 on 2026-01-01 (the first is on line 2)",
        ),
        (
            ("person_id,date,sad", "p1,2026-01-01,3", "p1,2026-01-02,4,5"),
            3,
            "4 values, but the header has 3 columns",
        ),
        ((), 1, "the file is empty"),
    ],
)
def test_a_bad_wide_file_is_refused_naming_file_and_line(
    tmp_path: Path, lines: tuple[str, ...], line: int, message: str
) -> None:
    checkins = write(tmp_path / "wide.csv", *lines) if lines else tmp_path / "wide.csv"
    if not lines:
        checkins.write_text("", encoding="utf-8")
    out = tmp_path / "out.json"

    code, _, stderr = run("analyze", checkins, "-o", out)

    assert code == 2
    assert f"{checkins}: line {line}: {message}" in stderr
    assert not out.exists()


def test_line_numbers_count_blank_lines_and_line_breaks_inside_quotes(tmp_path: Path) -> None:
    checkins = write(
        tmp_path / "c.csv",
        LONG_HEADER,
        '"p\n1",2026-01-01,sad,3',  # lines 2 and 3: one row
        "",  # line 4
        "p2,2026-01-01,sad,9",  # line 5
    )

    code, _, stderr = run("analyze", checkins)

    assert code == 2
    assert f"{checkins}: line 5: value 9 for 'sad'" in stderr


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    checkins = tmp_path / "c.csv"
    checkins.write_bytes(
        b"person_id,date,item,value\np1,2026-01-01,sad,3\np\xe9,2026-01-01,sad,3\n"
    )

    code, _, stderr = run("analyze", checkins)

    assert code == 2
    assert f"{checkins}: line 3: not UTF-8 text" in stderr


def test_a_missing_file_is_bad_usage(tmp_path: Path) -> None:
    code, _, stderr = run("analyze", tmp_path / "nothing.csv")

    assert code == 2
    assert "nothing.csv: no such file" in stderr


def test_lenient_skips_bad_rows_keeps_the_first_duplicate_and_counts_them(tmp_path: Path) -> None:
    checkins = write(
        tmp_path / "c.csv",
        LONG_HEADER,
        *a_day("p1", "2026-01-01"),
        "p1,2026-01-01,sad,5",  # duplicate: the 3 above is kept
        "p1,2026-01-02,sad,9",  # out of range
        "p1,2026-01-03,joyful,7",  # out of range
        "p1,2026-01-04,happy,3",  # unknown item
        *a_day("p1", "2026-01-05"),
    )

    code, stdout, stderr = run("analyze", checkins, "--lenient")

    assert code == 0
    assert (
        f"{checkins}: skipped 4 rows: 2 out-of-range values, 1 unknown item, 1 duplicate" in stderr
    )
    person = json.loads(stdout)["persons"][0]
    assert (person["first_date"], person["last_date"], person["n_days"]) == (
        "2026-01-01",
        "2026-01-05",
        2,
    )
    series = read_checkins(checkins, lenient=True).persons[0].series
    assert series.items[0, ITEM_IDS.index("sad")] == 3  # the first of the duplicates


def test_lenient_skips_bad_cells_of_a_wide_row_and_keeps_the_rest(tmp_path: Path) -> None:
    checkins = write(
        tmp_path / "w.csv",
        "person_id,date,sad,calm",
        "p1,2026-01-01,3,4",
        "p1,2026-01-02,8,4",  # sad out of range: calm is kept
        "p1,2026-01-01,2,2",  # duplicate day
        "p1,bad,2,2",  # bad date
    )

    code, stdout, stderr = run("analyze", checkins, "--lenient")

    assert code == 0
    assert (
        f"{checkins}: skipped 2 rows and 1 cell: 1 bad date, 1 duplicate, 1 out-of-range value"
        in stderr
    )
    person = json.loads(stdout)["persons"][0]
    assert (person["n_days"], person["last_date"]) == (2, "2026-01-02")


# --- medication events ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (
            "p1,2026-01-03,sertraline,begin,50",
            "event 'begin' is not one of start, dose_change, stop",
        ),
        ("p1,2026-01-03,sertraline,start,", "a start needs dose_mg"),
        ("p1,2026-01-03,sertraline,dose_change,-5", "dose_mg '-5' is not a positive number"),
        ("p1,2026-01-03,sertraline,start,lots", "dose_mg 'lots' is not a number"),
        ("p1,2026-01-32,sertraline,start,50", "date '2026-01-32' is not a real date"),
        ("p1,2026-01-03,,start,50", "medication is empty"),
        ("p1,2026-01-03,sertraline,start", "4 values, but the header has 5 columns"),
    ],
)
def test_a_bad_medication_row_is_named_with_file_and_line(
    tmp_path: Path, bad_row: str, message: str
) -> None:
    checkins = write(tmp_path / "c.csv", LONG_HEADER, *a_day("p1", "2026-01-01"))
    meds = write(
        tmp_path / "meds.csv", MEDS_HEADER, "p1,2026-01-01,sertraline,start,50", "", bad_row
    )

    code, _, stderr = run("analyze", checkins, "--medications", meds, "-o", tmp_path / "o.json")

    assert code == 2
    assert f"{meds}: line 4: {message}" in stderr
    assert not (tmp_path / "o.json").exists()


def test_medication_header_must_be_exact(tmp_path: Path) -> None:
    checkins = write(tmp_path / "c.csv", LONG_HEADER, *a_day("p1", "2026-01-01"))
    meds = write(tmp_path / "meds.csv", "person_id,date,drug,event,dose_mg")

    code, _, stderr = run("analyze", checkins, "--medications", meds)

    assert code == 2
    assert f"{meds}: line 1: expected the header {MEDS_HEADER}" in stderr


def test_lenient_skips_bad_medication_rows_and_events_of_unknown_persons_are_ignored(
    tmp_path: Path,
) -> None:
    checkins = write(tmp_path / "c.csv", LONG_HEADER, *a_day("p1", "2026-01-01"))
    meds = write(
        tmp_path / "meds.csv",
        MEDS_HEADER,
        "p1,2026-01-01,sertraline,start,50",
        "p1,2026-01-02,sertraline,stop,",  # a stop may have no dose
        "p1,2026-01-03,sertraline,pause,50",
        "p9,2026-01-01,fluoxetine,start,20",
    )

    code, stdout, stderr = run("analyze", checkins, "--medications", meds, "--lenient")

    assert code == 0
    assert f"{meds}: skipped 1 row: 1 unknown event" in stderr
    assert f"{meds}: ignored 1 event(s) of 1 person(s) without check-ins (p9)" in stderr
    assert [p["person_id"] for p in json.loads(stdout)["persons"]] == ["p1"]
