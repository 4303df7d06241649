"""Given a log file with a bad row, expect it refused whole, naming file, line, column, value and reason."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from helpers import (
    ACTIVITIES_HEADER,
    EXERCISES_HEADER,
    PAIN_HEADER,
    count,
    dump,
    patients_file,
    rehab,
    rehab_quiet,
    write_csv,
    write_text,
    write_xlsx,
)

from dashboard.importer import MAX_LISTED_PROBLEMS
from dashboard.logformats import FORMATS

VALID_ROWS = {
    "patients": (
        "patient_id,name,clinician,condition,start_date,daily_rep_target,pain_ceiling,flare_threshold,"
        "discharged_on",
        "P100,Ann,Sam Patel,Achilles,2026-01-01,90,5,2,2026-03-01",
    ),
    "pain": (PAIN_HEADER, "P001,2026-01-02,morning,3.5,ok"),
    "exercises": (EXERCISES_HEADER, "P001,2026-01-02,Calf raise,heavy_slow,3,15,0,20.5,2,ok"),
    "activities": (ACTIVITIES_HEADER, "P001,2026-01-02,run,30,6,2,ok"),
    "programme": (
        "patient_id,effective_from,exercise,stage,sets,reps,days,hold_s,load_kg",
        "P001,2026-01-05,Calf raise,heavy_slow,3,15,daily,,20",
    ),
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A database holding patients P001 and P002, built once per module and copied for each test."""
    folder = tmp_path_factory.mktemp("seed")
    path = folder / "clinic.duckdb"
    assert rehab_quiet(path, "import", patients_file(folder, "P001", "P002", name="seed.csv")) == 0
    return path


@pytest.fixture
def db(seeded, tmp_path):
    """Given a database that already holds patients P001 and P002."""
    path = tmp_path / "clinic.duckdb"
    shutil.copyfile(seeded, path)
    return path


def refused(capsys, db, *files, problems: int | None = None) -> str:
    """Import files that must all be refused; check nothing changed and return the message (stderr)."""
    before = dump(db)
    code, out, err = rehab(capsys, db, "import", *files)
    assert code != 0
    assert out == ""
    assert dump(db) == before, "a refused file changed the database"
    for path in files:
        assert f"REFUSED {path}" in err
    if problems is not None:
        assert f": {problems} problem{'s' if problems != 1 else ''}; nothing from it was written" in err
    return err


def cell_message(kind: str, column: str, value: str, tmp_path) -> tuple:
    """Return a file of this kind whose one row (line 2) has one cell replaced."""
    return bad_rows_file(kind, [(column, value)], tmp_path)


def bad_rows_file(kind: str, changes: list[tuple[str, str]], tmp_path):
    """Return a file of this kind with one valid row per change, that one cell replaced (lines 2, 3...)."""
    header, row = VALID_ROWS[kind]
    names = header.split(",")
    rows = []
    for column, value in changes:
        cells = row.split(",")
        cells[names.index(column)] = value
        if kind == "patients":
            cells[0] = f"P{100 + len(rows)}"
        rows.append(cells)
    return write_csv(tmp_path, f"{kind}.csv", names, rows)


def expect_each_row_refused(capsys, db, tmp_path, kind, cases):
    """Given one bad row per (column, value, reason), expect each reported at its own editor line."""
    path = bad_rows_file(kind, [(column, value) for column, value, _ in cases], tmp_path)
    err = refused(capsys, db, path, problems=len(cases))
    for line, (column, value, reason) in enumerate(cases, start=2):
        shown = value.strip()  # values are shown as read: whitespace around them is not part of them
        assert f"{kind}.csv, line {line}, column {column}, value {shown!r}: {reason}" in err


# --- the valid rows really are valid, so each test below fails for the one cell it changes ---


@pytest.mark.parametrize("kind", VALID_ROWS)
def test_given_the_valid_row_of_each_kind_expect_it_imported(kind, db, tmp_path, capsys):
    header, row = VALID_ROWS[kind]
    path = write_text(tmp_path, f"{kind}.csv", f"{header}\n{row}\n")
    code, out, err = rehab(capsys, db, "import", path)
    assert code == 0, err
    assert f"{kind} read 1, added 1, skipped 0" in out


