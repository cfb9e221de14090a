"""`affectrange score` as CONTRACTS.md section 4 fixes it: a CSV in, one scored row per row out."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from affectrange.cli import app

PHQ9_HEADER = "respondent_id,date,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10"
OUTPUT_HEADER = [
    "respondent_id",
    "date",
    "instrument",
    "total",
    "band",
    "positive",
    "safety",
    "missing",
]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_phq9_rows_are_scored_with_band_screen_and_safety(tmp_path: Path) -> None:
    responses = write(
        tmp_path / "responses.csv",
        PHQ9_HEADER,
        "r1,2026-01-05,0,0,0,0,0,0,0,0,0,",  # 0: none-minimal
        "r2,2026-01-05,1,1,1,1,1,0,0,0,0,1",  # 5: mild (q10 recorded, not scored)
        "r3,2026-01-06,2,2,2,2,1,1,0,0,0,",  # 10: moderate, screen positive
        "r4,2026-01-06,3,3,3,3,3,3,3,2,1,3",  # 24: severe, item 9 endorsed
        "r5,2026-01-07,1,1,,1,1,1,1,1,2,",  # q3 unanswered: no total, safety still seen
    )

    code, out, _ = run("score", "phq9", str(responses))

    assert code == 0
    assert rows_of(out) == [
        OUTPUT_HEADER,
        ["r1", "2026-01-05", "phq9", "0", "none-minimal", "false", "false", ""],
        ["r2", "2026-01-05", "phq9", "5", "mild", "false", "false", ""],
        ["r3", "2026-01-06", "phq9", "10", "moderate", "true", "false", ""],
        ["r4", "2026-01-06", "phq9", "24", "severe", "true", "true", ""],
        ["r5", "2026-01-07", "phq9", "", "", "", "true", "q3"],
    ]


def test_pcptsd5_gate_and_auditc_sex_specific_cut_offs(tmp_path: Path) -> None:
    ptsd = write(
        tmp_path / "ptsd.csv",
        "respondent_id,date,trauma,q1,q2,q3,q4,q5",
        "a,2026-02-01,0,,,,,",  # no trauma: complete with 0
        "b,2026-02-01,1,1,1,1,0,0",  # 3 yes
    )
    audit = write(
        tmp_path / "audit.csv",
        "respondent_id,date,q1,q2,q3,sex",
        "w,2026-02-01,1,1,1,F",  # 3: positive for women
        "m,2026-02-01,1,1,1,M",  # 3: not positive for men
        "n,2026-02-01,2,1,1,M",  # 4: positive for men
    )

    ptsd_rows = rows_of(run("score", "pcptsd5", str(ptsd))[1])
    audit_rows = rows_of(run("score", "auditc", str(audit))[1])

    assert [(r[3], r[5]) for r in ptsd_rows[1:]] == [("0", "false"), ("3", "true")]
    assert [(r[3], r[5]) for r in audit_rows[1:]] == [("3", "true"), ("3", "false"), ("4", "true")]


def test_output_goes_to_a_file_with_o(tmp_path: Path) -> None:
    responses = write(tmp_path / "r.csv", PHQ9_HEADER, "r1,2026-01-05,0,0,0,0,0,0,0,0,0,")
    target = tmp_path / "scores.csv"

    code, out, _ = run("score", "phq9", str(responses), "-o", str(target))

    assert code == 0
    assert out == ""
    assert rows_of(target.read_text())[1][:4] == ["r1", "2026-01-05", "phq9", "0"]


@pytest.mark.parametrize(
    ("lines", "where", "words"),
    [
        (("respondent_id,date,q1,q2,q3,q4,q5,q6,q7,q8,q9,q11",), "line 1", "q11"),
        (("respondent_id,date,q1,q2,q3,q4,q5,q6,q7,q8",), "line 1", "q9"),
        (("date,respondent_id,q1,q2,q3,q4,q5,q6,q7,q8,q9",), "line 1", "respondent_id,date"),
        (
            (PHQ9_HEADER, "r1,2026-01-05,0,0,0,0,0,0,0,0,0,", "r2,2026-01-05,0,0,0,4,0,0,0,0,0,"),
            "line 3",
            "q4",
        ),
        ((PHQ9_HEADER, "r1,05/01/2026,0,0,0,0,0,0,0,0,0,"), "line 2", "YYYY-MM-DD"),
        ((PHQ9_HEADER, "r1,2026-01-05,0,0,x,0,0,0,0,0,0,"), "line 2", "q3"),
        ((PHQ9_HEADER, "r1,2026-01-05,0,0,0"), "line 2", "columns"),
    ],
)
def test_a_bad_file_is_refused_with_exit_2_naming_file_and_line(
    tmp_path: Path, lines: tuple[str, ...], where: str, words: str
) -> None:
    responses = write(tmp_path / "responses.csv", *lines)
    target = tmp_path / "scores.csv"

    code, _, err = run("score", "phq9", str(responses), "-o", str(target))

    assert code == 2
    assert f"responses.csv: {where}:" in err
    assert words in err
    assert not target.exists()  # nothing written


def test_an_unknown_instrument_or_missing_file_is_bad_usage(tmp_path: Path) -> None:
    responses = write(tmp_path / "r.csv", PHQ9_HEADER)

    unknown = run("score", "phq10", str(responses))
    absent = run("score", "phq9", str(tmp_path / "nope.csv"))

    assert unknown[0] == 2
    assert "phq9" in unknown[2]  # the message lists what exists
    assert absent[0] == 2
    assert "nope.csv" in absent[2]
