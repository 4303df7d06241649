"""Given `rehab programme set` and `rehab programme show`, expect audited changes and the items in effect."""

from __future__ import annotations

import json

import pytest
from helpers import patients_file, query_rows, rehab, rehab_quiet


@pytest.fixture
def db(tmp_path):
    """Given a database holding patient P001."""
    path = tmp_path / "clinic.duckdb"
    assert rehab_quiet(path, "import", patients_file(tmp_path, "P001")) == 0
    return path


def set_item(capsys, db, *args: str) -> tuple[int, str, str]:
    """Run `rehab programme set P001 ...`."""
    return rehab(capsys, db, "programme", "set", "P001", *args)


def test_given_items_set_and_stopped_expect_show_to_list_those_in_effect_on_the_day(db, capsys):
    code, out, err = set_item(capsys, db, "--from", "2026-11-02", "--exercise", "Calf raise", "--stage",
                              "heavy_slow", "--sets", "3", "--reps", "15", "--days", "mon,wed,fri",
                              "--load-kg", "20")
    assert (code, err) == (0, "")
    assert out == (
        "P001 from 2026-11-02: added Calf raise: Heavy slow resistance, 3 x 15, 20 kg, Mon, Wed, Fri\n"
    )
    assert set_item(capsys, db, "--from", "2026-11-02", "--exercise", "Isometric hold", "--stage",
                    "isometric", "--sets", "5", "--reps", "1", "--days", "daily", "--hold-s", "45")[0] == 0
    code, out, _ = set_item(capsys, db, "--from", "2026-11-16", "--exercise", "calf RAISE ", "--days",
                            "none", "--reason", "sore tendon")
    assert out == (
        "P001 from 2026-11-16: stopped calf RAISE (was Heavy slow resistance, 3 x 15, 20 kg, Mon, Wed, Fri)\n"
    )

    code, out, _ = rehab(capsys, db, "programme", "show", "P001", "--as-of", "2026-11-15", "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {"exercise": "Calf raise", "stage": "heavy_slow", "sets": 3, "reps": 15, "hold_s": None,
         "load_kg": 20.0, "days": "mon,wed,fri", "effective_from": "2026-11-02"},
        {"exercise": "Isometric hold", "stage": "isometric", "sets": 5, "reps": 1, "hold_s": 45.0,
         "load_kg": None, "days": "daily", "effective_from": "2026-11-02"},
    ]
    code, out, _ = rehab(capsys, db, "programme", "show", "P001", "--as-of", "2026-11-16", "--format", "csv")
    assert out == (
        "exercise,stage,sets,reps,hold_s,load_kg,days,effective_from\n"
        "Isometric hold,isometric,5,1,45,,daily,2026-11-02\n"
    )
    code, out, _ = rehab(capsys, db, "programme", "show", "P001", "--as-of", "2026-11-01")
    assert out == "no programme items in effect for P001 on 2026-11-01\n"
    assert query_rows(db, "select actor, patient_id, detail from audit_log where action = 'programme_change' "
                          "order by audit_id")[-1] == (
        "cli", "P001", "from 2026-11-16: stopped calf RAISE (was Heavy slow resistance, 3 x 15, 20 kg, Mon, "
        "Wed, Fri); reason: sore tendon",
    )


def test_given_the_same_prescription_again_expect_nothing_changed(db, capsys):
    args = ("--from", "2026-11-02", "--exercise", "Squat", "--stage", "isotonic", "--sets", "3", "--reps",
            "10", "--days", "daily")
    assert set_item(capsys, db, *args)[0] == 0
    code, out, _ = set_item(capsys, db, *args)
    assert (code, out) == (0, "nothing changed: P001's programme from 2026-11-02 already prescribes this\n")
    assert query_rows(db, "select count(*) from programme_items") == [(1,)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--stage", "isotonic", "--sets", "3", "--reps", "10", "--days", "mon,funday"),
         "rehab: not saved: days 'mon,funday': 'funday' is not a weekday: days must be daily, none, or "
         "weekdays separated by commas, like mon,wed,fri\n"),
        (("--days", "daily"),
         "rehab: not saved: give --stage, --sets, --reps (only --days none may leave them out)\n"),
        (("--days", "none"), "rehab: not saved: nothing to stop: Squat is not prescribed for P001 on "
         "2026-11-02\n"),
        (("--stage", "isotonic", "--sets", "0", "--reps", "10", "--days", "daily"),
         "rehab: not saved: sets '0': must be between 1 and 100 (0 only on a row whose days is none)\n"),
    ],
)
def test_given_a_bad_change_expect_exit_1_with_the_reason_and_nothing_written(db, capsys, args, message):
    code, out, err = set_item(capsys, db, "--from", "2026-11-02", "--exercise", "Squat", *args)
    assert (code, out, err) == (1, "", message)
    assert query_rows(db, "select count(*) from programme_items") == [(0,)]


def test_given_an_unknown_patient_expect_exit_1(db, capsys):
    code, out, err = rehab(capsys, db, "programme", "show", "P404", "--as-of", "2026-11-02")
    assert (code, out, err) == (1, "", "rehab: no patient P404 among the patients you can see\n")