# --- missing required values ---

REQUIRED = [
    (fmt.kind, column) for fmt in FORMATS.values() for column in fmt.columns if column in fmt.required
]


@pytest.mark.parametrize("kind", FORMATS)
def test_given_a_missing_required_value_expect_refusal_naming_line_column_value(kind, db, tmp_path, capsys):
    cases = [
        (column, blank, "required value is missing")
        for column in FORMATS[kind].columns
        if column in FORMATS[kind].required
        for blank in ("", "   ")
    ]
    if kind == "patients":  # a blank patient_id cannot be given a fresh id; test it alone
        cases = [case for case in cases if case[0] != "patient_id"]
    expect_each_row_refused(capsys, db, tmp_path, kind, cases)


def test_given_a_patients_row_without_patient_id_expect_refusal(db, tmp_path, capsys):
    path = write_text(tmp_path, "patients.csv", "patient_id,start_date\nP100,2026-01-01\n ,2026-01-01\n")
    err = refused(capsys, db, path, problems=1)
    assert "patients.csv, line 3, column patient_id, value '': required value is missing" in err


# --- unknown patients ---


@pytest.mark.parametrize("kind", ["pain", "exercises", "activities"])
def test_given_an_unknown_patient_expect_refusal(kind, db, tmp_path, capsys):
    path = cell_message(kind, "patient_id", "P999", tmp_path)
    err = refused(capsys, db, path, problems=1)
    assert "line 2, column patient_id, value 'P999': unknown patient" in err


def test_given_a_patient_defined_in_another_file_of_the_same_import_expect_acceptance(db, tmp_path, capsys):
    pain = write_text(tmp_path, "pain.csv", f"{PAIN_HEADER}\nP777,2026-01-02,morning,3,\n")
    new_patients = patients_file(tmp_path, "P777", name="new.csv")
    code, out, err = rehab(
        capsys, db, "import", str(pain), str(new_patients)
    )  # pain first on the command line
    assert code == 0, err
    assert count(db, "pain_entries") == 1


def test_given_a_refused_patients_file_expect_the_pain_file_in_the_same_command_refused_for_unknown_patients(
    db, tmp_path, capsys
):
    new_patients = write_text(tmp_path, "new.csv", "patient_id,start_date\nP777,2026-02-30\n")
    pain = write_text(tmp_path, "pain.csv", f"{PAIN_HEADER}\nP777,2026-03-02,morning,3,\n")
    err = refused(capsys, db, new_patients, pain)
    assert "new.csv, line 2, column start_date, value '2026-02-30': no such date" in err
    assert "pain.csv, line 2, column patient_id, value 'P777': unknown patient" in err


# --- dates ---


BAD_DATES = [
    ("2026-02-30", "no such date"),
    ("2026-13-01", "no such date"),
    ("2025-02-29", "no such date"),
    ("2026-04-31", "no such date"),
    ("0000-01-01", "no such date"),
    ("2026/01/02", "not a date in YYYY-MM-DD form"),
    ("02-01-2026", "not a date in YYYY-MM-DD form"),
    ("2026-1-2", "not a date in YYYY-MM-DD form"),
    ("20260102", "not a date in YYYY-MM-DD form"),
    ("yesterday", "not a date in YYYY-MM-DD form"),
]


@pytest.mark.parametrize(
    ("kind", "column"),
    [
        ("pain", "date"),
        ("exercises", "date"),
        ("activities", "date"),
        ("patients", "start_date"),
        ("patients", "discharged_on"),
    ],
)
def test_given_an_impossible_or_malformed_date_expect_refusal(kind, column, db, tmp_path, capsys):
    expect_each_row_refused(
        capsys, db, tmp_path, kind, [(column, value, reason) for value, reason in BAD_DATES]
    )


def test_given_a_leap_day_expect_acceptance(db, tmp_path, capsys):
    path = cell_message("pain", "date", "2028-02-29", tmp_path)
    code, _, err = rehab(capsys, db, "import", path)
    assert code == 0, err


def test_given_discharge_before_start_expect_refusal(db, tmp_path, capsys):
    path = cell_message("patients", "discharged_on", "2025-12-31", tmp_path)
    err = refused(capsys, db, path, problems=1)
    assert (
        "line 2, column discharged_on, value '2025-12-31': discharge date is before start_date 2026-01-01"
        in err
    )


