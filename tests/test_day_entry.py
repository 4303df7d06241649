"""Log entry: every incomplete row is named, one entry is one transaction, results read in clinic words,
the day's stored entries are shown, and a wrong pain score is corrected with its old value kept."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from helpers import patients_file
from streamlit.testing.v1 import AppTest

from dashboard import auth, day_entry
from dashboard.access import Viewer
from dashboard.db import Database, close_database, open_database
from dashboard.importer import import_paths, import_together

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
ADMIN = Viewer.system()
DAY = dt.date(2026, 11, 23)
PATIENT = "P001"


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    """Return a closed database file holding one patient and an admin account."""
    path = tmp_path / "clinic.duckdb"
    database = Database(path)
    assert import_paths(database, [patients_file(tmp_path, PATIENT, "P002")], actor="test").ok
    auth.add_user(database, "admin", PASSWORD, "admin")
    database.close()
    return path


@pytest.fixture
def db(clinic: Path) -> Iterator[Database]:
    """Return the clinic database, open."""
    database = Database(clinic)
    yield database
    database.close()


def exercises(*rows: dict) -> pd.DataFrame:
    """Return an exercise table as the editor returns it: every column, blank cells as None."""
    columns = ["exercise", "stage", "sets", "reps", "hold_s", "load_kg", "pain_during", "note"]
    return pd.DataFrame([{column: row.get(column) for column in columns} for row in rows], columns=columns)


def activities(*rows: dict) -> pd.DataFrame:
    """Return an activity table as the editor returns it."""
    columns = ["activity", "duration_min", "rpe", "pain_during", "note"]
    return pd.DataFrame([{column: row.get(column) for column in columns} for row in rows], columns=columns)


HEEL_RAISE = {"exercise": "Heel raise", "sets": 3, "reps": 15}
BLANK: dict = {}


def save(database: Database, *, correct_pain: bool = False, **entry):
    """Save one entry for the patient on DAY as the admin; return (result, sources)."""
    sources = day_entry.day_entry_sources(PATIENT, DAY, **entry)
    return day_entry.save_day_entry(database, ADMIN, PATIENT, sources, correct_pain=correct_pain), sources


def stored(database: Database, table: str) -> int:
    """Return how many rows a table holds for the patient on DAY."""
    sql = f"select count(*) from {table} where patient_id = ? and date = ?"
    return database.session().cursor.execute(sql, [PATIENT, DAY]).fetchone()[0]


def entry_imports(database: Database) -> int:
    """Return how many imports and import audit rows log entries have left."""
    cursor = database.session().cursor
    imports = cursor.execute("select count(*) from imports where source like 'app-entry_%'").fetchone()[0]
    audits = cursor.execute("select count(*) from audit_log where detail like 'app-entry_%'").fetchone()[0]
    return imports + audits


# --- no silent loss: every incomplete row is named ----------------------------------------------------------


def test_an_exercise_without_its_name_next_to_a_pain_score_is_named_and_nothing_is_saved(db) -> None:
    result, sources = save(db, morning_pain=3.0, exercises=exercises(HEEL_RAISE, {"sets": 3, "reps": 10}))
    assert not result.ok
    assert day_entry.entry_problems(result, sources) == ["Exercises, row 2: exercise name is missing"]
    assert stored(db, "pain_entries") == stored(db, "exercise_entries") == 0
    assert entry_imports(db) == 0


def test_an_exercise_without_its_name_alone_is_named_not_taken_for_nothing_to_save(db) -> None:
    result, sources = save(db, exercises=exercises({"stage": "isometric", "hold_s": 45.0}))
    assert sources, "a row with any filled cell is part of the entry"
    assert day_entry.entry_problems(result, sources) == [
        "Exercises, row 1: exercise name, sets and reps are missing"
    ]
    assert stored(db, "exercise_entries") == 0


def test_rows_are_numbered_as_the_editor_shows_them_past_blank_rows_and_line_breaks(db) -> None:
    table = exercises({**HEEL_RAISE, "note": "felt\nfine"}, BLANK, {"exercise": "Squat", "sets": 3}, BLANK)
    result, sources = save(db, exercises=table, activities=activities({"activity": "Run", "rpe": 5.0}))
    assert day_entry.entry_problems(result, sources) == [
        "Exercises, row 3: reps are missing",
        "Activities, row 1: minutes are missing",
    ]
    assert stored(db, "exercise_entries") == stored(db, "activity_entries") == 0


def test_a_bad_value_is_named_by_part_row_and_cell(db) -> None:
    result, sources = save(db, exercises=exercises(HEEL_RAISE, {**HEEL_RAISE, "sets": 0}))
    [problem] = day_entry.entry_problems(result, sources)
    assert problem.startswith("Exercises, row 2, sets: must be between 1 and 100"), problem


def test_blank_rows_alone_are_nothing_to_save() -> None:
    assert day_entry.day_entry_sources(PATIENT, DAY, exercises=exercises(BLANK, BLANK)) == []


# --- one entry, one transaction -----------------------------------------------------------------------------

# Run in a child process: the importer's _write_file is wrapped so that the process dies (os._exit, as a kill
# would: no cleanup, no commit) the n-th time a part after the pain part is about to be written, wherever
# that happens (a check that is rolled back, or the write itself).
_KILLED_BETWEEN_PARTS = textwrap.dedent(
    """
    import datetime as dt, os, sys
    import pandas as pd
    from dashboard import day_entry, importer
    from dashboard.access import Viewer
    from dashboard.db import Database

    write_file = importer._write_file
    kill_at = int(sys.argv[2])
    between_parts = 0

    def write_or_die(session, outcome, **kwargs):
        global between_parts
        if not outcome.name.endswith("_pain.csv"):
            between_parts += 1
            if between_parts == kill_at:
                print("killed before", outcome.name.rsplit("_", 1)[-1], flush=True)
                os._exit(17)
        write_file(session, outcome, **kwargs)
        print("written", outcome.name.rsplit("_", 1)[-1], flush=True)

    importer._write_file = write_or_die
    database = Database(sys.argv[1])
    sources = day_entry.day_entry_sources(
        "P001", dt.date(2026, 11, 23), morning_pain=3.0, evening_pain=4.0,
        exercises=pd.DataFrame({"exercise": ["Heel raise"], "sets": [3], "reps": [15]}),
        activities=pd.DataFrame({"activity": ["Run"], "duration_min": [30]}),
    )
    print("saved", day_entry.save_day_entry(database, Viewer.system(), "P001", sources).ok, flush=True)
    """
)


def entry_parts_stored(path: Path) -> tuple[int, int, int, int]:
    """Return the entry's pain scores, exercise lines, activities, and its imports with their audit rows."""
    database = Database(path)
    try:
        tables = ("pain_entries", "exercise_entries", "activity_entries")
        return (*(stored(database, table) for table in tables), entry_imports(database))
    finally:
        database.close()


