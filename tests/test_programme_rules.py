"""Given/expect tests for the loading programme: prescribed reps and rest days, adherence against the
prescription, the prescribed stage and days in it, and when a patient is ready to progress.

Worked by hand from the programme rules. Weeks: W45 is 2-8 Nov 2026, W46 9-15 Nov, W47 16-22 Nov.
"""

from __future__ import annotations

from datetime import date, timedelta

from dashboard import metrics
from tests.clinic import ADMIN, Clinic, nov, plain

PROGRESS_KEYS = (
    "adherence_pct", "target_reps", "stage", "stage_source", "days_in_stage", "ready_to_progress",
    "next_stage",
)


def review_row(db, week: str, patient_id: str, as_of: date) -> dict:
    """Return one patient's weekly review row as plain values."""
    review = metrics.weekly_review(db, ADMIN, week, as_of=as_of)
    found = review[review["patient_id"] == patient_id]
    assert len(found) == 1, f"{patient_id} is not in the {week} review"
    return {key: value if key == "alerts" else plain(value) for key, value in found.iloc[0].items()}


def progress(db, week: str, patient_id: str, as_of: date) -> tuple:
    """Return the programme figures of one review row."""
    row = review_row(db, week, patient_id, as_of)
    return tuple(row[key] for key in PROGRESS_KEYS)


def days_of(first: date, count: int) -> list[date]:
    """Return `count` consecutive days from `first`."""
    return [first + timedelta(days=offset) for offset in range(count)]


def mwf_patient(clinic: Clinic, patient_id: str, *, sessions: list[date] | None = None,
                mornings: list[float | None] | None = None) -> None:
    """A heavy-slow-resistance patient from 2 Nov doing 3 x 15 Romanian deadlifts on Mon, Wed and Fri."""
    clinic.patient(patient_id, nov(2))
    clinic.mornings(patient_id, nov(2), mornings if mornings is not None else [2] * 21)
    every_session = [day for day in days_of(nov(2), 21) if day.isoweekday() in (1, 3, 5)]
    for day in every_session if sessions is None else sessions:
        clinic.exercise(patient_id, day, 3, 15, stage="heavy_slow")


# ---- prescribed reps, rest days and adherence -------------------------------------------------------------


def test_a_monday_wednesday_friday_programme_done_in_full_is_fully_adherent_and_ready(clinic):
    mwf_patient(clinic, "HSR")
    db = clinic.build()
    clinic.prescribe("HSR", nov(2), "Romanian deadlift", "heavy_slow", 3, 15, "mon,wed,fri")

    # W46: three sessions of 45 on target, four rest days left out. 14 days in stage on Sunday 15 Nov.
    assert progress(db, "2026-W46", "HSR", as_of=nov(15)) == (
        100.0, 135, "heavy_slow", "programme", 14, True, "energy_storage",
    )
    row = review_row(db, "2026-W46", "HSR", as_of=nov(15))
    assert (row["days_on_target"], row["alerts"], row["risk"]) == (3, [], "green")
    # One day short of 14 days in the stage: not yet.
    assert progress(db, "2026-W46", "HSR", as_of=nov(14))[4:6] == (13, False)


def test_a_week_of_rest_days_only_has_no_adherence_and_no_low_adherence(clinic):
    clinic.patient("P1", nov(10))  # starts on a Tuesday
    clinic.mornings("P1", nov(10), [2] * 6)
    db = clinic.build()
    clinic.prescribe("P1", nov(10), "Calf raise", "isotonic", 3, 15, "mon")

    assert progress(db, "2026-W46", "P1", as_of=nov(15))[:2] == (None, 0)
    assert metrics.alert_events(db, ADMIN, as_of=nov(15)).empty


def test_without_a_programme_the_daily_target_stands_and_readiness_is_not_judged(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [2] * 14)
    for day in days_of(nov(2), 14):
        clinic.exercise("P1", day, 3, 30, stage="isotonic")
    db = clinic.build()

    assert progress(db, "2026-W46", "P1", as_of=nov(15)) == (100.0, 630, "isotonic", "logs", 14, None, None)


def test_replacing_and_stopping_items_changes_the_prescription_from_their_dates(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [2] * 14)
    db = clinic.build()
    clinic.prescribe("P1", nov(2), "Isometric bridge hold", "isometric", 5, 1)
    clinic.prescribe("P1", nov(2), "Calf raise", "isotonic", 3, 10)
    clinic.prescribe("P1", nov(11), " isometric BRIDGE hold ", "isometric", 3, 1)  # replaces, case and spaces
    clinic.prescribe("P1", nov(13), "calf raise", "isotonic", 3, 10, "none")  # stops

    days = metrics.patient_days(db, ADMIN, "P1", nov(9), nov(15), as_of=nov(15))
    assert [int(target) for target in days["target"]] == [35, 35, 33, 33, 3, 3, 3]