# --- numbers: range, decimals, text ---

NUMBER_CASES = [
    ("pain", "pain", "11", "must be between 0 and 10"),
    ("pain", "pain", "-1", "must be between 0 and 10"),
    ("pain", "pain", "10.5", "must be between 0 and 10"),
    ("pain", "pain", "3.25", "at most 1 decimal place"),
    ("pain", "pain", "three", "not a number"),
    ("pain", "pain", "3,5", "not a number"),
    ("pain", "pain", "1e1", "not a number"),
    ("exercises", "sets", "0", "must be between 1 and 100"),
    ("exercises", "sets", "-3", "must be between 1 and 100"),
    ("exercises", "sets", "2.5", "not a whole number"),
    ("exercises", "sets", "three", "not a number"),
    ("exercises", "reps", "0", "must be between 1 and 1000"),
    ("exercises", "reps", "-10", "must be between 1 and 1000"),
    ("exercises", "reps", "ten", "not a number"),
    ("exercises", "hold_s", "-1", "must be between 0 and 3600"),
    ("exercises", "load_kg", "40kg", "not a number"),
    ("exercises", "load_kg", "-5", "must be between 0 and 1000"),
    ("exercises", "pain_during", "11", "must be between 0 and 10"),
    ("activities", "duration_min", "0", "must be more than 0 and at most 1440"),
    ("activities", "duration_min", "-20", "must be more than 0 and at most 1440"),
    ("activities", "duration_min", "half an hour", "not a number"),
    ("activities", "rpe", "0", "must be between 1 and 10"),
    ("activities", "rpe", "11", "must be between 1 and 10"),
    ("activities", "pain_during", "-0.5", "must be between 0 and 10"),
    ("activities", "pain_during", "lots", "not a number"),
    ("programme", "sets", "0", "must be between 1 and 100 (0 only on a row whose days is none)"),
    ("programme", "sets", "101", "must be between 1 and 100"),
    ("programme", "reps", "1.5", "not a whole number"),
    ("programme", "reps", "many", "not a number"),
    ("programme", "hold_s", "0", "must be more than 0 and at most 3600"),
    ("programme", "load_kg", "-1", "must be between 0 and 1000"),
    ("patients", "pain_ceiling", "11", "must be between 0 and 10"),
    ("patients", "pain_ceiling", "high", "not a number"),
    ("patients", "flare_threshold", "0", "must be more than 0 and at most 10"),
    ("patients", "daily_rep_target", "0", "must be between 1 and 10000"),
    ("patients", "daily_rep_target", "90.5", "not a whole number"),
]


@pytest.mark.parametrize("kind", FORMATS)
def test_given_a_bad_number_expect_refusal(kind, db, tmp_path, capsys):
    cases = [
        (column, value, reason) for case_kind, column, value, reason in NUMBER_CASES if case_kind == kind
    ]
    expect_each_row_refused(capsys, db, tmp_path, kind, cases)


def test_given_pain_scores_in_range_with_at_most_one_decimal_expect_acceptance(db, tmp_path, capsys):
    values = ["0", "10", "3.5", " 4 ", "7.0", "+2", "0.50"]
    path = bad_rows_file("pain", [("pain", value) for value in values], tmp_path)
    code, _, err = rehab(capsys, db, "import", path)
    assert code == 0, err
    from helpers import query_rows

    assert sorted(float(r[0]) for r in query_rows(db, "select pain from pain_entries")) == [
        0,
        0.5,
        2,
        3.5,
        4,
        7,
        10,
    ]


# --- choices ---


def test_given_an_unknown_time_of_day_expect_refusal(db, tmp_path, capsys):
    expect_each_row_refused(
        capsys,
        db,
        tmp_path,
        "pain",
        [
            ("time_of_day", value, "must be one of: morning, evening")
            for value in ("noon", "am", "morning!", "night")
        ],
    )


