"""Fuzzing the importer with malformed files: each refused with a problem, never a crash or a partial write.

`FUZZ_EXAMPLES` sets how many examples each property tries (default 150); `make fuzz` runs a longer campaign.
"""

from __future__ import annotations

import functools
import io
import os
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.db import Database
from dashboard.importer import import_sources
from dashboard.sample import SAMPLE_DIR

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
    ],
)
MEGABYTE = 1 << 20

PAIN_HEADER = ["patient_id", "date", "time_of_day", "pain", "note"]
PATIENT_HEADER = ["patient_id", "name", "clinician", "condition", "start_date"]


@pytest.fixture
def clinic(tmp_path) -> Database:
    """Return a database holding the sample clinic's patients (so malformed logs are nearly valid)."""
    database = Database(tmp_path / "fuzz.duckdb")
    patients = SAMPLE_DIR / "patients.csv"
    result = import_sources(database, [(patients.name, patients.read_bytes())])
    assert result.ok, result.report()
    yield database
    database.close()


def _counts(db: Database) -> dict[str, int]:
    """Return the row count of every table."""
    cursor = db.session().cursor
    names = [row[0] for row in cursor.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()]
    return {name: cursor.execute(f'select count(*) from "{name}"').fetchone()[0] for name in names}


def _workbook(rows: list[list[object]], header: list[str] = PAIN_HEADER) -> bytes:
    """Return an XLSX workbook with one sheet holding the header and rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@functools.cache
def _valid_workbook() -> bytes:
    """Return a workbook of pain scores the clinic would accept."""
    return _workbook([["P001", f"2026-10-{day:02d}", "evening", 3, "fine"] for day in range(1, 29)])


def _assert_refused(db: Database, name: str, data: bytes) -> None:
    """Import one file and expect it refused with a problem, the database untouched."""
    before = _counts(db)
    result = import_sources(db, [(name, data)])
    assert not result.ok, f"{name} ({len(data)} bytes) was accepted"
    assert all(outcome.problems for outcome in result.files)
    assert all(str(problem) for outcome in result.files for problem in outcome.problems)
    assert result.report()
    assert _counts(db) == before


# ---- malformed files, as strategies ----------------------------------------------------------------------


@st.composite
def truncated_workbooks(draw) -> tuple[str, bytes]:
    """A valid workbook cut short anywhere."""
    data = _valid_workbook()
    return draw(st.sampled_from(["log.xlsx", "LOG.XLSX"])), data[: draw(st.integers(0, len(data) - 1))]


@st.composite
def damaged_workbooks(draw) -> tuple[str, bytes]:
    """A valid workbook with a run of bytes overwritten (the zip's checksums or XML no longer agree)."""
    data = bytearray(_valid_workbook())
    start = draw(st.integers(0, len(data) - 1))
    junk = draw(st.binary(min_size=1, max_size=64))
    data[start : start + len(junk)] = junk
    return "damaged.xlsx", bytes(data)


@st.composite
def junk_files(draw) -> tuple[str, bytes]:
    """Random bytes under a log file's name."""
    name = draw(st.sampled_from(["pain.csv", "log.xlsx", "patients.CSV", "x.xlsx"]))
    prefix = draw(st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"patient_id,date\n", b"\x00"]))
    return name, prefix + draw(st.binary(min_size=1, max_size=4096))


@st.composite
def huge_lines(draw) -> tuple[str, bytes]:
    """A CSV whose one line holds megabytes: in a date, a patient id, or a header."""
    size = draw(st.integers(1, 3)) * MEGABYTE + draw(st.integers(0, 1000))
    where = draw(st.sampled_from(["date", "patient_id", "header", "unquoted_note_unknown_patient"]))
    # Commas or spaces ending a header are spreadsheet padding, rightly ignored: no use in the header case
    fillers = ["x", "9", "é"] if where == "header" else ["x", "9", "é", ",", "\"", " "]
    filler = draw(st.sampled_from(fillers))
    big = (filler * size)[:size]
    if where == "header":
        text = "patient_id,date,time_of_day,pain," + big + "\nP001,2026-10-01,morning,3\n"
    elif where == "date":
        text = f"{','.join(PAIN_HEADER)}\nP001,\"{big}\",morning,3,\n"
    elif where == "patient_id":
        text = f"{','.join(PAIN_HEADER)}\n\"{big}\",2026-10-01,morning,3,\n"
    else:
        text = f"{','.join(PAIN_HEADER)}\nNOBODY,2026-10-01,morning,3,\"{big}\"\n"
    return "huge.csv", text.encode("utf-8")


@st.composite
def wrong_encodings(draw) -> tuple[str, bytes]:
    """A CSV the clinic would accept, saved as Latin-1, UTF-16 or UTF-32 instead of UTF-8."""
    note = draw(st.text(alphabet="éèçàüößñ", min_size=1, max_size=20))
    patient = draw(st.sampled_from([",".join(PAIN_HEADER), ",".join(PATIENT_HEADER)]))
    if patient.startswith("patient_id,date"):
        text = f"{patient}\nP001,2026-10-02,evening,2,{note}\n"
    else:
        text = f"{patient}\nP901,Zoë {note},Sam Patel,tendinopathy,2026-10-01\n"
    encoding = draw(st.sampled_from(["latin-1", "utf-16", "utf-16-le", "utf-32", "cp1252"]))
    return "encoded.csv", text.encode(encoding)


