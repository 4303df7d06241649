"""Given imports into a real database, expect idempotence, refused conflicts, dry runs and atomicity."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest
from helpers import (
    ACTIVITIES_HEADER,
    EXERCISES_HEADER,
    PAIN_HEADER,
    count,
    dump,
    patients_file,
    query_rows,
    rehab,
    write_text,
    write_xlsx,
)

from dashboard.db import Database, migration_version
from dashboard.sql import queries_in

LOG_TABLES = ("patients", "pain_entries", "exercise_entries", "activity_entries", "pain_entry_history")


def entries(db, table: str) -> list[tuple]:
    """Return a table's rows without ids, import ids or timestamps, sorted."""
    columns = {
        "patients": "patient_id, name, clinician, condition, start_date, daily_rep_target, pain_ceiling, "
        "flare_threshold, discharged_on",
        "pain_entries": "patient_id, date, time_of_day, pain, note",
        "exercise_entries": "patient_id, date, exercise, stage, sets, reps, hold_s, load_kg, pain_during, "
        "note",
        "activity_entries": "patient_id, date, activity, duration_min, rpe, pain_during, note",
        "pain_entry_history": "patient_id, date, time_of_day, pain, note",
    }[table]
    return sorted(query_rows(db, f"select {columns} from {table}"), key=repr)


def log_files(folder):
    """Write one small file of each kind, with quoting, a multi-line note and optional columns left blank."""
    return [
        write_text(
            folder,
            "patients.csv",
            "patient_id,name,clinician,condition,start_date,pain_ceiling\n"
            'P001,"Núñez, José",Sam Patel,Achilles,2026-01-01,6\nP002,Zoë,Léa Moreau,,2026-01-03,\n',
        ),
        write_text(
            folder,
            "pain.csv",
            f"{PAIN_HEADER}\nP001,2026-01-02,morning,3,\n"
            'P001,2026-01-02,evening,4.5,"long day,\nsore"\nP002,2026-01-04,morning,2,\n',
        ),
        write_text(
            folder,
            "exercises.csv",
            f"{EXERCISES_HEADER}\n"
            "P001,2026-01-02,Isometric bridge hold,isometric,5,5,45,,2,\n"
            'P001,2026-01-02,Romanian deadlift,heavy_slow,3,8,,40.5,3,"felt ""pinchy"""\n',
        ),
        write_text(
            folder,
            "activities.csv",
            f"{ACTIVITIES_HEADER}\nP002,2026-01-04,run,30,6,2,\nP002,2026-01-05,ride,45.5,,,\n",
        ),
    ]


@pytest.fixture
def db(tmp_path):
    """Given an empty database path."""
    return tmp_path / "clinic.duckdb"


# --- idempotence and duplicates ---


def test_given_the_same_files_imported_twice_expect_the_second_import_to_add_nothing(db, tmp_path, capsys):
    files = log_files(tmp_path)
    code, out, err = rehab(capsys, db, "import", *files)
    assert code == 0, err
    assert "patients: patients read 2, added 2, skipped 0" in out
    assert "pain: pain read 3, added 3, skipped 0" in out
    assert "exercises: exercises read 2, added 2, skipped 0" in out
    assert "activities: activities read 2, added 2, skipped 0" in out
    first = {table: entries(db, table) for table in LOG_TABLES}

    code, out, err = rehab(capsys, db, "import", *files)
    assert code == 0, err
    assert "patients: patients read 2, added 0, skipped 2 already imported" in out
    assert "pain: pain read 3, added 0, skipped 3 already imported" in out
    assert "exercises: exercises read 2, added 0, skipped 2 already imported" in out
    assert "activities: activities read 2, added 0, skipped 2 already imported" in out
    assert {table: entries(db, table) for table in LOG_TABLES} == first
    assert query_rows(
        db, "select rows_added, rows_skipped from imports where rows_read > 0 order by import_id"
    )[-4:] == [(0, 2), (0, 3), (0, 2), (0, 2)]