def test_given_an_unknown_stage_expect_refusal(db, tmp_path, capsys):
    reason = "must be one of: isometric, isotonic, heavy_slow, eccentric, energy_storage, plyometric, other"
    expect_each_row_refused(
        capsys,
        db,
        tmp_path,
        "exercises",
        [("stage", value, reason) for value in ("strength", "heavy slow", "iso")],
    )


@pytest.mark.parametrize(
    ("kind", "column", "value"),
    [
        ("pain", "time_of_day", "Morning"),
        ("pain", "time_of_day", " EVENING "),
        ("exercises", "stage", "Heavy_Slow"),
    ],
)
def test_given_a_choice_in_another_letter_case_expect_acceptance(kind, column, value, db, tmp_path, capsys):
    path = cell_message(kind, column, value, tmp_path)
    code, _, err = rehab(capsys, db, "import", path)
    assert code == 0, err


def test_given_a_patient_twice_with_different_details_expect_refusal(db, tmp_path, capsys):
    path = write_text(tmp_path, "patients.csv", "patient_id,start_date\nP100,2026-01-01\nP100,2026-01-02\n")
    err = refused(capsys, db, path, problems=1)
    assert (
        "line 3, column patient_id, value 'P100': patient appears again with different details "
        "(first on line 2)"
    ) in err


# --- every bad row is listed, with editor line numbers whatever the layout ---


def test_given_several_bad_rows_expect_every_one_listed_in_line_order(db, tmp_path, capsys):
    path = write_text(
        tmp_path,
        "pain.csv",
        f"{PAIN_HEADER}\n"
        "P001,2026-01-02,morning,3,\n"
        "P001,2026-01-03,noon,3,\n"
        "P001,2026-01-04,evening,3,\n"
        "P009,2026-02-30,morning,12,\n",
    )
    err = refused(capsys, db, path, problems=4)
    expected = [
        "pain.csv, line 3, column time_of_day, value 'noon': must be one of: morning, evening",
        "pain.csv, line 5, column patient_id, value 'P009': unknown patient",
        "pain.csv, line 5, column date, value '2026-02-30': no such date",
        "pain.csv, line 5, column pain, value '12': must be between 0 and 10",
    ]
    positions = [err.index(message) for message in expected]
    assert positions == sorted(positions)


def test_given_quoted_multi_line_notes_before_a_bad_row_expect_the_editor_line(db, tmp_path, capsys):
    path = write_text(
        tmp_path,
        "pain.csv",
        f"{PAIN_HEADER}\n"
        'P001,2026-01-02,morning,3,"sore after\nthe drive, ""pinchy""\nall evening"\n'  # lines 2-4
        'P001,2026-01-03,morning,2,"two\nlines"\n'  # lines 5-6
        "P001,2026-01-04,morning,11,\n",
    )  # line 7
    err = refused(capsys, db, path, problems=1)
    assert "pain.csv, line 7, column pain, value '11': must be between 0 and 10" in err


def test_given_a_bad_cell_inside_a_multi_line_row_expect_the_line_the_row_starts_on(db, tmp_path, capsys):
    path = write_text(
        tmp_path,
        "pain.csv",
        f'{PAIN_HEADER}\nP001,2026-01-02,morning,3,"a\nb"\nP001,2026-01-03,morning,12,"c\nd"\n',
    )
    err = refused(capsys, db, path, problems=1)
    assert "pain.csv, line 4, column pain, value '12'" in err


def test_given_blank_lines_in_the_middle_expect_them_skipped_and_lines_still_counted(db, tmp_path, capsys):
    path = write_text(
        tmp_path,
        "pain.csv",
        f"{PAIN_HEADER}\nP001,2026-01-02,morning,3,\n\n\n"
        "P001,2026-01-03,morning,x,\n,,,,\n\nP001,2026-01-04,evening,4,\n",
    )
    err = refused(capsys, db, path, problems=1)
    assert "pain.csv, line 5, column pain, value 'x': not a number" in err


