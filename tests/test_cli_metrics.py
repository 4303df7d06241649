"""`rehab review`, `rehab alerts` and `rehab response`: exact JSON, the other formats, and refusals."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_metrics_rules import REVIEW_W46, Clinic, nov, review_clinic

from dashboard import metrics
from dashboard.cli import main
from dashboard.db import close_database


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[str]:
    """Return the path of the review clinic's database (one red, one amber, one green patient in W46)."""
    clinic = Clinic(tmp_path)
    review_clinic(clinic)
    yield str(clinic.path)
    close_database(clinic.path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the rehab command and return its exit status, stdout and stderr."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_review_json_is_the_stable_interface(db_path, capsys):
    status, out, _ = run(capsys, "--db", db_path, "review", "--week", "2026-W46", "--as-of", "2026-11-15",
                         "--format", "json")

    assert status == 0
    assert json.loads(out) == REVIEW_W46


def test_review_defaults_to_the_week_of_the_as_of_date(db_path, capsys):
    status, out, _ = run(capsys, "--db", db_path, "review", "--as-of", "2026-11-12", "--format", "json")

    assert status == 0
    rows = json.loads(out)
    assert {row["week"] for row in rows} == {"2026-W46"}
    # As of Thursday the week's low adherence is not raised yet; adherence covers Monday to Thursday.
    amber = next(row for row in rows if row["patient_id"] == "P1")
    assert (amber["adherence_pct"], amber["alerts"], amber["risk"]) == (33.3, [], "green")


def test_review_defaults_to_this_week_as_of_today(db_path, capsys, monkeypatch):
    monkeypatch.setattr(metrics, "_today", lambda: nov(15))

    status, out, _ = run(capsys, "--db", db_path, "review", "--format", "json")

    assert status == 0
    assert [row["patient_id"] for row in json.loads(out)] == ["P2", "P1", "P6", "P3"]


def test_review_csv_and_table(db_path, capsys):
    status, out, _ = run(capsys, "--db", db_path, "review", "--week", "2026-W46", "--as-of", "2026-11-15",
                         "--format", "csv")
    assert status == 0
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert parsed[0]["patient_id"] == "P2"
    assert parsed[0]["alerts"] == "flare"
    assert parsed[1]["prev_mean_morning_pain"] == ""

    status, out, _ = run(capsys, "--db", db_path, "review", "--week", "2026-W46", "--as-of", "2026-11-15")
    assert status == 0
    assert out.splitlines()[0].split() == [
        "patient_id", "name", "clinician", "week", "adherence_pct", "days_on_target", "total_reps",
        "mean_morning_pain", "prev_mean_morning_pain", "flare_days", "max_response", "reference_pain",
        "target_reps", "stage", "stage_source", "days_in_stage", "ready_to_progress", "next_stage", "alerts",
        "risk",
    ]


def test_alerts_json_lists_events_dated_in_the_range(db_path, capsys):
    status, out, _ = run(capsys, "--db", db_path, "alerts", "--from", "2026-11-09", "--to", "2026-11-15",
                         "--as-of", "2026-11-15", "--format", "json")

    assert status == 0
    assert json.loads(out) == [
        {"patient_id": "P2", "rule": "flare", "date": "2026-11-10", "until": "2026-11-10", "severity": "high",
         "detail": "morning pain 3 → 5 (+2) the morning after loading (9–10 Nov); usual 2"},
        {"patient_id": "P1", "rule": "low_adherence", "date": "2026-11-15", "until": "2026-11-15",
         "severity": "medium",
         "detail": "adherence 33.3% in 2026-W46 (0 of 7 programme days on the 90-rep target)"},
        {"patient_id": "P6", "rule": "low_adherence", "date": "2026-11-15", "until": "2026-11-15",
         "severity": "medium",
         "detail": "adherence 0.0% in 2026-W46 (0 of 7 programme days on the 90-rep target)"},
    ]


def test_alerts_for_one_patient_over_all_history(db_path, capsys):
    status, out, _ = run(capsys, "--db", db_path, "alerts", "--patient", "P6", "--as-of", "2026-11-15",
                         "--format", "json")

    assert status == 0
    assert [(row["rule"], row["date"]) for row in json.loads(out)] == [
        ("not_logging", "2026-11-04"), ("low_adherence", "2026-11-08"), ("low_adherence", "2026-11-15"),
    ]


def test_response_json_one_row_per_loading_day(db_path, capsys):
    status, out, _ = run(capsys, "--db", db_path, "response", "--patient", "P2", "--from", "2026-11-09",
                         "--to", "2026-11-15", "--as-of", "2026-11-15", "--format", "json")

    assert status == 0
    assert json.loads(out) == [
        {"date": "2026-11-09", "morning_before": 3.0, "morning_after": 5.0, "response": 2.0,
         "status": "flare", "settled_36h": None},
        {"date": "2026-11-10", "morning_before": 5.0, "morning_after": 4.0, "response": -1.0,
         "status": "settled", "settled_36h": None},
        {"date": "2026-11-11", "morning_before": 4.0, "morning_after": 4.0, "response": 0.0,
         "status": "settled", "settled_36h": None},
        {"date": "2026-11-12", "morning_before": 4.0, "morning_after": None, "response": None, "status": None,
         "settled_36h": None},
        {"date": "2026-11-13", "morning_before": None, "morning_after": 3.0, "response": None, "status": None,
         "settled_36h": None},
        {"date": "2026-11-14", "morning_before": 3.0, "morning_after": 3.5, "response": 0.5,
         "status": "elevated", "settled_36h": None},
        {"date": "2026-11-15", "morning_before": 3.5, "morning_after": None, "response": None, "status": None,
         "settled_36h": None},
    ]


@pytest.mark.parametrize("command", [["response", "--patient", "P404"], ["alerts", "--patient", "P404"]])
def test_unknown_patient_is_a_clear_error(db_path, capsys, command):
    status, out, err = run(capsys, "--db", db_path, *command, "--as-of", "2026-11-15")

    assert status == 1
    assert out == ""
    assert "unknown patient 'P404'" in err


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["review", "--week", "2026-W60"], "'2026-W60'"),
        (["review", "--week", "46"], "'46'"),
        (["review", "--as-of", "2026-02-30"], "'2026-02-30'"),
        (["alerts", "--from", "yesterday"], "'yesterday'"),
        (["response", "--patient", "P2", "--to", "2026/11/15"], "'2026/11/15'"),
    ],
)
def test_bad_week_or_date_is_an_argparse_error_naming_the_value(db_path, capsys, argv, named):
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", db_path, *argv])

    assert exit_info.value.code == 2
    assert named in capsys.readouterr().err


def test_review_of_a_week_after_the_as_of_date_is_refused(db_path, capsys):
    status, out, err = run(capsys, "--db", db_path, "review", "--week", "2026-W47", "--as-of", "2026-11-15")

    assert status == 1
    assert "before week 2026-W47 starts" in err


def test_a_range_ending_before_it_starts_is_refused(db_path, capsys):
    status, _, err = run(capsys, "--db", db_path, "alerts", "--from", "2026-11-15", "--to", "2026-11-09")

    assert status == 1
    assert "ends (2026-11-09) before it starts (2026-11-15)" in err
