"""Given imports that check and write one file at a time, expect the outcome of checking every file first."""

from __future__ import annotations

from helpers import ACTIVITIES_HEADER, EXERCISES_HEADER, PAIN_HEADER, query_rows, write_text, write_xlsx

from dashboard import importer
from dashboard.db import Database
from dashboard.importer import import_paths, import_sources


def mixed_batch(folder):
    """Return files in an awkward order: logs first, a refused patients file, conflicts across files."""
    return [
        write_text(
            folder, "pain.csv",
            f"{PAIN_HEADER}\nP001,2026-01-03,morning,3,\nP001,2026-01-02,morning,2,\nP002,2026-01-02,evening,4,\n",
        ),
        write_text(folder, "bad_patients.csv", "patient_id,name,start_date\nP003,Cy,2026-02-30\n"),
        write_text(
            folder, "exercises.csv",
            f"{EXERCISES_HEADER}\nP003,2026-01-02,Bridge,isometric,3,5,30,,2,\n"
            "P001,2026-01-02,Bridge,isometric,3,5,30,,2,\n",
        ),
        write_text(
            folder, "patients.csv", "patient_id,name,start_date\nP001,Ann,2026-01-01\nP002,Bo,2026-01-01\n"
        ),
        write_text(folder, "more_pain.csv", f"{PAIN_HEADER}\nP001,2026-01-02,morning,7,\n"),
        write_text(folder, "activities.csv", f"{ACTIVITIES_HEADER}\nP002,2026-01-04,run,30,6,2,\n"),
    ]


def outcome_summary(result) -> list[tuple]:
    """Return each file's name, counts and problems, in the order given."""
    return [
        (
            outcome.name.rsplit("/", 1)[-1],
            [(c.kind, c.read, c.added, c.skipped, c.replaced) for c in outcome.counts],
            [str(problem).rsplit("/", 1)[-1] for problem in outcome.problems],
        )
        for outcome in result.files
    ]


EXPECTED = [
    ("pain.csv", [("pain", 3, 3, 0, 0)], []),
    (
        "bad_patients.csv",
        [],
        ["bad_patients.csv, line 2, column start_date, value '2026-02-30': no such date"],
    ),
    (
        "exercises.csv",
        [],
        ["exercises.csv, line 2, column patient_id, value 'P003': "
         "unknown patient: not in the database nor in this import"],
    ),
    ("patients.csv", [("patients", 2, 2, 0, 0)], []),
    (
        "more_pain.csv",
        [],
        ["more_pain.csv, line 2, column pain, value '7': conflicts with the morning score 2 already stored "
         "for P001 on 2026-01-02; nothing is overwritten unless you import with --replace"],
    ),
    ("activities.csv", [("activities", 1, 1, 0, 0)], []),
]


def test_given_a_mixed_batch_expect_the_same_counts_and_problems_from_a_dry_run_and_a_real_import(tmp_path):
    files = mixed_batch(tmp_path)
    database = Database(tmp_path / "clinic.duckdb")
    try:
        dry = import_paths(database, files, dry_run=True)
        assert outcome_summary(dry) == EXPECTED
        assert database.value("patient_count") == 0
        real = import_paths(database, files)
        assert outcome_summary(real) == EXPECTED
        assert real.report() == dry.report().replace("would add", "added").replace(
            "Dry run, nothing written. Totals:", "Totals:"
        )
        assert database.value("patient_count") == 2
    finally:
        database.close()


def test_given_bytes_or_paths_expect_the_same_outcome(tmp_path):
    files = mixed_batch(tmp_path)
    database = Database(tmp_path / "clinic.duckdb")
    try:
        result = import_sources(database, [(str(path), path.read_bytes()) for path in files], dry_run=True)
        assert outcome_summary(result) == EXPECTED
    finally:
        database.close()


def test_given_log_files_before_their_patients_expect_each_log_read_only_once_its_patients_are_stored(
    tmp_path, monkeypatch
):
    files = mixed_batch(tmp_path)
    database = Database(tmp_path / "clinic.duckdb")
    reads: list[tuple[str, int]] = []
    real_read = importer.read_log_file
    real_stage = importer.stage_csv_in_database

    def recording_read(name, data):
        if not reads or reads[-1][0] != name:  # a CSV DuckDB's reader passed on is read by read_log_file
            reads.append((name, database.value("patient_count")))
        return real_read(name, data)

    def recording_stage(name, path, session, probe=None):
        reads.append((name, database.value("patient_count")))
        return real_stage(name, path, session, probe)

    monkeypatch.setattr(importer, "read_log_file", recording_read)
    monkeypatch.setattr(importer, "stage_csv_in_database", recording_stage)
    try:
        result = import_paths(database, files)
    finally:
        database.close()
    assert reads == [
        ("bad_patients.csv", 0),
        ("patients.csv", 0),
        ("pain.csv", 2),
        ("more_pain.csv", 2),
        ("exercises.csv", 2),
        ("activities.csv", 2),
    ]
    # Each log file's rows are let go once it is written.
    assert [outcome.sheets for outcome in result.files if "patients" not in outcome.name] == [[]] * 4