def test_given_blank_lines_in_a_valid_file_expect_only_the_real_rows_imported(db, tmp_path, capsys):
    path = write_text(
        tmp_path,
        "pain.csv",
        f"{PAIN_HEADER}\n\nP001,2026-01-02,morning,3,\n\n,,,,\nP001,2026-01-03,morning,4,\n\n",
    )
    code, out, err = rehab(capsys, db, "import", path)
    assert code == 0, err
    assert "pain read 2, added 2" in out


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("crlf", [False, True])
def test_given_bom_and_crlf_variants_expect_the_same_line_numbers(bom, crlf, db, tmp_path, capsys):
    text = (
        f'{PAIN_HEADER}\nP001,2026-01-02,morning,3,"multi\nline"\nP001,2026-01-03,morning,3,\n'
        "P001,2026-01-04,evening,-2,\n"
    )
    path = write_text(tmp_path, "pain.csv", text, bom=bom, crlf=crlf)
    err = refused(capsys, db, path, problems=1)
    assert "pain.csv, line 5, column pain, value '-2': must be between 0 and 10" in err


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("crlf", [False, True])
def test_given_bom_and_crlf_in_a_valid_file_expect_clean_values(bom, crlf, db, tmp_path, capsys):
    path = write_text(
        tmp_path, "pain.csv", f"{PAIN_HEADER}\nP001,2026-01-02,morning,3,last note\n", bom=bom, crlf=crlf
    )
    code, _, err = rehab(capsys, db, "import", path)
    assert code == 0, err
    from helpers import query_rows

    assert query_rows(db, "select patient_id, note from pain_entries") == [("P001", "last note")]


def test_given_old_mac_cr_line_endings_expect_the_file_read_and_lines_counted(db, tmp_path, capsys):
    path = write_text(
        tmp_path, "pain.csv", f"{PAIN_HEADER}\rP001,2026-01-02,morning,3,\rP001,2026-01-03,morning,33,\r"
    )
    err = refused(capsys, db, path, problems=1)
    assert "pain.csv, line 3, column pain, value '33': must be between 0 and 10" in err


def test_given_the_header_in_another_case_and_order_expect_acceptance_and_right_columns(db, tmp_path, capsys):
    path = write_text(
        tmp_path, "pain.csv", " Pain ,NOTE,Time_Of_Day,Date,PATIENT_ID\n2.5,hi,Evening,2026-01-02,P001\n"
    )
    code, _, err = rehab(capsys, db, "import", path)
    assert code == 0, err
    from helpers import query_rows

    rows = query_rows(db, "select patient_id, date, time_of_day, pain, note from pain_entries")
    assert [(r[0], r[1], r[2], float(r[3]), r[4]) for r in rows] == [
        ("P001", dt.date(2026, 1, 2), "evening", 2.5, "hi")
    ]


def test_given_the_header_in_another_order_and_a_bad_row_expect_the_right_column_named(db, tmp_path, capsys):
    path = write_text(
        tmp_path,
        "pain.csv",
        "PAIN,Date,patient_id,time_of_day\n4,2026-01-02,P001,morning\n3,2026-01-32,P001,morning\n",
    )
    err = refused(capsys, db, path, problems=1)
    assert "pain.csv, line 3, column date, value '2026-01-32': no such date" in err


def test_given_optional_columns_absent_expect_acceptance(db, tmp_path, capsys):
    path = write_text(
        tmp_path, "exercises.csv", "patient_id,date,exercise,sets,reps\nP001,2026-01-02,Squat,3,10\n"
    )
    code, _, err = rehab(capsys, db, "import", path)
    assert code == 0, err


def test_given_a_row_with_too_many_values_expect_refusal_naming_the_line(db, tmp_path, capsys):
    path = write_text(
        tmp_path, "pain.csv", f"{PAIN_HEADER}\nP001,2026-01-02,morning,3,\nP001,2026-01-03,morning,3,a,b\n"
    )
    err = refused(capsys, db, path, problems=1)
    assert "pain.csv, line 3: the row has 6 values but the header has 5 columns" in err


# --- the cap on listed problems ---


def test_given_more_problems_than_the_cap_expect_the_rest_counted(db, tmp_path, capsys):
    extra = 7
    rows = [f"P001,2026-01-02,morning,{11 + n},\n" for n in range(MAX_LISTED_PROBLEMS + extra)]
    path = write_text(tmp_path, "pain.csv", PAIN_HEADER + "\n" + "".join(rows))
    err = refused(capsys, db, path, problems=MAX_LISTED_PROBLEMS + extra)
    listed = [line for line in err.splitlines() if line.startswith("  pain.csv, line ")]
    assert len(listed) == MAX_LISTED_PROBLEMS
    assert listed[0] == "  pain.csv, line 2, column pain, value '11': must be between 0 and 10"
    assert listed[-1].startswith(f"  pain.csv, line {MAX_LISTED_PROBLEMS + 1}, column pain")
    assert f"... and {extra} more problems in {path}" in err


