"""Given/expect tests for what each patient tolerates: the next-morning response with and without each load
kind, its verdict, dose against response, and the clinic view made of the per-patient rows.

Worked by hand from the tolerance rules. A response day is a loading day d whose 24-hour response exists.
"""

from __future__ import annotations

import json

import pytest

from dashboard import tolerance
from tests.clinic import ADMIN, Clinic, nov, plain
from tests.helpers import rehab


def kinds(frame) -> list[tuple]:
    """Return the patient rows as plain tuples in the listing's order."""
    return [tuple(plain(value) for value in row) for row in frame.itertuples(index=False)]


def runner(clinic: Clinic) -> None:
    """P1: runs on four of eight response days, each followed by +1.5; the other four by +0.5."""
    clinic.patient("P1", nov(2))
    # Mornings 2-10 Nov; responses of 2-9 Nov alternate +1.5 (run days) and +0.5; none reaches a flare.
    clinic.mornings("P1", nov(2), [1, 2.5, 3, 4.5, 5, 6.5, 7, 8.5, 9])
    for offset in range(9):
        clinic.exercise("P1", nov(2 + offset), 3, 10)  # Calf raise on every loading day
    for day in (2, 4, 6):
        clinic.activity("P1", nov(day), "run")
    clinic.activity("P1", nov(8), " RUN ")  # the same kind, written another way, most recently
    clinic.activity("P1", nov(10), "run", 45)  # 10 Nov has no next morning by the as-of date
    clinic.exercise("P1", nov(3), 2, 5, name="run")  # an exercise called run: another kind
    clinic.exercise("P1", nov(5), 2, 5, name="Run")


def test_a_kind_with_four_days_each_side_and_a_difference_of_exactly_one_is_likely_aggravating(clinic):
    runner(clinic)
    db = clinic.build()

    found = tolerance.patient_tolerance(db, ADMIN, "P1", as_of=nov(10))

    assert list(found.columns) == tolerance.PATIENT_COLUMNS
    assert kinds(found) == [
        # kind, name, days_done, with, days_without, without, difference, flares, dose, verdict
        ("activity", "RUN", 4, 1.5, 4, 0.5, 1.0, 0, 30.0, "likely aggravating"),
        # Done on every response day: nothing to compare with.
        ("exercise", "Calf raise", 8, 1.0, 0, None, None, 0, 30.0, "no clear signal"),
        ("exercise", "Run", 2, 0.5, 6, pytest.approx(7 / 6), pytest.approx(0.5 - 7 / 6), 0, 10.0,
         "not enough data"),
    ]


def test_a_day_without_both_mornings_or_past_the_as_of_date_is_no_response_day(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [3, 3, None, 3, 3, 3, 3, 3])  # 4 Nov unlogged
    for offset in range(8):
        clinic.exercise("P1", nov(2 + offset), 5, 1, stage="isometric", name="Isometric bridge hold")
    db = clinic.build()

    # Loading days 2-9 Nov: 3 and 4 Nov lose a morning, 9 Nov has no next morning by 9 Nov.
    found = tolerance.patient_tolerance(db, ADMIN, "P1", as_of=nov(9))
    assert kinds(found) == [
        ("exercise", "Isometric bridge hold", 5, 0.0, 0, None, None, 0, 5.0, "well tolerated"),
    ]
    points = tolerance.dose_response(db, ADMIN, "P1", as_of=nov(9))
    assert [day.day for day in points["date"]] == [2, 5, 6, 7, 8]


def test_a_range_edge_counts_a_loading_day_in_range_whose_next_morning_is_after_it(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [3, 5.5, 3, 3])
    clinic.activity("P1", nov(2))
    clinic.activity("P1", nov(3))
    db = clinic.build()

    # Loading on 3 Nov, last day of the range; its next morning (4 Nov) is after the range but by the as-of.
    found = tolerance.patient_tolerance(db, ADMIN, "P1", date_from=nov(3), date_to=nov(3), as_of=nov(5))
    assert kinds(found) == [("activity", "run", 1, -2.5, 0, None, None, 0, 30.0, "not enough data")]
    assert kinds(tolerance.patient_tolerance(db, ADMIN, "P1", date_to=nov(3), as_of=nov(3))) == [
        ("activity", "run", 1, 2.5, 0, None, None, 1, 30.0, "not enough data"),
    ]


def test_a_flare_after_a_kind_keeps_it_from_well_tolerated(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [2, 2, 2, 2, 4.5, 2])  # 5 Nov -> 6 Nov: 2 -> 4.5, a flare
    for offset in range(5):
        clinic.activity("P1", nov(2 + offset), "ride")
    db = clinic.build()

    # Responses 0, 0, 0, +2.5 (a flare: 4.5 >= usual 2 + 2) and -2.5: a mean of 0, but one flare.
    found = tolerance.patient_tolerance(db, ADMIN, "P1", as_of=nov(7))
    assert kinds(found) == [("activity", "ride", 5, 0.0, 0, None, None, 1, 30.0, "no clear signal")]


