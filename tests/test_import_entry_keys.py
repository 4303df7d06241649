"""Given the entry tables rebuilt without foreign keys (migrations 0070-0081), expect every stored row kept
with its checks and keys, and an entry naming an unknown patient still refused by file and line on every write
path, with nothing of it written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from helpers import ACTIVITIES_HEADER, EXERCISES_HEADER, PAIN_HEADER, patients_file, write_text, write_xlsx

from dashboard import day_entry
from dashboard.access import Viewer
from dashboard.caseload import NotVisible
from dashboard.db import Database, migration_version
from dashboard.importer import import_paths, import_sources, import_together
from dashboard.sql import queries_in, query

ENTRY_TABLES = ("pain_entries", "exercise_entries", "activity_entries")
REBUILD = 70  # the first migration of the rebuild
UNKNOWN = "unknown patient: not in the database nor in this import"

# One known patient's line, then one naming a patient nobody added, per log kind.
LOGS = {
    "pain": (PAIN_HEADER, "P001,2026-01-02,morning,3,", "P404,2026-01-02,morning,4,"),
    "exercises": (
        EXERCISES_HEADER,
        "P001,2026-01-02,Bridge,isometric,3,5,30,,2,",
        "P404,2026-01-02,Bridge,isometric,3,5,30,,2,",
    ),
    "activities": (ACTIVITIES_HEADER, "P001,2026-01-02,run,30,6,2,", "P404,2026-01-02,run,30,6,2,"),
}


def database_before_the_rebuild(path: Path) -> None:
    """Write a database as the migrations before the rebuild left it (foreign keys in place), with entries."""
    connection = duckdb.connect(str(path))
    connection.execute(query("schema_migrations_create").text)
    for statement in queries_in("migrations"):
        version = migration_version(statement)
        if 0 < version < REBUILD:
            connection.execute(statement.text)
            connection.execute(
                query("schema_migrations_record").text, {"version": version, "name": statement.name}
            )
    connection.execute(
        "insert into imports (import_id, source, kind, imported_by, rows_read, rows_added, rows_skipped) "
        "values (1, 'old.csv', 'pain', 'test', 3, 3, 0)"
    )
    connection.execute("insert into patients (patient_id, start_date) values ('P001', '2026-01-01'), "
                       "('P002', '2026-01-01')")
    # Stored in neither patient nor date order, with ids from the shared sequence across the three tables.
    connection.execute(
        "insert into pain_entries (patient_id, date, time_of_day, pain, note, import_id) values "
        "('P002', '2026-01-03', 'evening', 4.5, 'after a run', 1), "
        "('P001', '2026-01-04', 'morning', 0, null, 1), ('P001', '2026-01-02', 'morning', 3, null, 1)"
    )
    connection.execute(
        "insert into exercise_entries (patient_id, date, exercise, stage, sets, reps, hold_s, load_kg, "
        "pain_during, note, import_id) values "
        "('P001', '2026-01-02', 'Bridge', 'isometric', 3, 5, 30, null, 2, null, 1), "
        "('P002', '2026-01-02', 'Calf raise', null, 3, 15, null, 20.5, null, 'heavy', 1)"
    )
    connection.execute(
        "insert into activity_entries (patient_id, date, activity, duration_min, rpe, pain_during, note, "
        "import_id) values ('P002', '2026-01-05', 'run', 30, 6, 2, null, 1)"
    )
    connection.close()


def stored_rows(database: Database, table: str) -> list[tuple]:
    """Return a table's rows in the order they are stored."""
    return database.session().cursor.execute(f"select * from {table} order by rowid").fetchall()


def foreign_keys(database: Database, table: str) -> list[str]:
    """Return the foreign-key constraints of a table, as DuckDB states them."""
    sql = (
        "select constraint_text from duckdb_constraints() "
        "where table_name = ? and constraint_type = 'FOREIGN KEY'"
    )
    return [row[0] for row in database.session().cursor.execute(sql, [table]).fetchall()]


