"""Given the same CSV file, expect DuckDB's reader (plain files on disk) and the byte readers (uploads, and
every file DuckDB's reader passes on) to stage the same rows on the same lines, and imports to agree.

`FUZZ_EXAMPLES` sets how many examples the property tries (default 150).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.db import Database
from dashboard.importer import import_paths, import_sources
from dashboard.reading import FileRefused, read_log_file, scan_csv_file, stage_csv_in_database
from dashboard.sample import SAMPLE_DIR
from tests.helpers import query_rows

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MEBIBYTE = 1 << 20  # scan_csv_file's chunk
PAIN = ["patient_id", "date", "time_of_day", "pain", "note"]
EXERCISES = [
    "patient_id", "date", "exercise", "stage", "sets", "reps", "hold_s", "load_kg", "pain_during", "note",
]
# Characters that make CSV and trimming hard: delimiters, quotes, every kind of whitespace, a comment sign.
TRICKY = ",\"' \t\u00a0\u3000\u2028\u0085\x0b\x1f#é—\\;"
# A quoted line break ("a\nb") sends a file to the byte readers: it is one cell among many, kept rare.
CELL = st.one_of(
    st.sampled_from(
        ["", " ", "P001", "2026-01-02", "morning", " 3 ", "4.5", "\u00a0evening\t", "#x", "a\nb"]
    ),
    st.text(alphabet=st.sampled_from(TRICKY + "ab1."), max_size=6),
)


@pytest.fixture
def database(tmp_path) -> Database:
    """Return an empty database."""
    database = Database(tmp_path / "clinic.duckdb")
    yield database
    database.close()


def byte_reader_rows(name: str, data: bytes) -> list[tuple] | None:
    """Return the rows the byte readers stage (line first), or None when they refuse the file."""
    try:
        (sheet,) = read_log_file(name, data)
    except FileRefused:
        return None
    return [tuple(row.values()) for row in sheet.table.to_pylist()]


def duckdb_rows(name: str, path: Path, database: Database) -> tuple[str, list[tuple] | None, tuple]:
    """Return the file's sha256, the rows DuckDB's reader staged (None when it passed the file on), and the
    staged sheet's columns."""
    session = database.session()
    scan, sheet = stage_csv_in_database(name, path, session)
    if sheet is None:
        # Nothing may be left staged for a file passed on.
        assert session.cursor.execute(
            "select count(*) from duckdb_tables() where table_name = 'staged_csv_cells'"
        ).fetchone()[0] == 0
        return scan.sha256, None, ()
    rows = session.cursor.execute("select * from staged_rows order by line").fetchall()
    assert len(rows) == sheet.row_count
    return scan.sha256, rows, (sheet.kind, sheet.present_columns)


def csv_text(header: list[str], rows: list[list[str]], quote: list[bool], newline: str) -> str:
    """Return CSV text, each cell quoted when asked (or when it must be), with the given line ending."""
    def cell(value: str, quoted: bool) -> str:
        if quoted or any(ch in value for ch in ',"\n\r'):
            return '"' + value.replace('"', '""') + '"'
        return value
    lines = [",".join(header)]
    for index, row in enumerate(rows):
        lines.append(",".join(cell(value, quote[(index + position) % len(quote)])
                              for position, value in enumerate(row)))
    return newline.join(lines) + newline


@FUZZ
@given(
    columns=st.sampled_from([PAIN, PAIN[:4], EXERCISES, ["date", "patient_id", "pain", "time_of_day"]]),
    rows=st.lists(st.lists(CELL, min_size=0, max_size=11), min_size=1, max_size=6),
    quote=st.lists(st.booleans(), min_size=1, max_size=4),
    newline=st.sampled_from(["\n", "\r\n", "\n", "\r\n", "\r"]),
    raw_line=st.one_of(st.none(), st.none(), st.none(), st.sampled_from(
        [b"", b"\xff\xfe,x", b'"a"b,c,d,e', b'a "b",c,d,e', b",,,,", b" , ,\t,\xc2\xa0,", b"x,y"]
    )),
    bom=st.booleans(),
)
def test_given_any_csv_expect_duckdbs_reader_to_stage_what_the_byte_readers_stage(
    tmp_path, database, columns, rows, quote, newline, raw_line, bom
):
    # Most rows fit the header; rows of eleven cells are left ragged on purpose.
    fitted = [
        row if len(row) == 11 else row[: len(columns)] + [""] * (len(columns) - len(row)) for row in rows
    ]
    data = csv_text(columns, fitted, quote, newline).encode()
    if raw_line is not None:
        data += raw_line + newline.encode()
    if bom:
        data = b"\xef\xbb\xbf" + data
    path = tmp_path / "log.csv"
    path.write_bytes(data)
    expected = byte_reader_rows("log.csv", data)
    sha256, staged, _ = duckdb_rows("log.csv", path, database)
    assert sha256 == hashlib.sha256(data).hexdigest()
    if staged is not None:
        assert expected is not None, "DuckDB's reader staged a file the byte readers refuse"
        assert staged == expected


