"""The test oracle alone on tolerance (issue 14), each case worked out by hand.

D[0] is Monday 2 November 2026. Every patient has flare threshold 2 and a ceiling of 10 (no ceiling alerts).
A response is dated on the morning after the loading day d; the tables below speak of d.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from clinic_builder import Clinic, oracle_of
from oracle import Oracle

MON = date(2026, 11, 2)
D = [MON + timedelta(days=k) for k in range(70)]


def tolerance_clinic() -> Clinic:
    """Return one clinic holding the hand-worked cases, a patient each (the SQL differential uses it too)."""
    c = Clinic()
    # T1: Bridge on every loading day, every response 0: no comparison possible.
    c.patient("T1", D[0], ceiling=10)
    c.mornings("T1", D[0], [1] * 11)
    for k in range(10):
        c.exercise("T1", D[k], 3, 10, name="Bridge")
    # T2: run on 4 days (+1 each), Bridge on the other 4 (0 each): a difference of exactly 1.0.
    c.patient("T2", D[0], ceiling=10)
    c.mornings("T2", D[0], [1, 2, 2, 3, 3, 4, 4, 5, 5])
    for k in range(8):
        if k % 2 == 0:
            c.activity("T2", D[k], name="run", minutes=30 + 5 * k)
        else:
            c.exercise("T2", D[k], 3, 10, name="Bridge")
    # T3: the same exercise written in four cases and spacings ('~' is a space kept through the import);
    # two entries on the latest day; two names differing by an inner space.
    c.patient("T3", D[0], ceiling=10)
    c.mornings("T3", D[0], [2, 2, 3, 2, 2, 4])
    for k, name in enumerate(["Bridge", "~bridge~~", "BRIDGE", "bridge"]):
        c.exercise("T3", D[k], 2, 10 + k, name=name)
    c.exercise("T3", D[3], 1, 5, name="Bridge~")
    c.exercise("T3", D[4], 1, 8, name="single~leg~bridge")
    c.exercise("T3", D[4], 1, 8, name="single~~leg~bridge")
    # T4: an exercise and an activity both called run.
    c.patient("T4", D[0], ceiling=10)
    c.mornings("T4", D[0], [1, 3, 1, 3, 1, 3, 1, 4, 1])
    for k in range(8):
        c.exercise("T4", D[k], 2, 8, name="Run")
        if k % 2:
            c.activity("T4", D[k], name="~run", minutes=20 if k < 4 else 25)
    # T5: missing mornings, and the range edge.
    c.patient("T5", D[0], ceiling=10)
    c.mornings("T5", D[0], [1, 2, None, 2, 1, None, 5, 1, 1, 2, 6])
    for k in range(10):
        c.exercise("T5", D[k], 1, 10, name="Bridge")
        if k in (5, 6, 9):
            c.activity("T5", D[k], name="Run", minutes=40)
    # T6: runs followed by a flare every time, walks by a settled morning.
    c.patient("T6", D[0], ceiling=10)
    c.mornings("T6", D[0], [1] * 14 + [1, 5, 1, 5, 1, 5, 1, 5, 1, 5])
    for k in range(14, 23):
        c.activity("T6", D[k], name="Run" if k % 2 == 0 else "walk", minutes=30)
    return c


@pytest.fixture(scope="module")
def oracle() -> Oracle:
    return oracle_of(tolerance_clinic())


def rows(oracle: Oracle, patient_id: str, as_of: date, **window) -> list[tuple]:
    """Return one patient's tolerance rows as tuples in the order given."""
    frame = oracle.patient_tolerance(patient_id, as_of=as_of, **window)
    return [tuple(None if value != value else value for value in row)  # NaN (a null) as None
            for row in frame.itertuples(index=False)]


def test_a_kind_done_on_every_loading_day_has_nothing_to_compare_with(oracle):
    assert rows(oracle, "T1", D[10]) == [
        ("exercise", "Bridge", 10, 0.0, 0, None, None, 0, 30.0, "well tolerated"),
    ]


def test_four_days_each_side_and_a_difference_of_exactly_1_is_likely_aggravating(oracle):
    # run: d = D0, D2, D4, D6, responses +1; Bridge: D1, D3, D5, D7, responses 0.
    assert rows(oracle, "T2", D[8]) == [
        ("activity", "run", 4, 1.0, 4, 0.0, 1.0, 0, 45.0, "likely aggravating"),
        ("exercise", "Bridge", 4, 0.0, 4, 1.0, -1.0, 0, 30.0, "well tolerated"),
    ]


@pytest.mark.parametrize(
    ("last_mornings", "difference", "verdict"),
    [((5, 5), 1.0, "likely aggravating"), ((4.6, 4.6), 0.9, "no clear signal")],
)
def test_a_difference_just_below_1_is_no_clear_signal(last_mornings, difference, verdict):
    clinic = Clinic()
    clinic.patient("P1", D[0], ceiling=10)
    clinic.mornings("P1", D[0], [1, 2, 2, 3, 3, 4, 4, *last_mornings])
    for k in range(8):
        if k % 2 == 0:
            clinic.activity("P1", D[k], name="run")
        else:
            clinic.exercise("P1", D[k], 3, 10, name="Bridge")
    frame = oracle_of(clinic).patient_tolerance("P1", as_of=D[8])
    run = frame[frame.name == "run"].iloc[0]
    assert run.difference == pytest.approx(difference)
    assert run.verdict == verdict