def test_the_target_of_a_day_is_the_prescription_for_its_weekday(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(9), [2] * 7)
    clinic.exercise("P1", nov(9), 3, 15, stage="heavy_slow")  # Monday done
    clinic.exercise("P1", nov(10), 1, 20, stage="isotonic")  # Tuesday, half the bands
    db = clinic.build()
    clinic.prescribe("P1", nov(2), "Romanian deadlift", "heavy_slow", 3, 15, "mon,wed,fri")
    clinic.prescribe("P1", nov(2), "Band walk", "isotonic", 2, 20, "tue,thu")

    # Mon 45/45, Tue 20/40, Wed 0/45, Thu 0/40, Fri 0/45, weekend rest: (1 + 0.5) / 5 = 30 %.
    row = review_row(db, "2026-W46", "P1", as_of=nov(15))
    assert (row["adherence_pct"], row["days_on_target"], row["target_reps"], row["alerts"]) == (
        30.0, 1, 215, ["low_adherence"],
    )
    # Of two rank-2 stages, the earlier in rehab order names the stage.
    assert row["stage"] == "isotonic"


# ---- stage and days in stage ------------------------------------------------------------------------------


def test_a_stage_change_inside_the_fourteen_days_starts_a_new_run(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [2] * 14)
    for day in days_of(nov(2), 14):
        clinic.exercise("P1", day, 5, 1, stage="isometric")
    db = clinic.build()
    clinic.prescribe("P1", nov(2), "Isometric bridge hold", "isometric", 5, 1)
    clinic.prescribe("P1", nov(10), "Isometric bridge hold", "isometric", 5, 1, "none")
    clinic.prescribe("P1", nov(10), "Bridge", "isotonic", 3, 10)

    assert progress(db, "2026-W46", "P1", as_of=nov(15))[2:] == ("isotonic", "programme", 6, False, None)
    assert progress(db, "2026-W45", "P1", as_of=nov(15))[2:6] == ("isometric", "programme", 7, False)


def test_adding_an_item_of_the_same_rank_keeps_the_run(clinic):
    clinic.patient("P1", nov(2))
    db = clinic.build()
    clinic.prescribe("P1", nov(2), "Calf raise", "isotonic", 3, 15)
    clinic.prescribe("P1", nov(9), "Romanian deadlift", "heavy_slow", 3, 15, "mon,wed,fri")

    assert progress(db, "2026-W46", "P1", as_of=nov(15))[2:5] == ("isotonic", "programme", 14)


def test_a_plyometric_patient_is_never_ready_to_progress_further(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [1] * 14)
    for day in days_of(nov(2), 14):
        clinic.exercise("P1", day, 3, 10, stage="plyometric")
    db = clinic.build()
    clinic.prescribe("P1", nov(2), "Hop", "plyometric", 3, 10)

    assert progress(db, "2026-W46", "P1", as_of=nov(15))[2:] == ("plyometric", "programme", 14, False, None)


# ---- ready to progress: each criterion failing alone ------------------------------------------------------


def ready(db, patient_id: str = "HSR") -> bool | None:
    """Return ready_to_progress in W46 as of its Sunday."""
    return progress(db, "2026-W46", patient_id, as_of=nov(15))[5]


def test_a_flare_in_the_fourteen_days_keeps_a_patient_back(clinic):
    # A flare on Thursday 12 Nov: 2 -> 5 the morning after Wednesday's session (usual 2).
    mwf_patient(clinic, "HSR", mornings=[2] * 10 + [5] + [2] * 10)
    db = clinic.build()
    clinic.prescribe("HSR", nov(2), "Romanian deadlift", "heavy_slow", 3, 15, "mon,wed,fri")

    assert ready(db) is False
    assert review_row(db, "2026-W46", "HSR", as_of=nov(15))["alerts"] == ["flare"]


def test_too_few_logged_mornings_keep_a_patient_back_and_ten_are_enough(clinic):
    # 2-15 Nov: five unlogged mornings, never three in a row (no not_logging alert).
    nine = [2, None] * 5 + [2, 2, 2, 2]
    mwf_patient(clinic, "NINE", mornings=nine + [2] * 7)
    ten = [2, None, 2, None, 2, None, 2, None, 2, 2, 2, 2, 2, 2]
    mwf_patient(clinic, "TEN", mornings=ten + [2] * 7)
    db = clinic.build()
    for patient_id in ("NINE", "TEN"):
        clinic.prescribe(patient_id, nov(2), "Romanian deadlift", "heavy_slow", 3, 15, "mon,wed,fri")

    assert sum(score is not None for score in nine) == 9
    assert (ready(db, "NINE"), ready(db, "TEN")) == (False, True)


