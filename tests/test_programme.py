"""Given programme changes set by clinicians, expect the items in effect on each day, audited, in scope."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import write_text

from dashboard import programme
from dashboard.access import Viewer
from dashboard.importer import import_paths

ADMIN = Viewer.system()
SAM = Viewer("sam", "clinician", "Sam Patel")
LEA = Viewer("lea", "clinician", "Léa Moreau")
NOV = {day: dt.date(2026, 11, day) for day in range(1, 31)}


@pytest.fixture
def clinic(db, tmp_path):
    """Given P001 (Sam Patel's patient) and P002 (Léa Moreau's)."""
    path = write_text(
        tmp_path, "patients.csv",
        "patient_id,clinician,start_date\nP001,Sam Patel,2026-10-01\nP002,Léa Moreau,2026-10-01\n",
    )
    assert import_paths(db, [path]).ok
    return db


def in_effect(db, day, viewer=ADMIN, patient="P001") -> list[tuple]:
    """Return the items in effect on a day as (exercise, stage, sets, reps, hold_s, load_kg, days, from)."""
    frame = programme.items_in_effect(db, viewer, patient, day)
    assert list(frame.columns) == programme.IN_EFFECT_COLUMNS
    return [
        tuple(None if value != value else value for value in row)  # NaN (a missing number) as None
        for row in frame.itertuples(index=False)
    ]


def audit(db) -> list[tuple]:
    """Return the programme changes in the audit trail."""
    return db.session().cursor.execute(
        "select actor, patient_id, detail from audit_log where action = 'programme_change' order by audit_id"
    ).fetchall()


def test_given_an_item_and_its_replacement_expect_each_in_effect_from_its_own_date(clinic):
    first = programme.set_item(clinic, SAM, "P001", NOV[2], "Isometric calf hold", "isometric", 5, 1, "daily",
                               hold_s=45)
    second = programme.set_item(clinic, SAM, "P001", NOV[16], "Isometric calf hold", "isotonic", 3, 15,
                                "Fri, mon,WEDNESDAY", load_kg=20, reason="pain settled")
    assert (first.action, second.action) == ("added", "changed")
    assert in_effect(clinic, NOV[1]) == []
    assert in_effect(clinic, NOV[2]) == in_effect(clinic, NOV[15]) == [
        ("Isometric calf hold", "isometric", 5, 1, 45.0, None, "daily", NOV[2])
    ]
    assert in_effect(clinic, NOV[16]) == [
        ("Isometric calf hold", "isotonic", 3, 15, None, 20.0, "mon,wed,fri", NOV[16])
    ]
    assert audit(clinic) == [
        ("sam", "P001", "from 2026-11-02: added Isometric calf hold: Isometric, 5 x 1, hold 45 s, daily"),
        ("sam", "P001", "from 2026-11-16: changed Isometric calf hold: Isometric, 5 x 1, hold 45 s, daily -> "
         "Isotonic, 3 x 15, 20 kg, Mon, Wed, Fri; reason: pain settled"),
    ]


def test_given_a_stop_expect_the_item_gone_from_that_day_and_back_when_prescribed_again(clinic):
    programme.set_item(clinic, ADMIN, "P001", NOV[2], "Calf raise", "heavy_slow", 3, 15, "mon,wed,fri")
    programme.set_item(clinic, ADMIN, "P001", NOV[2], "Squat", "isotonic", 3, 10, "daily")
    stop = programme.set_item(clinic, ADMIN, "P001", NOV[9], "Calf raise", None, None, None, "none")
    assert stop.action == "stopped"
    assert stop.describe() == "stopped Calf raise (was Heavy slow resistance, 3 x 15, Mon, Wed, Fri)"
    assert [row[0] for row in in_effect(clinic, NOV[8])] == ["Calf raise", "Squat"]
    assert [row[0] for row in in_effect(clinic, NOV[9])] == ["Squat"]
    again = programme.set_item(clinic, ADMIN, "P001", NOV[23], "Calf raise", "energy_storage", 3, 10, "tue")
    assert again.action == "added"
    assert [row[:2] for row in in_effect(clinic, NOV[23])] == [("Calf raise", "energy_storage"),
                                                               ("Squat", "isotonic")]


def test_given_names_differing_in_case_and_spaces_expect_one_item_named_as_last_written(clinic):
    programme.set_item(clinic, ADMIN, "P001", NOV[2], "Calf raise", "heavy_slow", 3, 15, "daily")
    change = programme.set_item(clinic, ADMIN, "P001", NOV[10], "  CALF Raise ", "heavy_slow", 3, 15, "daily")
    assert change.describe() == "renamed Calf raise as CALF Raise: Heavy slow resistance, 3 x 15, daily"
    assert in_effect(clinic, NOV[10]) == [("CALF Raise", "heavy_slow", 3, 15, None, None, "daily", NOV[10])]
    programme.set_item(clinic, ADMIN, "P001", NOV[12], "calf raise", None, None, None, "none")
    assert in_effect(clinic, NOV[12]) == []


def test_given_two_versions_dated_the_same_day_expect_the_one_recorded_last(clinic):
    programme.set_item(clinic, ADMIN, "P001", NOV[2], "Squat", "isotonic", 3, 10, "daily")
    programme.set_item(clinic, ADMIN, "P001", NOV[2], "Squat", "isotonic", 4, 8, "daily")
    assert [row[2:4] for row in in_effect(clinic, NOV[2])] == [(4, 8)]


def test_given_the_prescription_already_in_effect_expect_nothing_written(clinic):
    programme.set_item(clinic, ADMIN, "P001", NOV[2], "Squat", "isotonic", 3, 10, "mon,thu")
    unchanged = programme.set_item(clinic, ADMIN, "P001", NOV[9], "Squat", "isotonic", 3, 10, "thursday, mon")
    assert unchanged is None
    assert len(programme.programme_history(clinic, ADMIN, "P001")) == 1
    assert len(audit(clinic)) == 1


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (("Squat", "walking", 3, 10, "daily"), "stage 'walking': must be one of: isometric, isotonic"),
        (("Squat", "isotonic", 0, 10, "daily"), "sets '0': must be between 1 and 100 (0 only on a row whose "
         "days is none)"),
        (("Squat", "isotonic", 3, 1001, "daily"), "reps '1001': must be between 1 and 1000"),
        (("Squat", "isotonic", 3, 10, "mon,mon"), "days 'mon,mon': names monday twice"),
        (("Squat", "isotonic", 3, 10, "weekends"), "days 'weekends': 'weekends' is not a weekday"),
        (("  ", "isotonic", 3, 10, "daily"), "exercise '': required value is missing"),
        (("Squat", None, None, None, "none"),
         "nothing to stop: Squat is not prescribed for P001 on 2026-11-02"),
    ],
)
def test_given_a_change_breaking_a_rule_expect_it_refused_in_words_and_nothing_written(
    clinic, arguments, problem
):
    with pytest.raises(programme.ProgrammeRefused) as refused:
        programme.set_item(clinic, ADMIN, "P001", NOV[2], *arguments)
    assert problem in str(refused.value)
    assert programme.programme_history(clinic, ADMIN, "P001").empty
    assert audit(clinic) == []


def test_given_a_hold_or_load_out_of_range_expect_refusal(clinic):
    with pytest.raises(programme.ProgrammeRefused, match="hold_s '0': must be more than 0"):
        programme.set_item(clinic, ADMIN, "P001", NOV[2], "Hold", "isometric", 5, 1, "daily", hold_s=0)
    with pytest.raises(programme.ProgrammeRefused, match="load_kg '-2.5': must be between 0 and 1000"):
        programme.set_item(clinic, ADMIN, "P001", NOV[2], "Squat", "isotonic", 3, 10, "daily", load_kg=-2.5)


def test_given_another_clinicians_patient_expect_refusal_and_nothing_shown(clinic):
    programme.set_item(clinic, LEA, "P002", NOV[2], "Squat", "isotonic", 3, 10, "daily")
    with pytest.raises(programme.ProgrammeRefused, match="no patient P002 among the patients you can see"):
        programme.set_item(clinic, SAM, "P002", NOV[3], "Squat", "isotonic", 4, 10, "daily")
    with pytest.raises(programme.ProgrammeRefused, match="no patient P002"):
        programme.items_in_effect(clinic, SAM, "P002", NOV[3])
    with pytest.raises(programme.ProgrammeRefused, match="no patient P002"):
        programme.programme_history(clinic, SAM, "P002")
    with pytest.raises(programme.ProgrammeRefused, match="no patient P404"):
        programme.items_in_effect(clinic, ADMIN, "P404", NOV[3])
    assert in_effect(clinic, NOV[3], LEA, "P002") == [
        ("Squat", "isotonic", 3, 10, None, None, "daily", NOV[2])
    ]


def test_given_file_and_clinician_versions_expect_a_history_saying_where_each_came_from(clinic, tmp_path):
    path = write_text(
        tmp_path, "plan.csv",
        "patient_id,effective_from,exercise,stage,sets,reps,days\nP001,2026-11-02,Squat,isotonic,3,10,daily\n",
    )
    assert import_paths(clinic, [path], actor="importer").ok
    programme.set_item(clinic, SAM, "P001", NOV[9], "Squat", "isotonic", 4, 10, "daily", reason="stronger")
    history = programme.programme_history(clinic, SAM, "P001")
    assert list(history.columns) == programme.HISTORY_COLUMNS
    rows = history[["effective_from", "sets", "programme_file", "recorded_by", "reason"]].to_dict("records")
    assert [(r["effective_from"], r["sets"], r["recorded_by"]) for r in rows] == [
        (NOV[2], 3, "importer"), (NOV[9], 4, "sam")
    ]
    assert rows[0]["programme_file"] == "plan.csv" and rows[1]["reason"] == "stronger"