def test_three_days_done_is_not_enough_data_and_three_days_without_is_no_comparison():
    clinic = Clinic()
    clinic.patient("P1", D[0], ceiling=10)
    clinic.mornings("P1", D[0], [1, 3, 1, 3, 1, 3, 1])
    for k in range(6):  # run on D0, D2, D4 (+2 each, flares); Bridge on every day
        clinic.exercise("P1", D[k], 1, 10, name="Bridge")
        if k % 2 == 0:
            clinic.activity("P1", D[k], name="run")
    frame = oracle_of(clinic).patient_tolerance("P1", as_of=D[6])
    assert frame[["name", "days_done", "days_without", "verdict"]].values.tolist() == [
        ["Bridge", 6, 0, "no clear signal"],  # six days, no comparison, mean 0 but flares with it
        ["run", 3, 3, "not enough data"],
    ]
    assert frame.flares_with.tolist() == [3, 3]


def test_names_differing_in_case_and_spaces_are_one_kind_shown_as_last_written(oracle):
    # bridge kind: d = D0..D3, responses 0, +1, -1, 0; without: D4 (+2, a flare: 4 >= usual 2 + 2).
    # Dose: 20, 22, 24 and 26 + 5 on D3. Shown as written on D3 by its latest entry, trimmed: "Bridge".
    assert rows(oracle, "T3", D[5]) == [
        ("exercise", "Bridge", 4, 0.0, 1, 2.0, -2.0, 0, 24.25, "well tolerated"),
        ("exercise", "single  leg bridge", 1, 2.0, 4, 0.0, 2.0, 1, 8.0, "not enough data"),
        ("exercise", "single leg bridge", 1, 2.0, 4, 0.0, 2.0, 1, 8.0, "not enough data"),
    ]


def test_an_exercise_and_an_activity_sharing_a_name_are_two_kinds(oracle):
    # Responses +2, -2, +2, -2, +2, -2, +3, -3; each rise is a flare (usual unknown, then 1).
    assert rows(oracle, "T4", D[8]) == [
        ("exercise", "Run", 8, 0.0, 0, None, None, 4, 16.0, "no clear signal"),
        ("activity", "run", 4, -2.25, 4, 2.25, -4.5, 0, 22.5, "well tolerated"),
    ]


def test_days_with_a_missing_morning_are_not_response_days_and_d_plus_1_after_the_as_of_date_neither(oracle):
    # Mornings 1, 2, -, 2, 1, -, 5, 1, 1, 2, 6: response days D0 (+1), D3 (-1), D6 (-4), D7 (0), D8 (+1);
    # as of D9 the loading day D9 has no response yet (D10 is after the as-of date).
    assert rows(oracle, "T5", D[9]) == [
        ("exercise", "Bridge", 5, -0.6, 0, None, None, 0, 10.0, "well tolerated"),
        ("activity", "Run", 1, -4.0, 4, 0.25, -4.25, 0, 40.0, "not enough data"),
    ]
    # As of D10, D9 is a response day (+4, a flare over usual 1.5), still inside a range ending on D9.
    expected = [
        ("exercise", "Bridge", 6, pytest.approx(1 / 6), 0, None, None, 1, 10.0, "no clear signal"),
        ("activity", "Run", 2, 0.0, 4, 0.25, -0.25, 1, 40.0, "not enough data"),
    ]
    assert rows(oracle, "T5", D[10]) == expected
    assert rows(oracle, "T5", D[10], date_to=D[9]) == expected
    # A range ending on D8 leaves D9 out; one starting on D6 leaves D0 and D3 out.
    assert [row[2] for row in rows(oracle, "T5", D[10], date_to=D[8])] == [5, 1]
    assert rows(oracle, "T5", D[10], date_from=D[6], date_to=D[9])[1] == (
        "activity", "Run", 2, 0.0, 2, 0.5, -0.5, 1, 40.0, "not enough data",
    )


def test_the_default_range_is_the_56_days_ending_on_the_as_of_date(oracle):
    # As of D[62], the range starts on D[7]: T1's loading days D7..D9 are left, D0..D6 out.
    assert rows(oracle, "T1", D[62])[0][2] == 3
    assert rows(oracle, "T1", D[63]) == rows(oracle, "T1", D[63], date_from=D[8], date_to=D[63])
    assert [row[2] for row in rows(oracle, "T1", D[63])] == [2]


def test_runs_followed_by_flares_sort_first(oracle):
    assert rows(oracle, "T6", D[23]) == [
        ("activity", "Run", 5, 4.0, 4, -4.0, 8.0, 5, 30.0, "likely aggravating"),
        ("activity", "walk", 4, -4.0, 5, 4.0, -8.0, 0, 30.0, "well tolerated"),
    ]


def test_the_clinic_view_is_made_of_the_per_patient_rows(oracle):
    frame = oracle.clinic_tolerance(as_of=D[23])
    assert [tuple(None if v != v else v for v in row) for row in frame.itertuples(index=False)] == [
        # run: T2 (+1.0, aggravating), T4 (-4.5), T5 (-0.25), T6 (+8.0, aggravating); T6's D22 is the latest.
        ("activity", "Run", 4, 15, 2, pytest.approx(1.0625)),
        ("exercise", "single  leg bridge", 1, 1, 0, 2.0),
        ("exercise", "single leg bridge", 1, 1, 0, 2.0),
        # T1 and T5 have no difference; T2 -1.0 and T3 -2.0.
        ("exercise", "Bridge", 4, 24, 0, -1.5),
        ("activity", "walk", 1, 4, 0, -8.0),
        ("exercise", "Run", 1, 8, 0, None),
    ]