def test_given_a_database_made_before_the_rebuild_expect_every_entry_kept_with_its_checks_and_keys(tmp_path):
    path = tmp_path / "clinic.duckdb"
    database_before_the_rebuild(path)
    with duckdb.connect(str(path)) as connection:
        before = {
            table: connection.execute(f"select * from {table} order by rowid").fetchall()
            for table in ENTRY_TABLES
        }
        assert connection.execute("select count(*) from duckdb_constraints() where constraint_type = "
                                  "'FOREIGN KEY' and table_name like '%_entries'").fetchone()[0] == 6
    database = Database(path)
    try:
        for table in ENTRY_TABLES:
            assert stored_rows(database, table) == before[table]
            assert foreign_keys(database, table) == []
        # The tables that refer to patients keep their foreign keys.
        assert foreign_keys(database, "settings_changes") == [
            "FOREIGN KEY (patient_id) REFERENCES patients(patient_id)"
        ]
        cursor = database.session().cursor
        with pytest.raises(duckdb.ConstraintException, match="primary key"):
            cursor.execute("insert into pain_entries (entry_id, patient_id, date, time_of_day, pain, "
                           "import_id) values (1, 'P001', '2026-01-09', 'morning', 1, 1)")
        for statement in (
            "insert into pain_entries (patient_id, date, time_of_day, pain, import_id) "
            "values ('P001', '2026-01-09', 'noon', 1, 1)",
            "insert into pain_entries (patient_id, date, time_of_day, pain, import_id) "
            "values ('P001', '2026-01-09', 'morning', 11, 1)",
            "insert into exercise_entries (patient_id, date, exercise, sets, reps, import_id) "
            "values ('P001', '2026-01-09', ' ', 3, 5, 1)",
            "insert into exercise_entries (patient_id, date, exercise, stage, sets, reps, import_id) "
            "values ('P001', '2026-01-09', 'Bridge', 'sideways', 3, 5, 1)",
            "insert into activity_entries (patient_id, date, activity, duration_min, rpe, import_id) "
            "values ('P001', '2026-01-09', 'run', 30, 11, 1)",
        ):
            with pytest.raises(duckdb.ConstraintException, match="CHECK constraint"):
                cursor.execute(statement)
        # A new entry takes its id from the shared sequence, past every id the old tables held (the refused
        # inserts above drew ids too).
        cursor.execute("insert into activity_entries (patient_id, date, activity, duration_min, import_id) "
                       "values ('P001', '2026-01-09', 'ride', 45, 1)")
        newest = cursor.execute("select max(entry_id) from activity_entries").fetchone()[0]
        assert newest > max(row[0] for rows in before.values() for row in rows)
        assert database.schema_version() >= REBUILD + 11
    finally:
        database.close()


def test_given_a_new_database_expect_the_entry_tables_without_foreign_keys(db):
    for table in ENTRY_TABLES:
        assert foreign_keys(db, table) == []


def entry_counts(database: Database) -> dict[str, int]:
    """Return how many rows each entry table holds."""
    return {table: database.session().cursor.execute(f"select count(*) from {table}").fetchone()[0]
            for table in ENTRY_TABLES}


def problem_lines(result) -> list[str]:
    """Return every problem of every file, without the folder."""
    return [str(problem).rsplit("/", 1)[-1] for outcome in result.files for problem in outcome.problems]


@pytest.fixture
def one_patient(tmp_path) -> Database:
    """Return a database holding patient P001 only."""
    database = Database(tmp_path / "clinic.duckdb")
    assert import_paths(database, [patients_file(tmp_path, "P001")], actor="test").ok
    yield database
    database.close()


@pytest.mark.parametrize("kind", LOGS)
@pytest.mark.parametrize("dry_run", [False, True])
def test_given_a_csv_naming_an_unknown_patient_expect_it_refused_by_line_whether_read_from_disk_or_uploaded(
    one_patient, tmp_path, kind, dry_run
):
    header, known, unknown = LOGS[kind]
    path = write_text(tmp_path, f"{kind}.csv", f"{header}\n{known}\n{unknown}\n")
    from_disk = import_paths(one_patient, [path], dry_run=dry_run)  # DuckDB's reader
    uploaded = import_sources(one_patient, [(f"{kind}.csv", path.read_bytes())], dry_run=dry_run)  # Arrow
    for result in (from_disk, uploaded):
        assert not result.ok
        assert problem_lines(result) == [f"{kind}.csv, line 3, column patient_id, value 'P404': {UNKNOWN}"]
    assert entry_counts(one_patient) == dict.fromkeys(ENTRY_TABLES, 0)


def test_given_a_workbook_sheet_naming_an_unknown_patient_expect_it_refused_by_sheet_and_line(
    one_patient, tmp_path
):
    header, known, unknown = LOGS["exercises"]
    rows = [line.split(",") for line in (header, known, unknown)]
    path = write_xlsx(tmp_path, "logs.xlsx", {"exercises": rows})
    result = import_paths(one_patient, [path])
    assert problem_lines(result) == [
        f"logs.xlsx [sheet exercises], line 3, column patient_id, value 'P404': {UNKNOWN}"
    ]
    assert entry_counts(one_patient) == dict.fromkeys(ENTRY_TABLES, 0)


def test_given_files_written_together_naming_an_unknown_patient_expect_none_written(one_patient):
    sources = [(f"{kind}.csv", f"{header}\n{known}\n{unknown}\n".encode()) for kind, (header, known, unknown)
               in LOGS.items()]
    result = import_together(one_patient, sources)
    assert not result.ok
    assert problem_lines(result) == [
        f"{kind}.csv, line 3, column patient_id, value 'P404': {UNKNOWN}" for kind in LOGS
    ]
    assert entry_counts(one_patient) == dict.fromkeys(ENTRY_TABLES, 0)


def test_given_a_log_entry_for_an_unknown_patient_expect_it_refused_before_anything_is_checked(one_patient):
    sources = day_entry.day_entry_sources("P404", dt.date(2026, 1, 2), morning_pain=3)
    with pytest.raises(NotVisible, match="no patient P404 among the patients you can see"):
        day_entry.save_day_entry(one_patient, Viewer.system(), "P404", sources)
    assert entry_counts(one_patient) == dict.fromkeys(ENTRY_TABLES, 0)
