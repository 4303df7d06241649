"""Tolerance (issue 14): the SQL in dashboard/tolerance.py against the oracle, generated and edge clinics."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pandas as pd
import pytest
from clinic_builder import imported
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import CLINIC_TOLERANCE_COLUMNS, TOLERANCE_COLUMNS, Oracle, read_tables
from test_metrics_differential import BASE, clinics
from test_oracle_tolerance import D, tolerance_clinic

from dashboard.access import Viewer

# Means of one-decimal responses, differences of them and mean doses come back as doubles.
FLOAT_COLUMNS = {"mean_response_with", "mean_response_without", "difference", "dose", "mean_difference"}


def sql_tolerance():
    """Return the SQL implementation, skipping until it exists."""
    return pytest.importorskip("dashboard.tolerance", reason="dashboard/tolerance.py is not written yet")


def cell(value):
    """Return a cell from either side as a plain Python value (None for null)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if hasattr(value, "item"):
        return value.item()
    return value


def row_differences(label: str, got: pd.DataFrame, want: pd.DataFrame, columns: list[str]) -> list[str]:
    """Return how two frames of rows differ, row by row in order, in words."""
    lacking = [column for column in columns if column not in got.columns]
    if lacking:
        return [f"{label}: sql returns no column {', '.join(lacking)}"]
    got_rows = [{column: cell(row[column]) for column in columns} for row in got.to_dict("records")]
    want_rows = [{column: cell(row[column]) for column in columns + (["names"] if "names" in want else [])}
                 for row in want.to_dict("records")]
    key = ("kind", "name")
    if len(got_rows) != len(want_rows):
        return [f"{label}: sql rows {[tuple(r[k] for k in key) for r in got_rows]} "
                f"oracle rows {[tuple(r[k] for k in key) for r in want_rows]}"]
    problems = []
    for position, (sql_row, oracle_row) in enumerate(zip(got_rows, want_rows, strict=True)):
        for column in columns:
            value, wanted = sql_row[column], oracle_row[column]
            if column == "name" and "names" in oracle_row:
                same = value in oracle_row["names"]  # patients tied on the latest day: any of their names
            elif column in FLOAT_COLUMNS and value is not None and wanted is not None:
                same = abs(float(value) - float(wanted)) <= 1e-9
            else:
                same = value == wanted
            if not same:
                problems.append(f"{label} row {position} ({oracle_row['kind']} {oracle_row['name']!r}) "
                                f"{column}: sql {value!r} oracle {wanted!r}")
    return problems


def tolerance_differences(tolerance, database, oracle: Oracle, patient_ids: list[str], as_of: date,
                          date_from: date | None, date_to: date | None) -> list[str]:
    """Return every way the SQL tolerance rows differ from the oracle's at one as-of date and range."""
    viewer = Viewer.system()
    problems = []
    for pid in patient_ids:
        got = tolerance.patient_tolerance(database, viewer, pid, date_from=date_from, date_to=date_to,
                                          as_of=as_of)
        want = oracle.patient_tolerance(pid, as_of=as_of, date_from=date_from, date_to=date_to)
        problems.extend(row_differences(f"as_of {as_of} {date_from}..{date_to} {pid}", got, want,
                                        TOLERANCE_COLUMNS))
    got = tolerance.clinic_tolerance(database, viewer, date_from=date_from, date_to=date_to, as_of=as_of)
    want = oracle.clinic_tolerance(as_of=as_of, date_from=date_from, date_to=date_to, with_candidates=True)
    problems.extend(row_differences(f"as_of {as_of} {date_from}..{date_to} clinic", got, want,
                                    CLINIC_TOLERANCE_COLUMNS))
    return problems


# Each example imports a clinic and runs a query per patient and range; TOLERANCE_EXAMPLES=500 goes deeper.
DIFFERENTIAL = settings(
    max_examples=int(os.environ.get("TOLERANCE_EXAMPLES", "15")), deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@DIFFERENTIAL
@given(clinic=clinics(), as_of_offset=st.integers(10, 90), window=st.tuples(st.integers(0, 60),
                                                                           st.integers(0, 40)))
def test_sql_tolerance_agrees_with_the_oracle(clinic, as_of_offset, window):
    tolerance = sql_tolerance()
    as_of = BASE + timedelta(days=as_of_offset)
    date_from = BASE + timedelta(days=window[0])
    ranges = [(None, None), (date_from, date_from + timedelta(days=window[1]))]
    with imported(clinic) as database:
        oracle = Oracle(read_tables(database))
        pids = [row[0] for row in clinic.patients]
        problems = [text for start, end in ranges
                    for text in tolerance_differences(tolerance, database, oracle, pids, as_of, start, end)]
    assert not problems, "\n".join(problems)


def test_sql_tolerance_agrees_with_the_oracle_on_edge_cases():
    """One import, compared on a range edge, the day after and later; default and set ranges."""
    tolerance = sql_tolerance()
    clinic = tolerance_clinic()  # the hand-worked cases of test_oracle_tolerance.py
    windows = [(None, None), (D[1], D[8]), (D[0], D[9]), (D[14], D[20])]
    with imported(clinic) as database:
        oracle = Oracle(read_tables(database))
        pids = [row[0] for row in clinic.patients]
        problems = [text for as_of in (D[9], D[10], D[30]) for window in windows
                    for text in tolerance_differences(tolerance, database, oracle, pids, as_of, *window)]
    assert not problems, "\n".join(problems)
