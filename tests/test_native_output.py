"""`rehab review|alerts|response|audit --format json|csv` written by DuckDB: the same content as before.

The golden files under tests/golden/ were captured from the Python writer (one dict per row) before the
output moved to DuckDB. Regenerate them only when the content is meant to change (a metric value that moves
is a regression to report, not a golden file to rewrite):
    .venv/bin/python -c "import tests.test_native_output as t; t.write_golden_files()"
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import auth, metrics
from dashboard.access import Viewer
from dashboard.cli import main
from dashboard.db import close_database, open_database
from dashboard.output import write_frame, write_relation
from tests.clinic import Clinic, nov

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
FORMATS = ("json", "csv")
ADMIN = Viewer.system()

# Fixed moments (UTC) recorded before the sample is loaded: the audit golden file filters on their days, so
# the sample's own import rows, dated when the test runs, stay out of it.
AUDIT_ENTRIES = [
    ("lea", "login", None, "password", dt.datetime(2020, 1, 6, 9, 0, tzinfo=dt.UTC)),
    ("lea", "patient_view", "P010", 'said "hi", then <script>',
     dt.datetime(2020, 1, 6, 9, 0, 0, 250000, tzinfo=dt.UTC)),
    ("tom", "export", "P002", "clinic report csv, week 2026-W47 → Zoë Lefèvre's patients (3), 1–2 Sep",
     dt.datetime(2020, 1, 7, 23, 59, 59, 999999, tzinfo=dt.UTC)),
    ("tom", "acknowledge", "P002", "first line\nsecond line, with a comma",
     dt.datetime(2020, 1, 8, 13, 30, tzinfo=dt.UTC)),
    ("admin", "logout", None, None, dt.datetime(2020, 1, 8, 14, 5, 7, tzinfo=dt.UTC)),
    # The day after the range: not in the golden file.
    ("admin", "login", None, "password", dt.datetime(2020, 1, 9, 8, 0, tzinfo=dt.UTC)),
]

GOLDEN_COMMANDS = {
    "review_2026-W47": ["review", "--week", "2026-W47", "--as-of", "2026-11-22"],
    "alerts_2026-08-01_2026-11-22": [
        "alerts", "--from", "2026-08-01", "--to", "2026-11-22", "--as-of", "2026-11-22",
    ],
    "response_P010": ["response", "--patient", "P010", "--as-of", "2026-11-22"],
    "audit_2020-01-06_2020-01-08": ["audit", "--from", "2020-01-06", "--to", "2020-01-08"],
}

TRICKY_NAME = 'Zoë "Z" Lefèvre, Jr.\nsecond line →'
TRICKY_CLINICIAN = "Léa – Moreau"


def build_golden_clinic(path: Path) -> None:
    """Record the fixed audit rows, then load the sample clinic ending 2026-11-22 with `rehab demo`."""
    database = open_database(path)
    for actor, action, patient_id, detail, moment in AUDIT_ENTRIES:
        auth.record(database, actor, action, patient_id=patient_id, detail=detail, now=moment)
    close_database(path)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["--db", str(path), "demo", "--end", "2026-11-22"]) == 0
    close_database(path)


def run_quiet(path: Path, argv: list[str]) -> str:
    """Run the rehab command with stdout redirected to a string and return what it wrote."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            assert main(["--db", str(path), *argv]) == 0
    finally:
        close_database(path)
    return out.getvalue()