# --- empty files and headers ---


def expect_expected_columns_listed(err: str) -> None:
    """Check the message lists every format's columns, required ones starred."""
    for fmt in FORMATS.values():
        assert f"{fmt.kind}: {fmt.describe()}" in err
    assert "patient_id*" in err


@pytest.mark.parametrize("text", ["", "\n", "\ufeff", "\n\n\n"])
def test_given_an_empty_file_expect_a_clear_error_listing_the_expected_columns(text, db, tmp_path, capsys):
    path = write_text(tmp_path, "empty.csv", text)
    err = refused(capsys, db, path, problems=1)
    assert "empty.csv, line 1: the file is empty" in err
    expect_expected_columns_listed(err)


@pytest.mark.parametrize("header", ["weight,height", "patient_id,date,mood", "patient_id,date"])
def test_given_an_unknown_header_expect_a_clear_error_listing_the_expected_columns(
    header, db, tmp_path, capsys
):
    path = write_text(tmp_path, "odd.csv", f"{header}\nP001,2026-01-02,x\n")
    err = refused(capsys, db, path, problems=1)
    assert f"odd.csv, line 1: header not recognised: {header.replace(',', ', ')}" in err
    expect_expected_columns_listed(err)


def test_given_a_header_missing_a_required_column_expect_it_named(db, tmp_path, capsys):
    path = write_text(tmp_path, "pain.csv", "patient_id,date,time_of_day,note\nP001,2026-01-02,morning,\n")
    err = refused(capsys, db, path, problems=1)
    assert "closest is a pain log (missing required column pain)" in err


def test_given_a_column_named_twice_expect_refusal(db, tmp_path, capsys):
    path = write_text(
        tmp_path, "pain.csv", "patient_id,date,time_of_day,pain,Pain\nP001,2026-01-02,morning,3,3\n"
    )
    err = refused(capsys, db, path, problems=1)
    assert "header names column 'pain' twice" in err


def test_given_a_header_only_file_expect_nothing_read_and_nothing_written(db, tmp_path, capsys):
    path = write_text(tmp_path, "pain.csv", PAIN_HEADER + "\n")
    before = count(db, "pain_entries")
    code, out, err = rehab(capsys, db, "import", path)
    assert code == 0, err
    assert "pain read 0, added 0, skipped 0" in out
    assert count(db, "pain_entries") == before


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("pain.txt", b"x", "unsupported file type '.txt': use .csv or .xlsx"),
        ("pain.csv", b"patient_id,date\x00", "the file holds binary data"),
        (
            "pain.csv",
            PAIN_HEADER.encode() + b"\nP001,2026-01-02,morning,3,caf\xe9\n",
            "the file is not UTF-8 text",
        ),
        ("pain.xlsx", b"not a zip", "not a readable XLSX workbook"),
    ],
)
def test_given_a_file_that_is_not_a_log_expect_a_clear_refusal(name, data, reason, db, tmp_path, capsys):
    path = tmp_path / name
    path.write_bytes(data)
    err = refused(capsys, db, path, problems=1)
    assert reason in err


def test_given_a_missing_file_expect_refusal_naming_it(db, tmp_path, capsys):
    path = tmp_path / "nowhere.csv"
    before = dump(db)
    code, _, err = rehab(capsys, db, "import", path)
    assert code != 0
    assert f"{path}: cannot read the file" in err
    assert dump(db) == before


# --- XLSX ---


