"""Given any valid generated log, CSV or XLSX, expect it to read back equal and a re-import to add nothing."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from helpers import write_csv, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.db import Database
from dashboard.importer import import_paths
from dashboard.logformats import FORMATS, STAGES

FIRST_DAY = dt.date(2026, 1, 1)

# Notes and names: commas, quotes, newlines, tabs, no-break spaces, accents, CJK and emoji. No lone CR: XML
# (so XLSX) turns it into a newline, and csv.writer with LF lines would leave it unquoted.
TEXT_CHARS = st.sampled_from(list("abcxyz XYZ019,;\"'.-_/()é漢😀ñÆ\n\t\xa0"))
notes = st.one_of(st.just(""), st.text(TEXT_CHARS, min_size=1, max_size=25))
words = st.text(TEXT_CHARS, min_size=1, max_size=20).filter(lambda s: s.strip())
days = st.integers(0, 400).map(lambda n: FIRST_DAY + dt.timedelta(days=n))


def decimals(low: int, high: int, places: int) -> st.SearchStrategy[str]:
    """Return numbers in [low, high] written with up to `places` decimals, as text (3, 3.5, 3.0, 40.25)."""
    scale = 10**places

    def written(n: int, trailing_zeros: bool) -> str:
        whole, fraction = divmod(n, scale)
        if places == 0 or (fraction == 0 and not trailing_zeros):
            return str(whole)
        return f"{whole}.{fraction:0{places}d}".rstrip("0" if not trailing_zeros else "") or "0"

    return st.builds(written, st.integers(low * scale, high * scale), st.booleans())


@st.composite
def clinics(draw):
    """Return patients and the three logs as rows of text cells, plus which optional columns each file has."""
    count = draw(st.integers(1, 3))
    ids = [
        f"P{n:03d}" for n in draw(st.lists(st.integers(1, 999), min_size=count, max_size=count, unique=True))
    ]
    optional = {
        kind: draw(st.sets(st.sampled_from([c for c in fmt.columns if c not in fmt.required])))
        for kind, fmt in FORMATS.items()
    }
    patients = []
    for pid in ids:
        start = draw(days)
        patients.append(
            {
                "patient_id": pid,
                "name": draw(words),
                "clinician": draw(words),
                "condition": draw(words),
                "start_date": start,
                "daily_rep_target": draw(st.integers(1, 10000).map(str)),
                "pain_ceiling": draw(decimals(0, 10, 1)),
                "flare_threshold": draw(decimals(1, 10, 1)),
                "discharged_on": draw(
                    st.one_of(st.none(), st.integers(0, 100).map(lambda n, s=start: s + dt.timedelta(days=n)))
                ),
                "acceptable_pain": draw(st.one_of(st.none(), decimals(0, 10, 1))),
            }
        )
    patient = st.sampled_from(ids)
    pain = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "patient_id": patient,
                    "date": days,
                    "time_of_day": st.sampled_from(["morning", "evening"]),
                    "pain": decimals(0, 10, 1),
                    "note": notes,
                }
            ),
            max_size=8,
        )
    )
    exercises = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "patient_id": patient,
                    "date": days,
                    "exercise": words,
                    "stage": st.sampled_from(STAGES),
                    "sets": st.integers(1, 100).map(str),
                    "reps": st.integers(1, 1000).map(str),
                    "hold_s": decimals(0, 3600, 1),
                    "load_kg": decimals(0, 1000, 2),
                    "pain_during": decimals(0, 10, 1),
                    "note": notes,
                }
            ),
            max_size=8,
        )
    )
    activities = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "patient_id": patient,
                    "date": days,
                    "activity": words,
                    "duration_min": decimals(1, 1440, 1),
                    "rpe": decimals(1, 10, 1),
                    "pain_during": decimals(0, 10, 1),
                    "note": notes,
                }
            ),
            max_size=8,
        )
    )
    # Duplicated lines are real repeated entries; make them likely.
    if pain and draw(st.booleans()):
        pain.append(dict(pain[0]))
    if exercises and draw(st.booleans()):
        exercises.append(dict(exercises[-1]))
    logs = {"patients": patients, "pain": pain, "exercises": exercises, "activities": activities}
    return logs, optional


def columns(kind: str, optional: dict[str, set[str]]) -> list[str]:
    """Return the columns a generated file of this kind has, in canonical order."""
    fmt = FORMATS[kind]
    return [c for c in fmt.columns if c in fmt.required or c in optional[kind]]


def write_files(folder: Path, logs, optional, as_xlsx: bool, shuffled_header: bool) -> list[Path]:
    """Write the logs as four CSV files or one workbook with a sheet per kind."""
    sheets = {}
    for kind, rows in logs.items():
        names = columns(kind, optional)
        if shuffled_header:
            names = list(reversed(names))
        sheets[kind] = (names, [[row[c] for c in names] for row in rows])
    if as_xlsx:
        book = {kind: [names, *body] for kind, (names, body) in sheets.items()}
        return [write_xlsx(folder, "clinic.xlsx", book)]
    return [
        write_csv(
            folder,
            f"{kind}.csv",
            [n.upper() if shuffled_header else n for n in names],
            [[c.isoformat() if isinstance(c, dt.date) else c for c in row] for row in body],
        )
        for kind, (names, body) in sheets.items()
    ]


def number(value) -> Decimal | None:
    """Return a number as a Decimal, whatever type it was stored as."""
    if value is None or value == "":
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


DEFAULTS = {"daily_rep_target": "90", "pain_ceiling": "5", "flare_threshold": "2"}
TEXT = {"name", "clinician", "condition", "exercise", "activity", "patient_id", "stage", "time_of_day"}
DATES = {"date", "start_date", "discharged_on"}
BLANKS = " \t\n\x0b\x0c\r\xa0"


def expected(kind: str, row: dict, optional) -> tuple:
    """Return how a generated row should read back: absent columns null or defaulted, numbers as Decimals."""
    present = set(columns(kind, optional))
    values = []
    for column in FORMATS[kind].columns:
        value = row[column] if column in present else None
        if column in DEFAULTS and value in (None, ""):
            value = DEFAULTS[column]
        if column == "note":
            values.append(value or None)
        elif column in TEXT:
            values.append(value.strip(BLANKS) or None if value else None)
        elif column in DATES:
            values.append(value)
        else:
            values.append(number(value))
    return tuple(values)


TABLES = {
    "patients": "patients",
    "pain": "pain_entries",
    "exercises": "exercise_entries",
    "activities": "activity_entries",
}


def stored(database: Database, kind: str) -> list[tuple]:
    """Return a table's rows in the format's columns, numbers as Decimals, sorted."""
    names = FORMATS[kind].columns
    rows = database.session().cursor.execute(f"select {', '.join(names)} from {TABLES[kind]}").fetchall()
    out = []
    for row in rows:
        out.append(
            tuple(
                value if (name in TEXT or name in DATES or name == "note") else number(value)
                for name, value in zip(names, row, strict=True)
            )
        )
    return sorted(out, key=repr)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clinic=clinics(), as_xlsx=st.booleans(), shuffled_header=st.booleans())
def test_given_any_valid_log_expect_it_read_back_equal_and_a_reimport_to_add_nothing(
    clinic, as_xlsx, shuffled_header
):
    logs, optional = clinic
    with tempfile.TemporaryDirectory() as folder:
        files = write_files(Path(folder), logs, optional, as_xlsx, shuffled_header)
        database = Database(":memory:")  # a fresh, migrated database per example, without file I/O
        try:
            result = import_paths(database, files)
            assert result.ok, result.report()
            for kind, rows in logs.items():
                assert stored(database, kind) == sorted((expected(kind, r, optional) for r in rows), key=repr)
            before = {kind: stored(database, kind) for kind in logs}

            again = import_paths(database, files)
            assert again.ok, again.report()
            assert all(total.added == 0 and total.skipped == total.read for total in again.totals().values())
            assert {kind: stored(database, kind) for kind in logs} == before
        finally:
            database.close()