def test_given_a_workbook_with_patients_and_logs_expect_it_written_before_the_csv_logs(tmp_path):
    book = write_xlsx(
        tmp_path, "clinic.xlsx",
        {
            "patients": [["patient_id", "start_date"], ["P001", "2026-01-01"]],
            "pain": [["patient_id", "date", "time_of_day", "pain"], ["P001", "2026-01-02", "morning", 3]],
        },
    )
    pain = write_text(tmp_path, "pain.csv", f"{PAIN_HEADER}\nP001,2026-01-02,morning,5,\n")
    database = Database(tmp_path / "clinic.duckdb")
    try:
        result = import_paths(database, [pain, book])
    finally:
        database.close()
    summary = outcome_summary(result)
    assert summary[1][2] == []
    assert summary[0][2] == [
        "pain.csv, line 2, column pain, value '5': conflicts with the morning score 3 already stored for "
        "P001 on 2026-01-02; nothing is overwritten unless you import with --replace"
    ]


def test_given_a_log_file_expect_its_entries_stored_in_date_order(tmp_path):
    patients = write_text(
        tmp_path, "patients.csv", "patient_id,start_date\nP001,2026-01-01\nP002,2026-01-01\n"
    )
    pain = write_text(
        tmp_path, "pain.csv",
        f"{PAIN_HEADER}\nP002,2026-01-05,morning,3,\nP001,2026-01-03,morning,2,\nP002,2026-01-03,morning,4,\n",
    )
    database = Database(tmp_path / "clinic.duckdb")
    try:
        assert import_paths(database, [patients, pain]).ok
    finally:
        database.close()
    rows = query_rows(
        tmp_path / "clinic.duckdb", "select patient_id, date::varchar from pain_entries order by entry_id"
    )
    assert rows == [("P001", "2026-01-03"), ("P002", "2026-01-03"), ("P002", "2026-01-05")]


def test_given_a_missing_path_expect_it_refused_and_the_others_imported(tmp_path):
    patients = write_text(tmp_path, "patients.csv", "patient_id,start_date\nP001,2026-01-01\n")
    database = Database(tmp_path / "clinic.duckdb")
    try:
        result = import_paths(database, [tmp_path / "gone.csv", patients])
    finally:
        database.close()
    assert [outcome.accepted for outcome in result.files] == [False, True]
    assert "cannot read the file" in str(result.files[0].problems[0])


# --- staging through Arrow ---


def stage(tmp_path, data: bytes):
    """Return the one staged sheet of pain.csv, or the FileRefused it raises."""
    from dashboard.reading import FileRefused, read_log_file

    try:
        return read_log_file("pain.csv", data)[0]
    except FileRefused as refused:
        return refused


def test_given_a_byte_that_is_not_utf8_far_into_a_file_expect_its_line_named(tmp_path):
    rows = b"".join(b"P001,2026-01-02,morning,3,ok\n" for _ in range(5000))
    for bad in (b"caf\xe9", b"\xed\xa0\x80", b"\xc0\xaf"):  # Latin-1, a UTF-16 surrogate, an overlong slash
        last = b"P001,2026-01-03,morning,3," + bad + b"\n"
        refused = stage(tmp_path, PAIN_HEADER.encode() + b"\n" + rows + last)
        assert [(p.line, p.reason.split(" (")[0]) for p in refused.problems] == [
            (5002, "the file is not UTF-8 text")
        ]


def test_given_a_bad_byte_and_an_unknown_header_expect_the_byte_named_first(tmp_path):
    refused = stage(tmp_path, b"who,when\nP001,caf\xe9\n")
    problems = [(p.line, p.reason.split(" (")[0]) for p in refused.problems]
    assert problems == [(2, "the file is not UTF-8 text")]


def test_given_rows_with_an_empty_first_cell_expect_only_wholly_blank_rows_dropped(tmp_path):
    data = f"{PAIN_HEADER}\nP001,2026-01-02,morning,3,\n,,,,\n , ,\t, ,\n,2026-01-03,morning,4,\n".encode()
    sheet = stage(tmp_path, data)
    assert sheet.table.column("line").to_pylist() == [2, 5]
    assert sheet.table.column("patient_id").to_pylist() == ["P001", ""]
    assert sheet.table.column("date").to_pylist() == ["2026-01-02", "2026-01-03"]


def test_given_padded_cells_expect_them_trimmed_and_notes_kept_as_written(tmp_path):
    sheet = stage(tmp_path, f"{PAIN_HEADER}\n P001 ,\t2026-01-02 ,morning , 3, sore \n".encode())
    assert sheet.table.to_pylist() == [{
        "line": 2, "patient_id": "P001", "date": "2026-01-02", "time_of_day": "morning", "pain": "3",
        "note": " sore ",
    }]


def test_given_a_command_line_import_expect_duckdb_s_memory_limit_given_back_afterwards(tmp_path):
    patients = write_text(tmp_path, "patients.csv", "patient_id,start_date\nP001,2026-01-01\n")
    database = Database(tmp_path / "clinic.duckdb")
    setting = "select current_setting('memory_limit')"
    try:
        before = database.session().cursor.execute(setting).fetchone()
        assert import_paths(database, [patients]).ok
        assert import_paths(database, [tmp_path / "gone.csv"]).files[0].problems
        assert database.session().cursor.execute(setting).fetchone() == before
    finally:
        database.close()