def test_given_identical_rows_in_one_file_expect_two_entries_and_a_reimport_adds_none(db, tmp_path, capsys):
    patients = patients_file(tmp_path, "P001")
    line = "P001,2026-01-02,Calf raise,isotonic,3,15,,20,,\n"
    twice = write_text(tmp_path, "exercises.csv", f"{EXERCISES_HEADER}\n{line}{line}")
    code, out, err = rehab(capsys, db, "import", patients, twice)
    assert code == 0, err
    assert "exercises read 2, added 2, skipped 0" in out
    code, out, err = rehab(capsys, db, "import", twice)
    assert code == 0, err
    assert "exercises read 2, added 0, skipped 2" in out
    assert count(db, "exercise_entries") == 2

    thrice = write_text(tmp_path, "more.csv", f"{EXERCISES_HEADER}\n{line}{line}{line}")
    code, out, err = rehab(capsys, db, "import", thrice)
    assert code == 0, err
    assert "exercises read 3, added 1, skipped 2" in out
    assert count(db, "exercise_entries") == 3


@pytest.mark.parametrize(
    ("header", "line"),
    [
        (PAIN_HEADER, "P001,2026-01-02,morning,3,same note"),
        (ACTIVITIES_HEADER, "P001,2026-01-02,run,30,,,"),
    ],
)
def test_given_duplicate_pain_and_activity_rows_expect_each_kept_once_per_copy(
    header, line, db, tmp_path, capsys
):
    path = write_text(tmp_path, "log.csv", f"{header}\n{line}\n{line}\n")
    code, out, err = rehab(capsys, db, "import", patients_file(tmp_path, "P001"), path)
    assert code == 0, err
    assert "read 2, added 2" in out
    code, out, err = rehab(capsys, db, "import", path)
    assert "read 2, added 0, skipped 2" in out


def test_given_the_same_rows_in_csv_then_xlsx_expect_the_xlsx_to_add_nothing(db, tmp_path, capsys):
    csv_file = write_text(tmp_path, "pain.csv", f"{PAIN_HEADER}\nP001,2026-01-02,morning,3.5,\n")
    code, _, err = rehab(capsys, db, "import", patients_file(tmp_path, "P001"), csv_file)
    assert code == 0, err
    book = write_xlsx(
        tmp_path,
        "pain.xlsx",
        {
            "pain": [
                ["patient_id", "date", "time_of_day", "pain"],
                ["P001", dt.date(2026, 1, 2), "morning", 3.5],
            ]
        },
    )
    code, out, err = rehab(capsys, db, "import", book)
    assert code == 0, err
    assert "pain read 1, added 0, skipped 1" in out


# --- pain conflicts ---


@pytest.fixture
def stored_pain(db, tmp_path, capsys):
    """Given P001's morning score of 3 on 2026-01-02 stored."""
    first = write_text(tmp_path, "first.csv", f"{PAIN_HEADER}\nP001,2026-01-02,morning,3,before\n")
    code, _, err = rehab(capsys, db, "import", patients_file(tmp_path, "P001"), first)
    assert code == 0, err
    return db


def test_given_a_conflicting_pain_score_expect_refusal_and_nothing_overwritten(stored_pain, tmp_path, capsys):
    db = stored_pain
    before = dump(db)
    newer = write_text(
        tmp_path, "newer.csv", f"{PAIN_HEADER}\nP001,2026-01-03,morning,2,\nP001,2026-01-02,morning,5,\n"
    )
    code, out, err = rehab(capsys, db, "import", newer)
    assert code != 0
    assert (
        "newer.csv, line 3, column pain, value '5': conflicts with the morning score 3 already stored for "
        "P001 on 2026-01-02; nothing is overwritten unless you import with --replace"
    ) in err
    assert dump(db) == before


def test_given_the_same_score_or_another_time_of_day_expect_no_conflict(stored_pain, tmp_path, capsys):
    db = stored_pain
    path = write_text(
        tmp_path,
        "more.csv",
        f"{PAIN_HEADER}\nP001,2026-01-02,morning,3.0,before\nP001,2026-01-02,evening,6,\n",
    )
    code, out, err = rehab(capsys, db, "import", path)
    assert code == 0, err
    assert "pain read 2, added 1, skipped 1" in out