def test_given_an_xlsx_with_a_real_date_cell_and_a_bad_cell_expect_the_spreadsheet_row(db, tmp_path, capsys):
    path = write_xlsx(
        tmp_path,
        "log.xlsx",
        {
            "Pain log": [
                ["patient_id", "date", "time_of_day", "pain"],
                ["P001", dt.date(2026, 1, 2), "morning", 3],
                [None],
                [None],
                ["P001", dt.date(2026, 1, 3), "morning", 10.5],  # row 5
                ["P001", dt.datetime(2026, 1, 4), "evening", 4.5],
            ]
        },
    )
    err = refused(capsys, db, path, problems=1)
    assert "log.xlsx [sheet Pain log], line 5, column pain, value '10.5': must be between 0 and 10" in err


def test_given_an_xlsx_with_real_date_cells_expect_them_imported_as_dates(db, tmp_path, capsys):
    path = write_xlsx(
        tmp_path,
        "log.xlsx",
        {
            "pain": [
                ["patient_id", "date", "time_of_day", "pain", "note"],
                ["P001", dt.date(2026, 1, 2), "morning", 3, None],
                ["P001", dt.datetime(2026, 1, 3), "evening", 4.5, "ok"],
                ["P001", "2026-01-04", "morning", "2", None],
            ]
        },
    )
    code, _, err = rehab(capsys, db, "import", path)
    assert code == 0, err
    from helpers import query_rows

    rows = query_rows(db, "select date, time_of_day, pain, note from pain_entries order by date")
    assert [(r[0], r[1], float(r[2]), r[3]) for r in rows] == [
        (dt.date(2026, 1, 2), "morning", 3.0, None),
        (dt.date(2026, 1, 3), "evening", 4.5, "ok"),
        (dt.date(2026, 1, 4), "morning", 2.0, None),
    ]


def test_given_an_xlsx_date_cell_with_a_time_expect_refusal(db, tmp_path, capsys):
    path = write_xlsx(
        tmp_path,
        "log.xlsx",
        {
            "pain": [
                ["patient_id", "date", "time_of_day", "pain"],
                ["P001", dt.datetime(2026, 1, 2, 9, 30), "morning", 3],
            ]
        },
    )
    err = refused(capsys, db, path, problems=1)
    assert "line 2, column date, value '2026-01-02 09:30:00': not a date in YYYY-MM-DD form" in err


def test_given_an_xlsx_with_patients_and_pain_sheets_expect_both_imported(db, tmp_path, capsys):
    path = write_xlsx(
        tmp_path,
        "clinic.xlsx",
        {
            "Pain": [
                ["patient_id", "date", "time_of_day", "pain"],
                ["P500", dt.date(2026, 1, 2), "morning", 3],
            ],
            "Patients": [["Patient_ID", "Start_Date", "Name"], ["P500", dt.date(2026, 1, 1), "Ann"]],
        },
    )
    code, out, err = rehab(capsys, db, "import", path)
    assert code == 0, err
    assert "clinic.xlsx [sheet Patients]: patients read 1, added 1" in out
    assert "clinic.xlsx [sheet Pain]: pain read 1, added 1" in out
    assert count(db, "pain_entries") == 1


def test_given_an_xlsx_with_a_bad_pain_sheet_expect_its_patients_sheet_refused_too(db, tmp_path, capsys):
    path = write_xlsx(
        tmp_path,
        "clinic.xlsx",
        {
            "Patients": [["patient_id", "start_date"], ["P500", dt.date(2026, 1, 1)]],
            "Pain": [
                ["patient_id", "date", "time_of_day", "pain"],
                ["P500", dt.date(2026, 1, 2), "morning", 3],
                ["P500", dt.date(2026, 1, 2), "noon", 3],
            ],
        },
    )
    err = refused(capsys, db, path, problems=1)
    assert "clinic.xlsx [sheet Pain], line 3, column time_of_day, value 'noon'" in err


def test_given_an_xlsx_sheet_with_an_unknown_header_expect_the_workbook_refused(db, tmp_path, capsys):
    path = write_xlsx(
        tmp_path,
        "clinic.xlsx",
        {
            "Patients": [["patient_id", "start_date"], ["P500", dt.date(2026, 1, 1)]],
            "Notes": [["remember to call"], ["P500"]],
        },
    )
    err = refused(capsys, db, path, problems=1)
    assert "clinic.xlsx [sheet Notes], line 1: header not recognised: remember to call" in err
    expect_expected_columns_listed(err)