def test_the_clinic_view_agrees_with_the_per_patient_rows(clinic):
    runner(clinic)
    clinic.patient("P2", nov(2), clinician="Léa Moreau")
    clinic.mornings("P2", nov(2), [2, 4, 2, 4, 2, 4, 2, 4, 2])
    for day in range(2, 10):
        clinic.activity("P2", nov(day), "Run")
    for day in (2, 4, 6, 8):
        clinic.exercise("P2", nov(day), 3, 10)
    db = clinic.build()

    per_patient = {
        patient: tolerance.patient_tolerance(db, ADMIN, patient, as_of=nov(10)) for patient in ("P1", "P2")
    }
    clinic_view = tolerance.clinic_tolerance(db, ADMIN, as_of=nov(10))

    assert list(clinic_view.columns) == tolerance.CLINIC_COLUMNS
    for row in clinic_view.itertuples(index=False):
        rows = [
            frame[(frame["kind"] == row.kind) & (frame["name"].str.lower() == row.name.lower())]
            for frame in per_patient.values()
        ]
        rows = [match for match in rows if not match.empty]
        assert row.patients == len(rows)
        assert row.days_done == sum(int(match["days_done"].iloc[0]) for match in rows)
        assert row.patients_aggravated == sum(
            match["verdict"].iloc[0] == "likely aggravating" for match in rows
        )
        differences = [match["difference"].iloc[0] for match in rows if plain(match["difference"].iloc[0])]
        if differences:
            assert row.mean_difference == pytest.approx(sum(differences) / len(differences))
    # Calf raise aggravates P2 (+2 after it, -2 without: a difference of 4), runs aggravate P1 (1.0); the run
    # is named as P2 last wrote it, on 9 Nov.
    assert [tuple(plain(v) for v in row) for row in clinic_view.itertuples(index=False)][:2] == [
        ("exercise", "Calf raise", 2, 12, 1, 4.0),
        ("activity", "Run", 2, 12, 1, 1.0),
    ]
    lea = tolerance.clinic_tolerance(db, ADMIN.__class__("lea", "clinician", "Léa Moreau"), as_of=nov(10))
    assert set(lea["name"]) == {"Run", "Calf raise"}


def test_rehab_tolerance_json_has_the_keys_and_the_clinic_view(clinic, capsys):
    runner(clinic)
    clinic.build()

    status, out, _ = rehab(capsys, clinic.path, "tolerance", "--patient", "P1", "--as-of", "2026-11-10",
                           "--format", "json")
    assert status == 0
    first = json.loads(out)[0]
    assert first == {
        "kind": "activity", "name": "RUN", "days_done": 4, "mean_response_with": 1.5, "days_without": 4,
        "mean_response_without": 0.5, "difference": 1.0, "flares_with": 0, "dose": 30.0,
        "verdict": "likely aggravating",
    }
    status, out, _ = rehab(capsys, clinic.path, "tolerance", "--clinic", "--as-of", "2026-11-10",
                           "--format", "csv")
    assert status == 0
    assert out.splitlines()[0] == "kind,name,patients,days_done,patients_aggravated,mean_difference"
    status, _, err = rehab(capsys, clinic.path, "tolerance", "--patient", "NOBODY")
    assert status == 1 and "NOBODY" in err


def test_the_dose_line_needs_eight_points_and_gives_its_slope_per_100_reps(clinic):
    clinic.patient("P1", nov(2))
    # Responses rise 0.5 for every 50 more reps: 0.01 a rep, 1.0 per 100 reps.
    reps = [50, 100, 50, 100, 50, 100, 50, 100, 50]
    mornings = [2.0]
    for count in reps[:-1]:
        mornings.append(mornings[-1] + (0.5 if count == 100 else 0.0))
    clinic.mornings("P1", nov(2), mornings)
    for offset, count in enumerate(reps):
        clinic.exercise("P1", nov(2 + offset), 1, count)
    db = clinic.build()

    assert tolerance.fitted_line(db, ADMIN, "P1", as_of=nov(9)) is None  # 7 points
    fit = tolerance.fitted_line(db, ADMIN, "P1", as_of=nov(10))
    assert fit is not None and fit.points == 8
    assert fit.per_100_reps == pytest.approx(1.0)


def test_the_sentence_names_the_kind_and_says_it_is_an_association(clinic):
    runner(clinic)
    db = clinic.build()

    sentence = tolerance.summary(tolerance.patient_tolerance(db, ADMIN, "P1", as_of=nov(10)))
    assert sentence == (
        "RUN was followed by a morning 1.0 points worse than other loading days (4 days, 0 flares). "
        "An association in this patient's log, not proof of cause."
    )