def write_golden_files() -> None:
    """Capture every golden command in every format into tests/golden/, in UTC."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "golden.duckdb"
        build_golden_clinic(path)
        GOLDEN_DIR.mkdir(exist_ok=True)
        for name, argv in GOLDEN_COMMANDS.items():
            for output_format in FORMATS:
                text = run_quiet(path, [*argv, "--format", output_format])
                (GOLDEN_DIR / f"{name}.{output_format}").write_bytes(text.encode("utf-8"))


def typed(value: Any) -> Any:
    """Return parsed JSON with each scalar's type beside it and objects as ordered pairs, to compare."""
    if isinstance(value, dict):
        return [(key, typed(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


def strict_json(text: str) -> Any:
    """Parse JSON that must be valid everywhere: NaN and Infinity are refused."""
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def csv_rows(text: str) -> list[list[str]]:
    """Return every CSV record, the header first."""
    return list(csv.reader(io.StringIO(text, newline="")))


def cli(capsys, path: Path, *argv: str) -> str:
    """Run the rehab command in this process, close the database and return its stdout."""
    capsys.readouterr()
    try:
        assert main(["--db", str(path), *argv]) == 0
    finally:
        close_database(path)
    return capsys.readouterr().out


@pytest.fixture(autouse=True)
def utc(monkeypatch) -> Iterator[None]:
    """Run in UTC: DuckDB writes audit times in its session's zone, which follows TZ when it connects."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="module")
def golden_clinic(tmp_path_factory) -> Path:
    """Return the path of the sample clinic the golden files were captured from."""
    path = tmp_path_factory.mktemp("golden") / "golden.duckdb"
    build_golden_clinic(path)
    return path


# --- the golden files: the sample clinic's output as the Python writer wrote it ---


@pytest.mark.parametrize("name", GOLDEN_COMMANDS)
def test_json_holds_what_the_golden_file_holds_values_types_and_order(golden_clinic, capsys, name):
    out = cli(capsys, golden_clinic, *GOLDEN_COMMANDS[name], "--format", "json")

    golden = json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert golden, f"{name}.json holds no rows: the golden command says nothing"
    # Same rows in the same order, same keys in the same order, same JSON types (an int is not a float,
    # null is not "", true is not 1) and the same values.
    assert typed(strict_json(out)) == typed(golden)


@pytest.mark.parametrize("name", GOLDEN_COMMANDS)
def test_csv_is_the_golden_file_byte_for_byte(golden_clinic, capsys, name):
    out = cli(capsys, golden_clinic, *GOLDEN_COMMANDS[name], "--format", "csv")

    golden = (GOLDEN_DIR / f"{name}.csv").read_bytes()
    assert csv_rows(out) == csv_rows(golden.decode("utf-8"))
    assert out.encode("utf-8") == golden


def test_the_golden_files_cover_lists_booleans_and_missing_values():
    review = json.loads((GOLDEN_DIR / "review_2026-W47.json").read_text(encoding="utf-8"))
    values = {(key, type(value).__name__) for row in review for key, value in row.items()}
    assert {("alerts", "list"), ("ready_to_progress", "bool"), ("ready_to_progress", "NoneType"),
            ("prev_mean_morning_pain", "NoneType"), ("days_on_target", "int"),
            ("mean_morning_pain", "float")} <= values
    review_csv = csv_rows((GOLDEN_DIR / "review_2026-W47.csv").read_text(encoding="utf-8"))
    alerts = review_csv[0].index("alerts")
    assert "flare, pain_above_ceiling, rising_streak" in {row[alerts] for row in review_csv[1:]}
    audit = json.loads((GOLDEN_DIR / "audit_2020-01-06_2020-01-08.json").read_text(encoding="utf-8"))
    assert [row["audit_id"] for row in audit] == [1, 2, 3, 4, 5]


TABLE_FRAMES = {
    "review_2026-W47": lambda db: metrics.weekly_review(db, ADMIN, "2026-W47", as_of=nov(22)),
    "alerts_2026-08-01_2026-11-22": lambda db: metrics.alert_events(
        db, ADMIN, dt.date(2026, 8, 1), nov(22), as_of=nov(22)
    ),
    "response_P010": lambda db: metrics.responses(db, ADMIN, "P010", as_of=nov(22)),
    "audit_2020-01-06_2020-01-08": lambda db: auth.audit_frame(db, dt.date(2020, 1, 6), dt.date(2020, 1, 8)),
}


@pytest.mark.parametrize("name", GOLDEN_COMMANDS)
def test_table_format_is_unchanged(golden_clinic, capsys, name):
    out = cli(capsys, golden_clinic, *GOLDEN_COMMANDS[name])

    expected = io.StringIO()
    write_frame(TABLE_FRAMES[name](open_database(golden_clinic)), "table", expected)
    close_database(golden_clinic)
    assert out == expected.getvalue()


# --- a hand-made clinic: text that needs quoting, missing values, nothing to say ---


@pytest.fixture
def tricky_clinic(tmp_path) -> Iterator[Path]:
    """Return a clinic whose patient has a comma, quotes, a newline, an arrow and accents in the name."""
    clinic = Clinic(tmp_path)
    clinic.patient("P1", nov(2))
    clinic.patients[-1][1] = TRICKY_NAME
    clinic.patients[-1][2] = TRICKY_CLINICIAN
    # A rising streak and a flare in W46; no morning on 8 Nov; the week before W46 has no previous week.
    clinic.mornings("P1", nov(2), [2, 2, 2, 2, 2, 2, None] + [2, 5, 5, 6, 6, 3, 3])
    clinic.daily_reps("P1", nov(2), [90] * 14)
    clinic.build()
    close_database(clinic.path)
    yield clinic.path
    close_database(clinic.path)


def test_text_with_commas_quotes_newlines_and_accents_comes_back_exactly(tricky_clinic, capsys):
    review = ["review", "--week", "2026-W46", "--as-of", "2026-11-15"]

    rows = strict_json(cli(capsys, tricky_clinic, *review, "--format", "json"))
    table = csv_rows(cli(capsys, tricky_clinic, *review, "--format", "csv"))

    assert [(row["name"], row["clinician"]) for row in rows] == [(TRICKY_NAME, TRICKY_CLINICIAN)]
    assert [dict(zip(table[0], row, strict=True))["name"] for row in table[1:]] == [TRICKY_NAME]
    alerts = strict_json(cli(capsys, tricky_clinic, "alerts", "--as-of", "2026-11-15", "--format", "json"))
    assert any("→" in event["detail"] for event in alerts)


def test_the_hand_made_clinic_reads_as_the_python_writer_wrote_it(tricky_clinic, capsys):
    commands = {
        "review": (["review", "--week", "2026-W45", "--as-of", "2026-11-15"],
                   lambda db: metrics.weekly_review(db, ADMIN, "2026-W45", as_of=nov(15))),
        "alerts": (["alerts", "--as-of", "2026-11-15"],
                   lambda db: metrics.alert_events(db, ADMIN, as_of=nov(15))),
        "response": (["response", "--patient", "P1", "--as-of", "2026-11-15"],
                     lambda db: metrics.responses(db, ADMIN, "P1", as_of=nov(15))),
    }
    for name, (argv, frame_of) in commands.items():
        frame = frame_of(open_database(tricky_clinic))
        close_database(tricky_clinic)
        assert len(frame), f"{name} has no rows to compare"
        for output_format in FORMATS:
            expected = io.StringIO()
            write_frame(frame, output_format, expected)
            out = cli(capsys, tricky_clinic, *argv, "--format", output_format)
            if output_format == "json":
                assert typed(strict_json(out)) == typed(json.loads(expected.getvalue())), name
            else:
                assert out == expected.getvalue(), name


def test_a_missing_value_is_null_in_json_and_an_empty_cell_in_csv(tricky_clinic, capsys):
    review = ["review", "--week", "2026-W45", "--as-of", "2026-11-15"]

    (row,) = strict_json(cli(capsys, tricky_clinic, *review, "--format", "json"))
    header, cells = csv_rows(cli(capsys, tricky_clinic, *review, "--format", "csv"))

    # W45 is the first week: there is no previous week's mean, and no alert is active.
    assert row["prev_mean_morning_pain"] is None and row["alerts"] == [] and row["ready_to_progress"] is None
    as_csv = dict(zip(header, cells, strict=True))
    assert (as_csv["prev_mean_morning_pain"], as_csv["alerts"], as_csv["ready_to_progress"]) == ("", "", "")
    assert as_csv["adherence_pct"] == "100" and row["adherence_pct"] == 100.0


@pytest.mark.parametrize(
    ("argv", "header"),
    [
        (["alerts", "--from", "2026-11-02", "--to", "2026-11-03", "--as-of", "2026-11-15"],
         "patient_id,rule,date,until,severity,detail"),
        (["response", "--patient", "P1", "--from", "2026-10-01", "--to", "2026-10-31",
          "--as-of", "2026-11-15"],
         "date,morning_before,morning_after,response,status,settled_36h"),
        (["audit", "--from", "2001-01-01", "--to", "2001-01-02"],
         "audit_id,occurred_at,actor,action,patient_id,detail"),
    ],
    ids=["alerts", "response", "audit"],
)
def test_an_empty_result_is_an_empty_array_or_a_header_alone(tricky_clinic, capsys, argv, header):
    assert strict_json(cli(capsys, tricky_clinic, *argv, "--format", "json")) == []
    assert cli(capsys, tricky_clinic, *argv, "--format", "csv") == header + "\n"


# --- the audit trail: what it held before, times included ---


def test_audit_holds_what_audit_frame_holds_in_any_time_zone(tmp_path, capsys, monkeypatch):
    path = tmp_path / "audit.duckdb"
    db = open_database(path)
    auth.add_user(db, "lea", "correct horse battery", "clinician")
    for actor, action, patient_id, detail, moment in AUDIT_ENTRIES:
        auth.record(db, actor, action, patient_id=patient_id, detail=detail, now=moment)
    close_database(path)
    # Half an hour off UTC, and a day that changes with the zone.
    monkeypatch.setenv("TZ", "America/St_Johns")
    time.tzset()

    for output_format in FORMATS:
        expected = io.StringIO()
        write_frame(auth.audit_frame(open_database(path)), output_format, expected)
        close_database(path)
        out = cli(capsys, path, "audit", "--format", output_format)
        if output_format == "json":
            assert typed(strict_json(out)) == typed(json.loads(expected.getvalue()))
            assert "correct horse battery" not in out and "argon2" not in out
        else:
            assert out == expected.getvalue()
    assert "2020-01-06T05:30:00-03:30" in out


def test_an_audit_time_at_midnight_keeps_its_time(tmp_path, capsys):
    # The Python writer wrote a moment in the first minute of a day as the date alone; DuckDB writes it whole.
    path = tmp_path / "audit.duckdb"
    auth.record(open_database(path), "lea", "login", now=dt.datetime(2020, 1, 6, 0, 0, 30, tzinfo=dt.UTC))
    close_database(path)

    (row,) = strict_json(cli(capsys, path, "audit", "--format", "json"))
    header, cells = csv_rows(cli(capsys, path, "audit", "--format", "csv"))

    assert row["occurred_at"] == "2020-01-06T00:00:30+00:00"
    assert dict(zip(header, cells, strict=True))["occurred_at"] == "2020-01-06T00:00:30+00:00"


# --- the writer on its own: every kind of value, any text ---


def arrow_rows(rows: list[dict[str, Any]], schema: pa.Schema) -> duckdb.DuckDBPyRelation:
    """Return rows as a relation on a fresh in-memory DuckDB."""
    return duckdb.connect().from_arrow(pa.Table.from_pylist(rows, schema=schema))


def written(relation: duckdb.DuckDBPyRelation, output_format: str) -> str:
    """Return what write_relation writes."""
    out = io.StringIO()
    write_relation(relation, output_format, out)
    return out.getvalue()


MIXED = pa.schema([
    ("number", pa.float64()), ("count", pa.int64()), ("text", pa.string()), ("flag", pa.bool_()),
    ("day", pa.date32()), ("words", pa.list_(pa.string())), ("amount", pa.decimal128(5, 1)),
    ("ratio", pa.float32()),
])

_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=12)
_ROW = st.fixed_dictionaries({
    "number": st.none() | st.floats(allow_infinity=False),
    "count": st.none() | st.integers(-(2**62), 2**62),
    "text": st.none() | _TEXT,
    "flag": st.none() | st.booleans(),
    "day": st.none() | st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31)),
    "words": st.none() | st.lists(_TEXT.filter(bool), max_size=3),
    "amount": st.none() | st.decimals(-9999, 9999, places=1, allow_nan=False),
    "ratio": st.none() | st.floats(width=32, allow_nan=False, allow_infinity=False),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ROW, max_size=6))
def test_any_rows_read_as_the_python_writer_wrote_them(rows):
    relation = arrow_rows(rows, MIXED)

    for output_format in FORMATS:
        expected = io.StringIO()
        write_frame(relation.df(), output_format, expected)
        out = written(relation, output_format)
        if output_format == "json":
            assert typed(strict_json(out)) == typed(json.loads(expected.getvalue()))
        else:
            assert csv_rows(out) == csv_rows(expected.getvalue())


def test_nan_and_infinity_are_null_in_json_so_it_stays_valid():
    relation = arrow_rows(
        [{"number": float("nan")}, {"number": float("inf")}, {"number": -float("inf")}, {"number": 1.5}],
        pa.schema([("number", pa.float64())]),
    )

    assert strict_json(written(relation, "json")) == [{"number": None}] * 3 + [{"number": 1.5}]
    # CSV as before: NaN is missing, an infinity is %g's inf.
    assert written(relation, "csv") == "number\n\ninf\n-inf\n1.5\n"


def test_a_carriage_return_is_quoted_in_csv():
    # The Python writer left a lone \r unquoted, which a CSV reader takes for the end of a record.
    schema = pa.schema([("text", pa.string()), ("n", pa.int64())])
    relation = arrow_rows([{"text": "before\rafter", "n": 1}], schema)

    assert csv_rows(written(relation, "csv")) == [["text", "n"], ["before\rafter", "1"]]


def test_what_the_stream_holds_already_stays_first():
    relation = arrow_rows([{"n": 1}], pa.schema([("n", pa.int64())]))
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    stream.write("written before\n")

    write_relation(relation, "csv", stream)
    stream.write("written after\n")
    stream.flush()

    assert raw.getvalue() == b"written before\nn\n1\nwritten after\n"


def test_the_json_and_csv_writer_needs_no_pandas():
    code = (
        "import io, sys, duckdb\n"
        "from dashboard.output import write_relation\n"
        "relation = duckdb.connect().sql(\"select 1.5 as x, date '2026-11-22' as d, ['a'] as l\")\n"
        "for output_format in ('json', 'csv'):\n"
        "    write_relation(relation, output_format, io.StringIO())\n"
        "print('pandas' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "False"


def test_a_piped_rehab_writes_valid_utf8_json_whatever_the_locale(tricky_clinic):
    environment = {**os.environ, "PYTHONIOENCODING": "ascii", "TZ": "UTC"}
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "--db", str(tricky_clinic), "review", "--week", "2026-W46",
         "--as-of", "2026-11-15", "--format", "json"],
        capture_output=True, check=True, cwd=ROOT, env=environment,
    )
    (row,) = strict_json(result.stdout.decode("utf-8"))
    assert row["name"] == TRICKY_NAME