@st.composite
def formula_workbooks(draw) -> tuple[str, bytes]:
    """A workbook whose required cells hold formulas with no cached value (as scripts save them)."""
    formula = draw(st.sampled_from(["=1+1", "=TODAY()", '=HYPERLINK("http://evil.example","x")',
                                    "=cmd|' /C calc'!A0", "=A1", "=1/0", "=SUM(A:A)"]))
    column = draw(st.sampled_from(["patient_id", "date", "time_of_day", "pain"]))
    row = {"patient_id": "P001", "date": "2026-10-03", "time_of_day": "morning", "pain": 4, "note": None}
    row[column] = formula
    return "formulas.xlsx", _workbook([[row[name] for name in PAIN_HEADER]])


SMALL_MALFORMED = st.one_of(truncated_workbooks(), junk_files(), wrong_encodings(), formula_workbooks())
MALFORMED = st.one_of(SMALL_MALFORMED, huge_lines())
# The secondary properties re-check what the main one covers with fewer examples: the default run stays short.
FUZZ_FEWER = settings(FUZZ, max_examples=max(20, EXAMPLES // 5))


# ---- properties ------------------------------------------------------------------------------------------


@FUZZ
@given(source=MALFORMED)
def test_malformed_files_are_refused_whole(clinic, source):
    _assert_refused(clinic, *source)


@FUZZ_FEWER
@given(source=damaged_workbooks())
def test_damaged_workbooks_are_accepted_whole_or_refused_whole(clinic, source):
    # Damage can land on bytes a reader ignores (a local header the central directory repeats, a theme),
    # so a damaged workbook may still be valid; it must never be half written.
    before = _counts(clinic)
    result = import_sources(clinic, [source], dry_run=True)
    if result.ok:
        assert sum(counts.read for counts in result.files[0].counts) == 28
    else:
        assert result.files[0].problems and result.report()
    assert _counts(clinic) == before


@FUZZ_FEWER
@given(source=SMALL_MALFORMED, valid_first=st.booleans())
def test_a_malformed_file_does_not_stop_a_valid_one_beside_it(clinic, source, valid_first):
    # Given a valid workbook of 28 pain scores next to a malformed file
    before = _counts(clinic)
    valid = ("valid.xlsx", _valid_workbook())
    sources = [valid, source] if valid_first else [source, valid]
    result = import_sources(clinic, sources, dry_run=True)
    # Expect (on a dry run, so each example starts clean) the valid one counted, the malformed one refused
    by_name = {outcome.name: outcome for outcome in result.files}
    assert by_name["valid.xlsx"].accepted, result.report()
    assert by_name[source[0]].problems
    assert sum(counts.added for counts in by_name["valid.xlsx"].counts) == 28
    assert _counts(clinic) == before


# ---- one of each, always ---------------------------------------------------------------------------------


def test_valid_workbook_is_accepted(clinic):
    before = _counts(clinic)
    result = import_sources(clinic, [("valid.xlsx", _valid_workbook())])
    assert result.ok, result.report()
    assert _counts(clinic)["pain_entries"] == before["pain_entries"] + 28


@pytest.mark.parametrize("cut", [0, 1, 4, 30, 100, 1000, -200, -22, -1])
def test_truncated_workbook(clinic, cut):
    data = _valid_workbook()
    _assert_refused(clinic, "cut.xlsx", data[:cut])


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "utf-32", "cp1252"])
def test_wrong_encoding(clinic, encoding):
    text = f"{','.join(PAIN_HEADER)}\nP001,2026-10-02,evening,2,crème brûlée\n"
    _assert_refused(clinic, "encoded.csv", text.encode(encoding))


def test_several_megabytes_in_one_cell(clinic):
    big = "9" * (5 * MEGABYTE)
    _assert_refused(clinic, "huge.csv", f"{','.join(PAIN_HEADER)}\nP001,{big},morning,3,\n".encode())


def test_several_megabyte_note_is_all_or_nothing(clinic):
    # A long note is clinical text, not an error: the file is accepted whole, note intact
    note = "n" * (3 * MEGABYTE)
    before = _counts(clinic)
    data = f"{','.join(PAIN_HEADER)}\nP001,2026-10-04,morning,3,{note}\n".encode()
    result = import_sources(clinic, [("note.csv", data)])
    assert result.ok, result.report()
    assert _counts(clinic)["pain_entries"] == before["pain_entries"] + 1
    stored = clinic.session().cursor.execute(
        "select length(note) from pain_entries where date = date '2026-10-04' and patient_id = 'P001'"
    ).fetchone()[0]
    assert stored == len(note)


@pytest.mark.parametrize("formula", ["=1+1", "=TODAY()", "=cmd|' /C calc'!A0"])
def test_formula_in_a_required_cell(clinic, formula):
    _assert_refused(clinic, "formulas.xlsx", _workbook([[formula, "2026-10-03", "morning", 4, None]]))


@pytest.mark.parametrize("name", ["junk.csv", "junk.xlsx", "junk.txt", "junk"])
def test_binary_junk(clinic, name):
    _assert_refused(clinic, name, bytes(range(256)) * 8)


def test_unreadable_path_is_a_problem_not_a_crash(clinic):
    before = _counts(clinic)
    result = import_sources(clinic, [("gone.csv", FileNotFoundError(2, "No such file or directory"))])
    assert not result.ok and "cannot read" in result.report()
    assert _counts(clinic) == before


def test_xlsx_bytes_named_csv_and_csv_named_xlsx(clinic):
    _assert_refused(clinic, "workbook.csv", _valid_workbook())
    _assert_refused(clinic, "text.xlsx", (SAMPLE_DIR / "pain.csv").read_bytes()[:2000])


def test_fuzz_examples_setting_is_read_from_the_environment():
    assert EXAMPLES == int(os.environ.get("FUZZ_EXAMPLES", "150"))
    assert Path(__file__).name == "test_fuzz_import.py"