def test_adherence_below_eighty_percent_keeps_a_patient_back_and_eighty_is_enough(clinic):
    monday_wednesday_friday = [d for d in days_of(nov(2), 14) if d.isoweekday() in (1, 3, 5)]
    # Five of six sessions (83.3 %) is enough; four of six (66.7 %) is not.
    mwf_patient(clinic, "FIVE", sessions=monday_wednesday_friday[1:])
    mwf_patient(clinic, "FOUR", sessions=monday_wednesday_friday[2:])
    # 36 of 45 reps at every session is exactly 80 %.
    clinic.patient("EIGHTY", nov(2))
    clinic.mornings("EIGHTY", nov(2), [2] * 14)
    for day in monday_wednesday_friday:
        clinic.exercise("EIGHTY", day, 3, 12, stage="heavy_slow")  # 36 of 45 = 80 % every session
    db = clinic.build()
    for patient_id in ("FIVE", "FOUR", "EIGHTY"):
        clinic.prescribe(patient_id, nov(2), "Romanian deadlift", "heavy_slow", 3, 15, "mon,wed,fri")

    assert (ready(db, "FIVE"), ready(db, "FOUR"), ready(db, "EIGHTY")) == (True, False, True)


def test_mornings_within_the_reference_plus_one_on_exactly_eighty_percent_is_enough(clinic):
    # 10 of the 14 mornings logged: 8 within acceptable 2 + 1 and 2 at 3.5 is exactly 80 %; UNDER has 7.
    mornings = [2, 2, None, 2, 2, None, 3, 2, None, 2, 3.5, None, 2, 3.5]
    clinic.patient("EDGE", nov(2), acceptable=2)
    clinic.mornings("EDGE", nov(2), mornings)
    clinic.patient("UNDER", nov(2), acceptable=2)
    clinic.mornings("UNDER", nov(2), [3.5 if score == 2 and index == 0 else score
                                      for index, score in enumerate(mornings)])
    for patient_id in ("EDGE", "UNDER"):
        for day in days_of(nov(2), 14):
            clinic.exercise(patient_id, day, 1, 1, stage="isotonic")
    db = clinic.build()
    for patient_id in ("EDGE", "UNDER"):
        clinic.prescribe(patient_id, nov(2), "Calf raise", "isotonic", 1, 1)

    assert sum(score is not None for score in mornings) == 10
    assert (ready(db, "EDGE"), ready(db, "UNDER")) == (True, False)


def test_an_alert_active_on_the_day_keeps_a_patient_back_though_dated_earlier(clinic):
    # Above the ceiling of 5 from 25 Oct, still on 15 Nov: dated before the 14 days, active on the day.
    clinic.patient("P1", date(2026, 10, 20), acceptable=6)
    clinic.mornings("P1", date(2026, 10, 20), [2] * 5 + [6] * 22)
    for day in days_of(date(2026, 10, 20), 27):
        clinic.exercise("P1", day, 1, 1, stage="isotonic")
    db = clinic.build()
    clinic.prescribe("P1", date(2026, 10, 20), "Calf raise", "isotonic", 1, 1)

    row = review_row(db, "2026-W46", "P1", as_of=nov(15))
    assert row["alerts"] == ["pain_above_ceiling"]
    assert row["ready_to_progress"] is False


# ---- the checklist and per-exercise adherence the patient page shows --------------------------------------


def test_the_checklist_gives_each_criterion_with_its_numbers(clinic):
    mwf_patient(clinic, "HSR", mornings=[2] * 10 + [5] + [2] * 10)
    db = clinic.build()
    clinic.prescribe("HSR", nov(2), "Romanian deadlift", "heavy_slow", 3, 15, "mon,wed,fri")

    checklist = metrics.patient_progress(db, ADMIN, "HSR", "2026-W46", as_of=nov(15))

    assert checklist == {
        "day": nov(15), "stage": "heavy_slow", "stage_source": "programme", "prescribed_rank": 2,
        "days_in_stage": 14, "stage_ok": True, "mornings_logged": 14, "logging_ok": True,
        "high_events_dated": 1, "high_event_active": False, "calm_ok": False, "adherence_14_pct": 100.0,
        "adherence_ok": True, "mornings_settled": 13, "settled_ok": True, "ready_to_progress": False,
        "next_stage": None,
    }


def test_per_exercise_adherence_counts_the_scheduled_days_an_exercise_was_logged(clinic):
    clinic.patient("P1", nov(2))
    clinic.exercise("P1", nov(9), 3, 15, stage="heavy_slow")
    clinic.exercise("P1", nov(13), 3, 10, stage="heavy_slow")
    clinic.exercises[0][2] = "Romanian deadlift"
    clinic.exercises[1][2] = "  romanian DEADLIFT "  # the same exercise, written another way
    clinic.exercise("P1", nov(10), 2, 20, stage="isotonic")  # Calf raise on Tuesday, not on Thursday
    db = clinic.build()
    clinic.prescribe("P1", nov(2), "Romanian deadlift", "heavy_slow", 3, 15, "mon,wed,fri")
    clinic.prescribe("P1", nov(2), "Calf raise", "isotonic", 3, 15, "tue,thu")

    found = metrics.programme_week_adherence(db, ADMIN, "P1", "2026-W46", as_of=nov(15))

    assert [tuple(plain(v) for v in row) for row in found.itertuples(index=False)] == [
        ("Calf raise", "isotonic", 2, 1, 50.0),
        ("Romanian deadlift", "heavy_slow", 3, 2, 66.7),
    ]