def test_given_plain_files_expect_duckdbs_reader_to_take_them_with_trimming_padding_and_missing_columns(
    tmp_path, database
):
    text = (
        "Patient_ID , date,pain,time_of_day\r\n"
        " P001 ,2026-01-02,\u00a03\t,morning\r\n"
        ",,,\r\n"  # spreadsheet padding: skipped, and the lines after it keep their numbers
        '"P002","2026-01-03"," 4.5 ","#evening, late"\r\n'
        "\t, ,\u3000,\r\n"
        "P003,2026-01-04,11,noon"
    )
    path = tmp_path / "pain.csv"
    path.write_bytes(text.encode())
    expected = byte_reader_rows("pain.csv", path.read_bytes())
    _, staged, shape = duckdb_rows("pain.csv", path, database)
    assert staged == expected
    assert [row[0] for row in staged] == [2, 4, 6]
    assert staged[0] == (2, "P001", "2026-01-02", "morning", "3", None)
    assert staged[1][3] == "#evening, late"
    assert shape == ("pain", ("patient_id", "date", "time_of_day", "pain"))


@pytest.mark.parametrize(
    "text",
    [
        'patient_id,date,time_of_day,pain,note\nP001,2026-01-02,morning,3,"two\nlines"\nP001,2026-01-03,x,3,\n',
        "patient_id,date,time_of_day,pain,note\nP001,2026-01-02,morning,3,\n\nP001,2026-01-03,x,3,\n",
        "patient_id,date,time_of_day,pain,note\rP001,2026-01-02,morning,3,\rP001,2026-01-03,x,3,\r",
        "patient_id,date,time_of_day,pain,note\nP001,2026-01-02,morning,3,,\nP001,2026-01-03,x,3\n",
        "patient_id,date,time_of_day,pain,note,\nP001,2026-01-02,morning,3,,\n",
        '"patient_id",date,time_of_day,pain,note\nP001,2026-01-02,morning,3,\n',
        "patient_id,date,time_of_day,pain,note\nP001,2026-01-02,m\xf6rning,3,\n",
    ],
    ids=[
        "quoted line break", "blank line", "CR only", "ragged", "blank header cell", "quoted header",
        "latin-1",
    ],
)
def test_given_a_file_that_is_not_a_plain_grid_expect_it_passed_to_the_byte_readers(tmp_path, database, text):
    path = tmp_path / "pain.csv"
    path.write_bytes(text.encode("latin-1" if "\xf6" in text else "utf-8"))
    _, staged, _ = duckdb_rows("pain.csv", path, database)
    assert staged is None


def write_logs(folder: Path, pain: str | bytes, *more: tuple[str, str | bytes]) -> list[Path]:
    """Write the sample patients beside a pain log and any more (name, text) files."""
    patients = folder / "patients.csv"
    patients.write_bytes((SAMPLE_DIR / "patients.csv").read_bytes())
    paths = [patients]
    for name, text in (("pain.csv", pain), *more):
        paths.append(folder / name)
        paths[-1].write_bytes(text if isinstance(text, bytes) else text.encode())
    return paths


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize(
    "pain",
    [
        "patient_id,date,time_of_day,pain,note\nP001,2026-01-02,morning,3,\nP001,2026-01-02,morning,3,\n"
        " P002 ,2026-01-03,Evening,4.5,\u00a0kept as written\t\n,,,,\nP003,2026-01-04,morning,2,\n",
        "patient_id,date,time_of_day,pain,note\nP001,2026-13-02,noon,11,\nP999,2026-01-02,morning,x,\n"
        ",,,,\nP001,,morning,3,\n",
    ],
    ids=["valid", "invalid"],
)
def test_given_files_on_disk_or_uploaded_expect_the_same_report_and_rows(tmp_path, pain, dry_run):
    # Files DuckDB's reader refuses, beside it: a dry run goes on (a failed statement aborts a transaction).
    files = write_logs(
        tmp_path, pain,
        ("ragged.csv", "patient_id,date,time_of_day,pain,note\nP001,2026-01-05,morning,3,,x\n"),
        ("latin1.csv", b"patient_id,date,time_of_day,pain,note\nP001,2026-01-06,morning,3,caf\xe9\n"),
        ("later.csv", "patient_id,date,time_of_day,pain,note\nP001,2026-01-07,morning,3,\n"),
    )
    from_disk = Database(tmp_path / "disk.duckdb")
    uploaded = Database(tmp_path / "upload.duckdb")
    try:
        reports = []
        for _ in range(2):  # the second import re-imports: every row is skipped as already stored
            disk = import_paths(from_disk, files, dry_run=dry_run)
            sources = [(str(path), path.read_bytes()) for path in files]
            upload = import_sources(uploaded, sources, dry_run=dry_run)
            assert disk.report() == upload.report()
            assert [o.sha256 for o in disk.files] == [o.sha256 for o in upload.files]
            reports.append(disk.report())
    finally:
        from_disk.close()
        uploaded.close()
    for table in ("patients", "pain_entries", "imports"):
        # Entry ids and all; imports without the time each ran.
        columns = "* exclude (imported_at)" if table == "imports" else "*"
        sql = f"select {columns} from {table} order by all"
        assert query_rows(tmp_path / "disk.duckdb", sql) == query_rows(tmp_path / "upload.duckdb", sql)
    if "2026-13-02" in pain:
        assert "pain.csv, line 2, column date, value '2026-13-02'" in reports[0]
        assert "pain.csv, line 5, column date" in reports[0]
    elif not dry_run:
        assert "pain: pain read 5, added 5" in reports[0]
        assert "pain: pain read 5, added 0, skipped 5" in reports[1]
    assert "ragged.csv, line 2: the row has 6 values but the header has 5 columns" in reports[0]
    assert "latin1.csv, line 2: the file is not UTF-8 text" in reports[0]
    assert "later.csv: pain read 1" in reports[0]