def test_given_replace_expect_the_new_score_stored_and_the_old_one_kept_in_history(
    stored_pain, tmp_path, capsys
):
    db = stored_pain
    newer = write_text(tmp_path, "newer.csv", f"{PAIN_HEADER}\nP001,2026-01-02,morning,5,after\n")
    code, out, err = rehab(capsys, db, "import", "--replace", newer)
    assert code == 0, err
    assert "pain read 1, added 1, skipped 0 already imported, replaced 1" in out
    rows = query_rows(db, "select pain, note from pain_entries")
    assert [(float(p), n) for p, n in rows] == [(5.0, "after")]
    history = query_rows(
        db,
        "select h.patient_id, h.date, h.time_of_day, h.pain, h.note, i.source "
        "from pain_entry_history h join imports i on i.import_id = h.replaced_by_import",
    )
    assert [(r[0], r[1], r[2], float(r[3]), r[4], r[5]) for r in history] == [
        ("P001", dt.date(2026, 1, 2), "morning", 3.0, "before", "newer.csv")
    ]
    code, out, err = rehab(capsys, db, "import", newer)
    assert code == 0, err
    assert "pain read 1, added 0, skipped 1" in out


def test_given_conflicting_scores_in_two_files_of_one_import_expect_the_second_refused(db, tmp_path, capsys):
    first = write_text(tmp_path, "first.csv", f"{PAIN_HEADER}\nP001,2026-01-02,morning,3,\n")
    second = write_text(
        tmp_path, "second.csv", f"{PAIN_HEADER}\nP001,2026-01-03,morning,1,\nP001,2026-01-02,morning,5,\n"
    )
    code, out, err = rehab(capsys, db, "import", patients_file(tmp_path, "P001"), first, second)
    assert code != 0
    assert "second.csv, line 3, column pain, value '5': conflicts with the morning score 3" in err
    assert f"REFUSED {second}" in err
    assert [float(r[0]) for r in query_rows(db, "select pain from pain_entries")] == [3.0]


def test_given_changed_patient_details_expect_refusal_then_replace_updates_and_audits(db, tmp_path, capsys):
    code, _, err = rehab(
        capsys,
        db,
        "import",
        write_text(tmp_path, "p.csv", "patient_id,name,start_date\nP001,Ann,2026-01-01\n"),
    )
    assert code == 0, err
    changed = write_text(tmp_path, "changed.csv", "patient_id,name,start_date\nP001,Anne,2026-01-01\n")
    code, _, err = rehab(capsys, db, "import", changed)
    assert code != 0
    assert "changed.csv, line 2, column name, value 'Anne': patient P001 is stored with name 'Ann'" in err
    code, out, err = rehab(capsys, db, "import", "--replace", changed)
    assert code == 0, err
    assert "patients read 1, added 0, skipped 0 already imported, replaced 1" in out
    assert query_rows(db, "select name from patients") == [("Anne",)]
    assert query_rows(db, "select detail from audit_log where action = 'patient_changed_by_import'") == [
        ("name: Ann -> Anne (changed.csv)",)
    ]


def test_given_changed_patient_details_in_two_files_of_one_import_expect_the_second_refused(
    db, tmp_path, capsys
):
    first = write_text(tmp_path, "first.csv", "patient_id,name,start_date\nP001,Ann,2026-01-01\n")
    second = write_text(tmp_path, "second.csv", "patient_id,name,start_date\nP001,Anne,2026-01-01\n")
    code, _, err = rehab(capsys, db, "import", first, second)
    assert code != 0
    assert "second.csv, line 2, column name, value 'Anne': patient P001 is stored with name 'Ann'" in err
    assert query_rows(db, "select name from patients") == [("Ann",)]


# --- dry run ---