def test_a_process_killed_between_the_parts_of_an_entry_leaves_all_of_it_or_none(
    clinic: Path, tmp_path: Path
) -> None:
    # Killed at each point where one part is written and the next is not yet, in turn, until none is left.
    outcomes = []
    for kill_at in range(1, 8):
        copy = tmp_path / f"killed-{kill_at}.duckdb"
        copy.write_bytes(clinic.read_bytes())
        child = subprocess.run(
            [sys.executable, "-c", _KILLED_BETWEEN_PARTS, str(copy), str(kill_at)],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert child.returncode in (0, 17), child.stderr
        outcomes.append((child.stdout.splitlines()[-1], entry_parts_stored(copy)))
        if child.returncode == 0:
            break
    nothing, everything = (0, 0, 0, 0), (2, 1, 1, 6)  # 3 imports and their 3 audit rows
    killed = [stored for last, stored in outcomes if last.startswith("killed before")]
    assert killed and all(stored == nothing for stored in killed), outcomes
    assert outcomes[-1] == ("saved True", everything), outcomes


def test_a_part_refused_only_while_writing_takes_the_parts_before_it_back(db) -> None:
    # Two parts that disagree on the morning score: the second is refused once the first is written.
    first = ("first_pain.csv", b"patient_id,date,time_of_day,pain\nP001,2026-11-23,morning,3\n")
    second = ("second_pain.csv", b"patient_id,date,time_of_day,pain\nP001,2026-11-23,morning,5\n")
    result = import_together(db, [first, second], actor="test")
    assert not result.ok
    [refused] = [outcome for outcome in result.files if not outcome.accepted]
    assert refused.name == "second_pain.csv"
    assert "conflicts with the morning score 3" in refused.problems[0].reason
    assert all(not outcome.counts for outcome in result.files)
    assert stored(db, "pain_entries") == 0
    assert db.session().cursor.execute("select count(*) from imports").fetchone() == (1,)  # the patients


def test_every_part_of_an_entry_is_written_with_its_audit_rows(db) -> None:
    result, _ = save(
        db, morning_pain=2.0, exercises=exercises(HEEL_RAISE), activities=activities({"activity": "Run",
                                                                                       "duration_min": 30.0}),
    )
    assert result.ok
    assert [stored(db, t) for t in ("pain_entries", "exercise_entries", "activity_entries")] == [1, 1, 1]
    audits = db.session().cursor.execute(
        "select actor, detail from audit_log where action = 'import' and detail like 'app-entry_%' "
        "order by audit_id"
    ).fetchall()
    assert [actor for actor, _ in audits] == ["cli"] * 3


# --- results in clinic words --------------------------------------------------------------------------------


def test_a_saved_entry_reads_in_clinic_words(db) -> None:
    result, _ = save(db, morning_pain=2.0, evening_pain=3.0, exercises=exercises(HEEL_RAISE))
    assert day_entry.entry_summary(result, PATIENT, DAY) == [
        "Saved P001 on Mon 23 Nov 2026: 2 pain scores and 1 exercise line."
    ]
    squat = {"exercise": "Squat", "sets": 3, "reps": 8}
    more, _ = save(db, exercises=exercises(HEEL_RAISE, squat))
    assert day_entry.entry_summary(more, PATIENT, DAY) == [
        "Saved P001 on Mon 23 Nov 2026: 1 exercise line.",
        "1 exercise line was already stored and not added again.",
    ]
    again, _ = save(db, morning_pain=2.0)
    assert day_entry.entry_summary(again, PATIENT, DAY) == [
        "Nothing new for P001 on Mon 23 Nov 2026: all of it was stored.",
        "1 pain score was already stored and not added again.",
    ]


# --- correcting a wrong score -------------------------------------------------------------------------------


def test_a_wrong_score_is_refused_in_clinic_words_then_corrected_with_history_and_audit(db) -> None:
    assert save(db, morning_pain=4.0)[0].ok
    refused, sources = save(db, morning_pain=6.0, exercises=exercises(HEEL_RAISE))
    [problem] = day_entry.entry_problems(refused, sources)
    assert problem == (
        "Pain, morning: conflicts with the morning score 4 already stored for P001 on 2026-11-23; to correct "
        "it, tick “Correct the stored pain score” and save again (the old score is kept in the patient's "
        "history)"
    )
    assert "--replace" not in problem and ".csv" not in problem
    assert stored(db, "exercise_entries") == 0

    corrected, _ = save(db, morning_pain=6.0, exercises=exercises(HEEL_RAISE), correct_pain=True)
    assert corrected.ok
    assert day_entry.entry_summary(corrected, PATIENT, DAY) == [
        "Saved P001 on Mon 23 Nov 2026: 1 pain score and 1 exercise line.",
        "1 pain score corrected; the old score is kept in the patient's history.",
    ]
    cursor = db.session().cursor
    assert cursor.execute("select pain from pain_entries").fetchall() == [(6,)]
    assert cursor.execute("select time_of_day, pain from pain_entry_history").fetchall() == [("morning", 4)]
    assert cursor.execute(
        "select actor, patient_id, detail from audit_log where action = 'pain_changed_by_import'"
    ).fetchall() == [
        ("cli", PATIENT, "morning pain on 2026-11-23: 4 -> 6 (app-entry_P001_2026-11-23_pain.csv)")
    ]


def test_what_is_stored_for_the_day_is_read_back_by_part(db) -> None:
    assert save(db, morning_pain=2.0, exercises=exercises(HEEL_RAISE))[0].ok
    day = day_entry.stored_day(db, ADMIN, PATIENT, DAY)
    assert list(day) == ["pain", "exercises", "activities"]
    assert day["pain"][["time_of_day", "pain"]].values.tolist() == [["morning", 2.0]]
    assert day["exercises"]["exercise"].tolist() == ["Heel raise"]
    assert day["activities"].empty
    day_before = day_entry.stored_day(db, ADMIN, PATIENT, DAY - dt.timedelta(days=1))
    assert all(frame.empty for frame in day_before.values())


# --- the page -----------------------------------------------------------------------------------------------

PASSWORD = "test-only password"


@pytest.fixture
def app_db(clinic: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point REHAB_DB at the clinic, with Streamlit's process-wide caches emptied."""
    monkeypatch.setenv("REHAB_DB", str(clinic))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield clinic
    st.cache_data.clear()
    st.cache_resource.clear()
    close_database(clinic)


def entry_page() -> AppTest:
    """Sign in as the admin and open Log entry for the patient on DAY."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    fields = {field.label: field for field in at.text_input}
    fields["Username"].input("admin")
    fields["Password"].input(PASSWORD)
    next(button for button in at.button if button.label == "Sign in").click().run()
    at.switch_page("app_pages/log_entry.py")
    at.query_params["patient"] = PATIENT
    at.run()
    next(d for d in at.date_input if d.label == "Date").set_value(DAY).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def page_words(at: AppTest) -> str:
    """Return what the page says in its messages and text."""
    return "\n".join(e.value for e in [*at.success, *at.error, *at.warning, *at.markdown, *at.caption])


def score(at: AppTest, label: str, value: float) -> None:
    """Type a pain score."""
    next(n for n in at.number_input if n.label == label).set_value(value)


def test_the_page_shows_the_days_stored_entries_and_saves_in_clinic_words(app_db: Path) -> None:
    at = entry_page()
    assert "Nothing is stored for this day yet." in page_words(at)
    score(at, "Morning pain", 3.5)
    at.button(key="FormSubmitter:day_entry_0-Check and save").click().run()
    assert not at.exception, [e.message for e in at.exception]
    words = page_words(at)
    assert "Saved P001 on Mon 23 Nov 2026\\: 1 pain score\\." in at.success[0].value
    assert "app-entry" not in words and ".csv" not in words and "--replace" not in words
    shown = [frame.value for frame in at.dataframe if "When" in frame.value.columns]
    assert [frame[["When", "Pain", "Note"]].values.tolist() for frame in shown] == [[["morning", "3.5", ""]]]


def test_a_wrong_score_is_corrected_from_the_page(app_db: Path) -> None:
    at = entry_page()
    assert not [box for box in at.checkbox if box.label.startswith("Correct the stored pain score")]
    score(at, "Morning pain", 4.0)
    at.button(key="FormSubmitter:day_entry_0-Check and save").click().run()

    score(at, "Morning pain", 6.0)
    at.button(key="FormSubmitter:day_entry_1-Check and save").click().run()
    assert at.error and "Nothing was written" in at.error[0].value
    assert "tick “Correct the stored pain score”" in page_words(at)
    assert "--replace" not in page_words(at) and "app-entry" not in page_words(at)

    next(box for box in at.checkbox if box.label.startswith("Correct the stored pain score")).check()
    at.button(key="FormSubmitter:day_entry_1-Check and save").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert "1 pain score corrected" in at.success[0].value
    session = open_database(app_db).session()
    assert session.cursor.execute("select pain from pain_entries").fetchall() == [(6,)]
    assert session.cursor.execute("select pain from pain_entry_history").fetchall() == [(4,)]


def test_the_editors_hold_back_no_row_for_a_missing_cell(app_db: Path) -> None:
    # A column marked required makes the editor keep a new row to itself until that cell is filled: the row
    # never reaches the entry, and is lost without a word. The importer names what such a row lacks instead.
    at = entry_page()
    editors = [frame.proto for frame in at.dataframe if frame.proto.editing_mode]
    assert len(editors) == 2
    for editor in editors:
        config = json.loads(editor.columns)
        assert not [name for name, column in config.items() if column.get("required")], config