def test_given_an_xlsx_sheet_whose_header_is_not_on_row_1_expect_refusal_not_silence(db, tmp_path, capsys):
    path = write_xlsx(
        tmp_path,
        "clinic.xlsx",
        {
            "Patients": [["patient_id", "start_date"], ["P500", dt.date(2026, 1, 1)]],
            "Pain": [
                [None],
                ["patient_id", "date", "time_of_day", "pain"],
                ["P500", dt.date(2026, 1, 2), "morning", 3],
            ],
        },
    )
    err = refused(capsys, db, path, problems=1)
    assert "clinic.xlsx [sheet Pain], line 1: " in err
    assert "header" in err


def test_given_an_empty_workbook_expect_a_clear_error(db, tmp_path, capsys):
    path = write_xlsx(tmp_path, "empty.xlsx", {"Sheet1": []})
    err = refused(capsys, db, path, problems=1)
    assert "empty.xlsx, line 1: the workbook has no sheet with a header row" in err


def test_given_a_refused_file_expect_other_files_of_the_command_still_imported(db, tmp_path, capsys):
    good = write_text(tmp_path, "good.csv", f"{PAIN_HEADER}\nP001,2026-01-02,morning,3,\n")
    bad = write_text(
        tmp_path, "bad.csv", f"{PAIN_HEADER}\nP001,2026-01-02,morning,3,\nP001,2026-01-03,morning,,\n"
    )
    code, _, err = rehab(capsys, db, "import", good, bad)
    assert code != 0
    assert "good.csv: pain read 1, added 1" in err
    assert f"REFUSED {bad}: 1 problem; nothing from it was written" in err
    assert "bad.csv, line 3, column pain, value '': required value is missing" in err
    assert count(db, "pain_entries") == 1


# --- whitespace that spreadsheets leave around values ---


def test_given_tabs_line_breaks_and_no_break_spaces_around_values_expect_them_trimmed(db, tmp_path, capsys):
    from helpers import query_rows

    path = write_csv(
        tmp_path,
        "exercises.csv",
        EXERCISES_HEADER.split(","),
        [["P001\t", "2026-01-02\xa0", "Calf raise\n", "\tisotonic", " 3\t", "10\n", "", "", "", " keep me "]],
    )
    code, _, err = rehab(capsys, db, "import", path)
    assert code == 0, err
    assert query_rows(
        db, "select patient_id, date, exercise, stage, sets, reps, note from exercise_entries"
    ) == [("P001", dt.date(2026, 1, 2), "Calf raise", "isotonic", 3, 10, " keep me ")]
    code, out, err = rehab(capsys, db, "import", path)
    assert "exercises read 1, added 0, skipped 1" in out


def test_given_a_required_value_of_only_whitespace_expect_it_missing(db, tmp_path, capsys):
    path = write_csv(
        tmp_path,
        "exercises.csv",
        EXERCISES_HEADER.split(","),
        [["P001", "2026-01-02", "\n\t", "", "3", "10", "", "", "", ""]],
    )
    err = refused(capsys, db, path, problems=1)
    assert "exercises.csv, line 2, column exercise, value '': required value is missing" in err


def test_given_a_new_patient_id_with_a_trailing_tab_expect_logs_in_the_same_import_to_find_it(
    db, tmp_path, capsys
):
    patients = write_text(tmp_path, "patients.csv", "patient_id,start_date\nP300\t,2026-01-01\n")
    pain = write_text(tmp_path, "pain.csv", f"{PAIN_HEADER}\nP300,2026-01-02,morning,3,\n")
    code, _, err = rehab(capsys, db, "import", patients, pain)
    assert code == 0, err
    from helpers import query_rows

    assert ("P300",) in query_rows(db, "select patient_id from patients")


def test_given_a_patient_twice_with_the_same_details_written_differently_expect_one_patient(
    db, tmp_path, capsys
):
    path = write_text(
        tmp_path,
        "patients.csv",
        "patient_id,name,start_date,daily_rep_target,pain_ceiling\n"
        "P100,Ann,2026-01-01,90,\nP100,Ann ,2026-01-01 ,90.0,5\n",
    )
    code, out, err = rehab(capsys, db, "import", path)
    assert code == 0, err
    assert "patients read 2, added 1, skipped 1" in out