def test_given_a_dry_run_expect_nothing_written_and_the_counts_of_a_real_import(db, tmp_path, capsys):
    files = log_files(tmp_path)
    code, _, err = rehab(capsys, db, "import", files[0], files[1])
    assert code == 0, err
    before = dump(db)
    code, out, err = rehab(capsys, db, "import", "--dry-run", *files)
    assert code == 0, err
    assert dump(db) == before
    assert "Dry run, nothing written. Totals:" in out
    assert "patients: patients read 2, would add 0, skipped 2 already imported" in out
    assert "pain: pain read 3, would add 0, skipped 3 already imported" in out
    assert "exercises: exercises read 2, would add 2, skipped 0 already imported" in out
    assert "activities: activities read 2, would add 2, skipped 0 already imported" in out
    code, real, err = rehab(capsys, db, "import", *files)
    assert code == 0, err
    assert real.replace("added", "would add").replace("Totals:", "Dry run, nothing written. Totals:") == out


def test_given_a_dry_run_with_a_bad_file_expect_refusal_and_nothing_written(db, tmp_path, capsys):
    files = log_files(tmp_path)
    bad = write_text(tmp_path, "bad.csv", f"{PAIN_HEADER}\nP001,2026-01-02,noon,3,\n")
    code, out, err = rehab(capsys, db, "import", "--dry-run", *files, bad)
    assert code != 0
    assert "bad.csv, line 2, column time_of_day, value 'noon'" in err
    assert "patients: patients read 2, would add 2" in err
    assert not db.exists() or all(count(db, table) == 0 for table in LOG_TABLES)


def test_given_a_dry_run_with_conflicts_between_files_expect_the_real_import_s_outcome(db, tmp_path, capsys):
    first = write_text(tmp_path, "first.csv", f"{PAIN_HEADER}\nP001,2026-01-02,morning,3,\n")
    second = write_text(tmp_path, "second.csv", f"{PAIN_HEADER}\nP001,2026-01-02,morning,5,\n")
    third = write_text(tmp_path, "third.csv", f"{PAIN_HEADER}\nP001,2026-01-02,evening,4,\n")
    patients = patients_file(tmp_path, "P001")
    code, dry, dry_err = rehab(capsys, db, "import", "--dry-run", patients, first, second, third)
    assert code != 0
    assert "second.csv, line 2, column pain, value '5': conflicts with the morning score 3" in dry_err
    assert "third.csv: pain read 1, would add 1" in dry_err
    assert count(db, "pain_entries") == 0
    code, _, err = rehab(capsys, db, "import", patients, first, second, third)
    assert code != 0
    assert (
        err.replace("added", "would add").replace("Totals:", "Dry run, nothing written. Totals:") == dry_err
    )


def test_given_logs_whose_patients_come_in_a_later_file_expect_the_import_ordered(db, tmp_path, capsys):
    book = write_xlsx(
        tmp_path,
        "clinic.xlsx",
        {
            "patients": [["patient_id", "start_date"], ["P001", dt.date(2026, 1, 1)]],
            "pain": [
                ["patient_id", "date", "time_of_day", "pain"],
                ["P002", dt.date(2026, 1, 2), "morning", 3],
            ],
        },
    )
    later = patients_file(tmp_path, "P002", name="later.csv")
    code, out, err = rehab(capsys, db, "import", "--dry-run", book, later)
    assert code == 0, err
    assert "clinic.xlsx [sheet pain]: pain read 1, would add 1" in out
    code, out, err = rehab(capsys, db, "import", book, later)
    assert code == 0, err
    assert "clinic.xlsx [sheet pain]: pain read 1, added 1" in out
    assert count(db, "pain_entries") == 1


# --- atomicity ---


def test_given_a_refused_file_expect_the_database_unchanged_byte_for_byte(db, tmp_path, capsys):
    code, _, err = rehab(capsys, db, "import", *log_files(tmp_path))
    assert code == 0, err
    before = dump(db)
    book = write_xlsx(
        tmp_path,
        "bad.xlsx",
        {
            "patients": [["patient_id", "start_date"], ["P009", dt.date(2026, 1, 1)]],
            "exercises": [
                ["patient_id", "date", "exercise", "sets", "reps"],
                ["P009", dt.date(2026, 1, 2), "Squat", 3, 10],
                ["P009", dt.date(2026, 1, 3), "Squat", 0, 10],
            ],
        },
    )
    code, _, err = rehab(capsys, db, "import", book)
    assert code != 0
    assert "bad.xlsx [sheet exercises], line 3, column sets, value '0': must be between 1 and 100" in err
    assert dump(db) == before


