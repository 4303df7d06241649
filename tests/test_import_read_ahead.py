"""Given a real import that reads each later file while the one before it is checked and written, expect the
outcome and the stored rows of reading one file at a time, and nothing left reading when an import stops."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from helpers import ACTIVITIES_HEADER, EXERCISES_HEADER, PAIN_HEADER, write_text

from dashboard import importer
from dashboard.db import Database


def batch(folder):
    """Return patients, then logs with a conflict across files, an unknown patient and a missing file."""
    return [
        write_text(
            folder, "patients.csv", "patient_id,name,start_date\nP001,Ann,2026-01-01\nP002,Bo,2026-01-01\n"
        ),
        write_text(
            folder, "pain.csv", f"{PAIN_HEADER}\nP001,2026-01-02,morning,2,\nP002,2026-01-02,evening,4,\n"
        ),
        write_text(
            folder, "more_pain.csv",
            f"{PAIN_HEADER}\nP001,2026-01-02,morning,7,\nP002,2026-01-03,morning,1,\n",
        ),
        write_text(
            folder, "exercises.csv",
            f"{EXERCISES_HEADER}\nP001,2026-01-02,Bridge,isometric,3,5,30,,2,\n"
            "P001,2026-01-02,Bridge,isometric,3,5,30,,2,\nP002,2026-01-01,Calf raise,,3,15,,20,,heavy\n",
        ),
        write_text(
            folder, "bad_exercises.csv", f"{EXERCISES_HEADER}\nP003,2026-01-02,Bridge,isometric,3,5,30,,2,\n"
        ),
        write_text(folder, "activities.csv", f"{ACTIVITIES_HEADER}\nP002,2026-01-04,run,30,6,2,\n"),
        folder / "missing.csv",
    ]


def imported(folder, name, *, read_ahead, monkeypatch):
    """Return the report and the stored entries of importing the batch into a new database."""
    monkeypatch.setattr(importer, "READ_AHEAD", read_ahead)
    database = Database(folder / name)
    try:
        result = importer.import_paths(database, batch(folder))
        cursor = database.session().cursor
        stored = {
            table: cursor.execute(f"select * from {table} order by entry_id").fetchall()
            for table in ("pain_entries", "exercise_entries", "activity_entries")
        }
        stored["imports"] = cursor.execute(
            "select * exclude (imported_at) from imports order by import_id"
        ).fetchall()
        return result.report().replace(str(folder), ""), stored
    finally:
        database.close()


def test_given_a_batch_expect_the_same_report_and_rows_whether_files_are_read_ahead_or_one_at_a_time(
    tmp_path, monkeypatch
):
    ahead = imported(tmp_path, "ahead.duckdb", read_ahead=True, monkeypatch=monkeypatch)
    one_at_a_time = imported(tmp_path, "serial.duckdb", read_ahead=False, monkeypatch=monkeypatch)
    assert ahead == one_at_a_time
    report, stored = ahead
    assert "REFUSED /more_pain.csv: 1 problem" in report
    assert "\n  bad_exercises.csv, line 2, column patient_id, value 'P003': unknown patient" in report
    assert "REFUSED /missing.csv" in report
    # Entries in date order, a set logged twice stored twice.
    assert [row[1:4] for row in stored["exercise_entries"]] == [
        ("P002", dt.date(2026, 1, 1), "Calf raise"),
        ("P001", dt.date(2026, 1, 2), "Bridge"),
        ("P001", dt.date(2026, 1, 2), "Bridge"),
    ]


def test_given_an_import_that_stops_on_an_error_expect_no_file_still_being_read(tmp_path, monkeypatch):
    def failing(*args, **kwargs):
        raise RuntimeError("stopped while writing")

    monkeypatch.setattr(importer, "_check_and_write", failing)
    database = Database(tmp_path / "clinic.duckdb")
    try:
        with pytest.raises(RuntimeError, match="stopped while writing"):
            importer.import_paths(database, batch(tmp_path))
        assert not [thread for thread in threading.enumerate() if thread.name.startswith("import-read")]
        assert database.value("patient_count") == 2  # the patients file was written before the logs
    finally:
        database.close()