@pytest.mark.parametrize("dry_run", [False, True], ids=["own transaction", "dry run"])
def test_given_a_file_of_many_row_groups_expect_problems_on_the_same_lines_as_the_byte_readers(
    tmp_path, dry_run
):
    # Large enough for DuckDB to read in parallel and store in several row groups (122,880 rows each); a dry
    # run stages inside its transaction, where row ids start far from zero.
    total = 1_200_000
    bad = {2, 122_881, 122_882, 245_763, 600_001, total + 1}
    lines = ["patient_id,date,time_of_day,pain,note"]
    lines += [
        f"P001,2026-01-02,{'noon' if line in bad else 'morning'},3,{line}" for line in range(2, total + 2)
    ]
    files = write_logs(tmp_path, "\n".join(lines) + "\n")
    probe = Database(tmp_path / "probe.duckdb")
    try:
        with probe.transaction() as session:
            if not dry_run:
                session.cursor.execute("commit")  # stage outside a transaction, as a real import does
            _, sheet = stage_csv_in_database("pain.csv", files[1], session)
            assert sheet is not None, "the file must be staged by DuckDB's reader"
            numbered = session.cursor.execute(
                "select count(*) from staged_rows where line <> cast(note as bigint)"
            ).fetchone()[0]
            assert numbered == 0
            if not dry_run:
                session.cursor.execute("begin transaction")
    finally:
        probe.close()
    outcomes = []
    for name, sources in (
        ("disk", None), ("upload", [(str(path), path.read_bytes()) for path in files])
    ):
        database = Database(tmp_path / f"{name}.duckdb")
        try:
            if sources is None:
                result = import_paths(database, files, dry_run=dry_run)
            else:
                result = import_sources(database, sources, dry_run=dry_run)
        finally:
            database.close()
        outcomes.append([str(problem) for outcome in result.files for problem in outcome.problems])
    assert outcomes[0] == outcomes[1]
    assert [problem.split(", ")[1] for problem in outcomes[0]] == [f"line {line}" for line in sorted(bad)]


@pytest.mark.parametrize(("after_cr", "lone"), [(b"\n", False), (b"x", True)])
def test_given_a_carriage_return_at_the_end_of_a_read_chunk_expect_it_paired_only_with_the_next_byte(
    tmp_path, after_cr, lone
):
    header = b"patient_id,date,time_of_day,pain\r\n"
    filler = b"P001,2026-01-02,morning,3\r\n"
    body = header + filler * ((MEBIBYTE - len(header)) // len(filler) - 1)
    body += b"P001,2026-01-02,morning," + b"3" * (MEBIBYTE - 1 - len(body) - 24) + b"\r"
    assert len(body) == MEBIBYTE  # the CR is the last byte of the first chunk scan_csv_file reads
    path = tmp_path / "pain.csv"
    path.write_bytes(body + after_cr + b"P001,2026-01-03,morning,3\r\n")
    scan = scan_csv_file(path)
    assert scan.lone_carriage_return is lone
    assert scan.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", ["pain?.csv", "pain[1].csv", "pain*.csv", "pain{a,b}.csv"])
def test_given_a_file_name_duckdb_would_read_as_a_pattern_expect_that_file_and_no_other(
    tmp_path, database, name
):
    other = "patient_id,date,time_of_day,pain,note\nP002,2026-01-02,evening,9,other file\n"
    for decoy in ("painA.csv", "pain1.csv", "paina.csv"):
        (tmp_path / decoy).write_text(other)
    path = tmp_path / name
    path.write_text("patient_id,date,time_of_day,pain,note\nP001,2026-01-02,morning,3,this file\n")
    _, staged, _ = duckdb_rows(name, path, database)
    assert staged is None  # left to the byte readers, which read exactly this file
    (sheet,) = read_log_file(name, path)
    assert sheet.table.column("note").to_pylist() == ["this file"]