def test_given_a_file_refused_while_writing_expect_none_of_its_sheets_kept(db, tmp_path, capsys):
    pain_header = ["patient_id", "date", "time_of_day", "pain"]
    first = write_xlsx(
        tmp_path,
        "first.xlsx",
        {
            "patients": [["patient_id", "start_date"], ["P001", dt.date(2026, 1, 1)]],
            "pain": [pain_header, ["P001", dt.date(2026, 1, 2), "morning", 3]],
        },
    )
    second = write_xlsx(
        tmp_path,
        "second.xlsx",
        {
            "patients": [["patient_id", "start_date"], ["P009", dt.date(2026, 1, 1)]],
            "pain": [pain_header, ["P001", dt.date(2026, 1, 2), "morning", 6]],
        },
    )
    code, _, err = rehab(capsys, db, "import", first, second)
    assert code != 0
    assert "second.xlsx [sheet pain], line 2, column pain, value '6': conflicts" in err
    assert query_rows(db, "select patient_id from patients") == [("P001",)]
    assert query_rows(db, "select count(*) from imports where source like 'second.xlsx%'") == [(0,)]
    assert query_rows(db, "select count(*) from audit_log where detail like '%second.xlsx%'") == [(0,)]


# --- the database file ---


def test_given_a_new_database_expect_the_file_readable_by_its_owner_only(db, tmp_path, capsys):
    code, _, err = rehab(capsys, db, "import", *log_files(tmp_path))
    assert code == 0, err
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600


def test_given_an_open_database_with_pending_writes_expect_the_wal_owner_only(db, tmp_path):
    old_umask = os.umask(0o022)
    database = Database(db)
    try:
        database.session().cursor.execute("insert into audit_log (actor, action) values ('test', 'write')")
        wal = db.with_name(db.name + ".wal")
        assert wal.exists()
        assert stat.S_IMODE(os.stat(wal).st_mode) == 0o600
    finally:
        database.close()
        os.umask(old_umask)


def test_given_a_new_database_expect_every_migration_recorded_with_the_schema_version(db):
    database = Database(db)
    try:
        versions = sorted(migration_version(statement) for statement in queries_in("migrations"))
        assert database.schema_version() == max(versions)
        applied = database.rows("schema_migrations_applied")
        assert [row["version"] for row in applied if row["version"] > 0] == versions
        assert [row["name"] for row in applied if row["version"] > 0] == [
            statement.name for statement in sorted(queries_in("migrations"), key=migration_version)
        ]
    finally:
        database.close()


def test_given_an_existing_database_expect_reopening_it_to_change_nothing(db, tmp_path, capsys):
    code, _, err = rehab(capsys, db, "import", *log_files(tmp_path))
    assert code == 0, err
    before = dump(db)
    for _ in range(2):
        Database(db).close()
    assert dump(db) == before


def test_given_a_patients_file_refused_while_writing_expect_logs_naming_its_patients_refused_clearly(
    db, tmp_path, capsys
):
    first = write_text(tmp_path, "first.csv", "patient_id,name,start_date\nP001,Ann,2026-01-01\n")
    second = write_text(
        tmp_path, "second.csv", "patient_id,name,start_date\nP001,Anne,2026-01-01\nP002,Bo,2026-01-01\n"
    )
    pain = write_text(
        tmp_path, "pain.csv", f"{PAIN_HEADER}\nP001,2026-01-02,morning,3,\nP002,2026-01-02,morning,4,\n"
    )
    for flags in (["--dry-run"], []):
        code, _, err = rehab(capsys, db, "import", *flags, first, second, pain)
        assert code != 0
        assert "second.csv, line 2, column name, value 'Anne': patient P001 is stored with name 'Ann'" in err
        assert "pain.csv, line 3, column patient_id, value 'P002': unknown patient" in err
        assert "the database refused" not in err
    assert query_rows(db, "select patient_id from patients") == [("P001",)]
    assert count(db, "pain_entries") == 0
