"""Given programme files (the fifth log kind), expect strict line-numbered checks, both staging paths to
agree, normalised weekdays, and a re-import to add nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import dump, patients_file, query_rows, rehab, rehab_quiet, write_csv, write_text, write_xlsx

from dashboard.db import Database
from dashboard.importer import import_paths, import_sources
from dashboard.logformats import detect_format, normalise_header
from dashboard.reading import read_log_file, stage_csv_in_database

HEADER = "patient_id,effective_from,exercise,stage,sets,reps,days,hold_s,load_kg"
STORED = (
    "select patient_id, effective_from, exercise, stage, sets, reps, days, hold_s, load_kg "
    "from programme_items order by item_id"
)


@pytest.fixture
def db(tmp_path) -> Path:
    """Given a database holding patients P001 and P002."""
    path = tmp_path / "clinic.duckdb"
    assert rehab_quiet(path, "import", patients_file(tmp_path, "P001", "P002", name="seed.csv")) == 0
    return path


def programme_file(folder: Path, *rows: str, name: str = "programme.csv") -> Path:
    """Write a programme CSV with these data lines (line 2 onwards)."""
    return write_text(folder, name, HEADER + "\n" + "".join(f"{row}\n" for row in rows))


def test_given_a_programme_header_expect_the_programme_kind_in_any_order_and_spelling():
    header = normalise_header(["Patient ID", "Exercise", "Effective from", "Stage", "Sets", "Reps", "Days"])
    assert detect_format(header).kind == "programme"


def test_given_a_valid_programme_file_expect_items_stored_with_days_in_week_order(db, tmp_path, capsys):
    path = write_csv(tmp_path, "programme.csv", HEADER.split(","), [
        ["P001", "2026-11-02", "Calf raise", "Heavy_Slow", "3", "15", "Fri, monday ,WED", "", "20"],
        ["P001", "2026-11-02", "Isometric hold", "isometric", "5", "1", "daily", "45", ""],
        ["P002", "2026-11-03", "Spanish squat", "isometric", "4", "1", "tues, Thurs", "30.5", "0"],
        ["P001", "2026-11-16", " calf raise ", "heavy_slow", "0", "0", "None", "", ""],
    ])
    code, out, err = rehab(capsys, db, "import", path)
    assert code == 0, err
    assert "programme.csv: programme read 4, added 4, skipped 0 already imported" in out
    assert query_rows(db, STORED) == [
        ("P001", dt.date(2026, 11, 2), "Calf raise", "heavy_slow", 3, 15, "mon,wed,fri", None, 20.0),
        ("P001", dt.date(2026, 11, 2), "Isometric hold", "isometric", 5, 1, "daily", 45.0, None),
        ("P001", dt.date(2026, 11, 16), "calf raise", "heavy_slow", 0, 0, "none", None, None),
        ("P002", dt.date(2026, 11, 3), "Spanish squat", "isometric", 4, 1, "tue,thu", 30.5, 0.0),
    ]
    assert query_rows(db, "select source, rows_read, rows_added from programme_imports") == [
        ("programme.csv", 4, 4)
    ]


def test_given_the_same_file_again_expect_nothing_added(db, tmp_path, capsys):
    path = programme_file(tmp_path, "P001,2026-11-02,Calf raise,heavy_slow,3,15,daily,,20",
                          "P001,2026-11-02,Calf raise,heavy_slow,3,15,daily,,20")
    code, out, _ = rehab(capsys, db, "import", path)
    assert "programme read 2, added 1, skipped 1 already imported" in out  # a line stated twice is one item
    before = query_rows(db, STORED)
    code, out, err = rehab(capsys, db, "import", path)
    assert code == 0, err
    assert "programme read 2, added 0, skipped 2 already imported" in out
    assert query_rows(db, STORED) == before


def test_given_a_later_file_with_other_details_for_the_same_day_expect_a_new_version(db, tmp_path, capsys):
    first = programme_file(tmp_path, "P001,2026-11-02,Calf raise,heavy_slow,3,15,daily,,20", name="a.csv")
    second = programme_file(tmp_path, "P001,2026-11-02,Calf raise,heavy_slow,3,12,daily,,20", name="b.csv")
    assert rehab(capsys, db, "import", first)[0] == 0
    assert rehab(capsys, db, "import", second)[0] == 0
    assert rehab(capsys, db, "import", first)[1].count("added 0") == 2  # the old version is not added again
    assert [row[5] for row in query_rows(db, STORED)] == [15, 12]


def refused(capsys, db, path) -> str:
    """Import a file that must be refused whole; return its message."""
    before = dump(db)
    code, out, err = rehab(capsys, db, "import", path)
    assert code == 1 and out == ""
    assert f"REFUSED {path}" in err
    assert dump(db) == before
    return err


DAYS_HINT = "days must be daily, none, or weekdays separated by commas, like mon,wed,fri"


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("patient_id", "P009", "unknown patient: not in the database nor in this import"),
        ("effective_from", "2026-13-02", "no such date"),
        ("effective_from", "2/11/2026", "not a date in YYYY-MM-DD form"),
        ("exercise", "", "required value is missing"),
        ("stage", "walking", "must be one of: isometric, isotonic, heavy_slow, eccentric, energy_storage, "
         "plyometric, other"),
        ("stage", "", "required value is missing"),
        ("sets", "0", "must be between 1 and 100 (0 only on a row whose days is none)"),
        ("sets", "", "required value is missing"),
        ("reps", "1001", "must be between 1 and 1000"),
        ("reps", "2.5", "not a whole number"),
        ("hold_s", "0", "must be more than 0 and at most 3600"),
        ("load_kg", "-0.5", "must be between 0 and 1000"),
        ("days", "", "required value is missing"),
        ("days", "mon;wed", f"'mon;wed' is not a weekday: {DAYS_HINT}"),
        ("days", "mo,we", f"'mo' is not a weekday: {DAYS_HINT}"),
        ("days", "mon,,fri", f"a weekday is missing between commas: {DAYS_HINT}"),
        ("days", "mon,Monday", f"names monday twice: {DAYS_HINT}"),
        ("days", "daily,sat", f"'daily' is not a weekday: {DAYS_HINT}"),
    ],
)
def test_given_one_bad_cell_expect_the_file_refused_naming_line_column_value_and_reason(
    db, tmp_path, capsys, column, value, reason
):
    cells = dict(zip(HEADER.split(","), ["P001", "2026-11-02", "Calf raise", "heavy_slow", "3", "15",
                                         "mon,wed,fri", "", "20"], strict=True))
    cells[column] = value
    good = "P002,2026-11-02,Squat,isotonic,3,10,daily,,"
    path = write_csv(tmp_path, "programme.csv", HEADER.split(","), [good.split(","), list(cells.values())])
    err = refused(capsys, db, path)
    assert f"programme.csv, line 3, column {column}, value {value!r}: {reason}" in err
    assert ": 1 problem;" in err


def test_given_a_stop_row_expect_zero_sets_and_reps_accepted_and_blank_ones_refused(db, tmp_path, capsys):
    path = programme_file(tmp_path, "P001,2026-11-02,Calf raise,heavy_slow,0,0,none,,",
                          "P001,2026-11-03,Squat,isotonic,,,none,,")
    err = refused(capsys, db, path)
    assert "line 3, column sets, value '': required value is missing" in err
    assert "line 3, column reps, value '': required value is missing" in err
    assert ": 2 problems;" in err


def test_given_two_versions_of_an_exercise_for_one_day_expect_both_lines_named(db, tmp_path, capsys):
    path = programme_file(
        tmp_path,
        "P001,2026-11-02,Calf raise,heavy_slow,3,15,\"mon,wed,fri\",,20",
        "P001,2026-11-02, CALF RAISE ,heavy_slow,3,12,\"mon,wed,fri\",,20",
        "P001,2026-11-02,Calf raise,heavy_slow,3,15,\"Fri,Mon,Wed\",,20.0",  # the same details: fine
        "P001,2026-11-09,calf raise,heavy_slow,3,12,daily,,20",  # another day: fine
        "P002,2026-11-02,Calf raise,isometric,5,1,daily,45,",  # another patient: fine
    )
    err = refused(capsys, db, path)
    assert (
        "programme.csv, line 3, column exercise, value 'CALF RAISE': line 2 already prescribes this exercise "
        "for P001 from 2026-11-02 with other details; a file may give one version of an exercise per patient "
        "and date"
    ) in err
    assert ": 1 problem;" in err


def test_given_a_workbook_with_patients_and_programme_sheets_expect_both_imported(tmp_path, capsys):
    path = write_xlsx(tmp_path, "clinic.xlsx", {
        "Patients": [["patient_id", "start_date"], ["P100", dt.date(2026, 11, 1)]],
        "Programme": [
            ["Patient ID", "Effective from", "Exercise", "Stage", "Sets", "Reps", "Days"],
            ["P100", dt.date(2026, 11, 2), "Calf raise", "isometric", 5, 1, "Mon, Thu"],
        ],
    })
    database = tmp_path / "book.duckdb"
    code, out, err = rehab(capsys, database, "import", path)
    assert code == 0, err
    assert "clinic.xlsx [sheet Programme]: programme read 1, added 1" in out
    assert query_rows(database, STORED) == [
        ("P100", dt.date(2026, 11, 2), "Calf raise", "isometric", 5, 1, "mon,thu", None, None)
    ]


def test_given_a_workbook_programme_sheet_with_a_bad_row_expect_the_workbook_refused(db, tmp_path, capsys):
    path = write_xlsx(tmp_path, "plan.xlsx", {
        "Programme": [HEADER.split(","), ["P001", dt.date(2026, 11, 2), "Calf raise", "isometric", 5, 1,
                                          "someday"]],
    })
    err = refused(capsys, db, path)
    assert (
        "plan.xlsx [sheet Programme], line 2, column days, value 'someday': 'someday' is not a weekday: "
        f"{DAYS_HINT}"
    ) in err


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry run"])
@pytest.mark.parametrize(
    "text",
    [
        HEADER + "\nP001,2026-11-02,Calf raise,heavy_slow,3,15,\"fri, Mon\",,20\n"
        " P002 ,2026-11-03,\u00a0Squat\t,ISOTONIC,3,10,Daily,,\n,,,,,,,,\n"
        "P001,2026-11-09,calf raise,heavy_slow,0,0,none,,\n",
        HEADER + "\nP009,2026-11-02,Calf raise,heavy_slow,0,15,mon,,20\n,,,,,,,,\n"
        "P001,2026-11-03,Squat,isotonic,3,10,sunday;monday,,\n",
    ],
    ids=["valid", "invalid"],
)
def test_given_a_file_on_disk_or_uploaded_expect_the_same_rows_and_report(tmp_path, text, dry_run):
    patients = patients_file(tmp_path, "P001", "P002")
    path = write_text(tmp_path, "programme.csv", text)
    databases = {name: Database(tmp_path / f"{name}.duckdb") for name in ("disk", "upload")}
    try:
        probe = databases["disk"].session()
        _, sheet = stage_csv_in_database("programme.csv", path, probe)
        assert sheet is not None, "a plain programme CSV on disk is staged by DuckDB's reader"
        by_duckdb = probe.cursor.execute("select * from staged_rows order by line").fetchall()
        (uploaded,) = read_log_file("programme.csv", path.read_bytes())
        assert by_duckdb == [tuple(row.values()) for row in uploaded.table.to_pylist()]
        probe.cursor.close()
        reports = []
        for _ in range(2):
            disk = import_paths(databases["disk"], [patients, path], dry_run=dry_run)
            upload = import_sources(
                databases["upload"], [(str(p), p.read_bytes()) for p in (patients, path)], dry_run=dry_run
            )
            assert disk.report() == upload.report()
            reports.append(disk.report())
        stored = [database.session().cursor.execute(STORED).fetchall() for database in databases.values()]
    finally:
        for database in databases.values():
            database.close()
    assert stored[0] == stored[1]
    if "P009" in text:
        assert "programme.csv, line 2, column patient_id, value 'P009'" in reports[0]
        assert "programme.csv, line 2, column sets, value '0'" in reports[0]
        assert "programme.csv, line 4, column days, value 'sunday;monday'" in reports[0]
    elif not dry_run:
        assert "programme: programme read 3, added 3" in reports[0]
        assert "programme: programme read 3, added 0, skipped 3" in reports[1]
        assert [row[6] for row in stored[0]] == ["mon,fri", "none", "daily"]
