"""Clinical metrics: hand-worked oracle examples, then SQL against the oracle on generated clinics."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pandas as pd
import pytest
from clinic_builder import KEEP, Clinic, imported, oracle_of
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from oracle import (
    EVENT_COLUMNS,
    ONE_DAY,
    REVIEW_COLUMNS,
    STAGE_ORDER,
    Oracle,
    as_date,
    iso_week_label,
    read_tables,
    week_monday,
)

from dashboard.access import Viewer

MON = date(2026, 11, 2)  # a Monday, ISO week 2026-W45
D = [MON + timedelta(days=k) for k in range(70)]


EVENT_KEY_COLUMNS = [column for column in EVENT_COLUMNS if column != "detail"]


def lacking_columns(frame: pd.DataFrame, columns: list[str], runner: str) -> list[str]:
    """Return a message naming the columns a runner's frame lacks, or nothing."""
    lacking = [column for column in columns if column not in frame.columns]
    return [f"{runner} returns no column {', '.join(lacking)}"] if lacking else []


def event_keys(frame: pd.DataFrame) -> list[tuple]:
    """Return (patient_id, rule, date, until, severity) of each event, sorted (the detail is free-form)."""
    return sorted(
        (row.patient_id, row.rule, as_date(row.date), as_date(row.until), row.severity)
        for row in frame.itertuples(index=False)
    )


# ---- hand-worked examples: the oracle against the rules as written ---------------------------------


def test_given_loading_days_expect_next_morning_response_statuses_and_36h_check():
    clinic = Clinic()
    clinic.patient("P1", D[0], flare=2)
    clinic.mornings("P1", D[0], [3, 3, 5, 4.5])
    clinic.score("P1", D[1], "morning", 2.5)  # the highest morning score of a day counts
    clinic.score("P1", D[2], "evening", 3)
    for day in D[0:3]:
        clinic.exercise("P1", day, 3, 10)
    responses = oracle_of(clinic).responses("P1", as_of=D[10])
    assert responses.to_dict("records") == [
        {"date": D[1], "morning_before": 3.0, "morning_after": 3.0, "response": 0.0, "status": "settled",
         "settled_36h": None},
        {"date": D[2], "morning_before": 3.0, "morning_after": 5.0, "response": 2.0, "status": "flare",
         "settled_36h": True},
        {"date": D[3], "morning_before": 5.0, "morning_after": 4.5, "response": -0.5, "status": "settled",
         "settled_36h": None},
    ]


def test_given_a_rise_just_below_the_flare_threshold_expect_elevated_and_no_flare():
    clinic = Clinic()
    clinic.patient("P1", D[0], flare=1.5)
    clinic.mornings("P1", D[0], [2, 3.4, None, 4])
    clinic.score("P1", D[1], "evening", 2.5)
    clinic.activity("P1", D[0])  # an activity makes a loading day too
    clinic.activity("P1", D[2])  # no morning on D[2]: no response for it
    oracle = oracle_of(clinic)
    responses = oracle.responses("P1", as_of=D[10])
    assert responses[["date", "status", "settled_36h"]].to_dict("records") == [
        {"date": D[1], "status": "elevated", "settled_36h": False},
    ]
    assert "flare" not in set(oracle.alert_events(as_of=D[10]).rule)


def test_given_a_loading_day_without_next_morning_expect_no_response_and_missing_is_not_zero():
    clinic = Clinic()
    clinic.patient("P1", D[0])
    clinic.mornings("P1", D[0], [4, None, 0])
    clinic.exercise("P1", D[0], 1, 10)
    clinic.exercise("P1", D[1], 1, 10)
    assert oracle_of(clinic).responses("P1", as_of=D[5]).empty


@pytest.mark.parametrize(
    ("scores", "flare", "expected_offsets"),
    [
        ([2, 2.5, 3, 3.5], 1.5, [3]),  # +1 on the third morning, +1.5 on the fourth: dated on the fourth
        ([2, 2.5, 3], 1.5, []),  # three rising mornings but only +1
        ([2, 4, None, 6, 8], 2, []),  # a missing morning ends the streak
        ([2, 4, 4, 6, 8], 2, [4]),  # a tie ends it too; 4, 6, 8 is a new streak (8 >= usual 4 + 2)
        ([1, 3, 5, 7, 2, 4, 6], 2, [2, 6]),  # one event per maximal streak (6 >= usual 3.5 + 2)
        ([0, 1, 2, 3], 1, [3]),  # the third morning, 2/10, is in the safe zone; the fourth qualifies
    ],
)
def test_given_rising_mornings_expect_one_rising_streak_event_on_its_first_qualifying_morning(
    scores, flare, expected_offsets
):
    clinic = Clinic()
    clinic.patient("P1", D[0], flare=flare, ceiling=10)
    clinic.mornings("P1", D[0], scores)
    events = oracle_of(clinic).alert_events(as_of=D[len(scores) - 1])
    assert [as_date(day) for day in events[events.rule == "rising_streak"].date] == [
        D[k] for k in expected_offsets
    ]


def test_given_mornings_above_the_ceiling_expect_one_event_per_run_of_consecutive_days():
    clinic = Clinic()
    clinic.patient("P1", D[0], ceiling=5, flare=10)
    clinic.mornings("P1", D[0], [5, 6, 6.5, None, 7, 5.1, 4])
    events = oracle_of(clinic).alert_events(as_of=D[6])
    assert event_keys(events[events.rule == "pain_above_ceiling"]) == [
        ("P1", "pain_above_ceiling", D[1], D[2], "high"),
        ("P1", "pain_above_ceiling", D[4], D[5], "high"),
    ]


def test_given_gaps_in_the_morning_log_expect_one_not_logging_event_per_gap_on_its_third_day():
    clinic = Clinic()
    clinic.patient("P1", D[0])
    clinic.mornings("P1", D[0], [None, None, None, 3, None, None, 3, None, None, None, None, 3])
    events = oracle_of(clinic).alert_events(as_of=D[11])
    assert [as_date(day) for day in events[events.rule == "not_logging"].date] == [D[2], D[9]]


def test_given_no_mornings_after_discharge_expect_no_not_logging_there():
    clinic = Clinic()
    clinic.patient("P1", D[0], discharged=D[1])
    events = oracle_of(clinic).alert_events(as_of=D[20])
    assert "not_logging" not in set(events.rule)


@pytest.mark.parametrize(("base", "last_week", "expected"), [(5, 9, []), (5, 10, [27])])
def test_given_a_last_week_heavier_than_the_month_expect_load_spike_only_above_1_5(base, last_week, expected):
    # 21 days of `base` reps then 7 of `last_week`: on day 27, acute/chronic = 7*lw / ((21*b + 7*lw)/4).
    clinic = Clinic()
    clinic.patient("P1", D[0], target=1)
    for k in range(28):
        clinic.exercise("P1", D[k], 1, base if k < 21 else last_week)
    events = oracle_of(clinic).alert_events(as_of=D[27])
    assert [as_date(day) for day in events[events.rule == "load_spike"].date] == [D[k] for k in expected]


def test_given_load_from_day_zero_expect_no_load_spike_before_day_27():
    clinic = Clinic()
    clinic.patient("P1", D[0], target=1)
    for k in range(20, 30):
        clinic.exercise("P1", D[k], 1, 50)
    events = oracle_of(clinic).alert_events(as_of=D[30])
    assert [as_date(day) for day in events[events.rule == "load_spike"].date] == [D[27]]


def test_given_a_week_of_partial_sessions_expect_capped_adherence_and_low_adherence_on_sunday():
    clinic = Clinic()
    clinic.patient("P1", D[0], target=90)
    clinic.exercise("P1", D[0], 3, 30)
    clinic.exercise("P1", D[1], 6, 30)  # 180 reps count as one full day, not two
    clinic.exercise("P1", D[2], 3, 15)
    clinic.mornings("P1", D[0], [2, 3, 3, 3, 2, 3, 2, 3])
    oracle = oracle_of(clinic)
    review = oracle.weekly_review("2026-W45", as_of=D[10]).iloc[0]
    assert review.adherence_pct == 35.7  # (1 + 1 + 0.5) / 7
    assert review.days_on_target == 2
    assert review.total_reps == 315
    assert review.mean_morning_pain == pytest.approx(18 / 7)
    assert review.prev_mean_morning_pain is None or pd.isna(review.prev_mean_morning_pain)
    assert review.alerts == ["low_adherence"]
    assert review.risk == "amber"
    low = oracle.alert_events(as_of=D[10]).query("rule == 'low_adherence'")
    assert [as_date(day) for day in low.date] == [D[6]]
    # On Saturday the week is not over yet: no low_adherence event.
    assert "low_adherence" not in set(oracle.alert_events(as_of=D[5]).rule)
    saturday = oracle.weekly_review("2026-W45", as_of=D[5]).iloc[0]
    assert saturday.adherence_pct == pytest.approx(250 / 6, abs=0.05)


def test_given_adherence_that_rounds_to_50_expect_no_low_adherence():
    clinic = Clinic()
    clinic.patient("P1", D[0], target=10000)
    for k in range(3):
        clinic.exercise("P1", D[k], 10, 1000)
    clinic.exercise("P1", D[3], 5, 994)  # 34 970 of 70 000 reps: 49.957 %, shown as 50.0 %
    clinic.mornings("P1", D[0], [1] * 7)
    oracle = oracle_of(clinic)
    assert oracle.weekly_review("2026-W45", as_of=D[6]).iloc[0].adherence_pct == 50.0
    assert "low_adherence" not in set(oracle.alert_events(as_of=D[6]).rule)


def test_given_a_caseload_expect_review_rows_sorted_red_amber_green_and_only_patients_in_programme():
    clinic = Clinic()
    clinic.patient("A", D[0], target=1)  # green: logs every morning, settles
    clinic.patient("B", D[0], target=1, ceiling=5)  # red: above the ceiling on Wednesday
    clinic.patient("C", D[0], target=1)  # amber: no mornings at all
    clinic.patient("D", D[7])  # starts next week: no row
    clinic.patient("E", D[0] - timedelta(days=30), discharged=D[0] - timedelta(days=1))  # discharged: no row
    for pid in ("A", "B", "C"):
        for k in range(7):
            clinic.exercise(pid, D[k], 1, 1)
    clinic.mornings("A", D[0] - timedelta(days=7), [1] * 14)
    clinic.mornings("B", D[0], [3, 3, 6, 3, 3, 3, 3])
    review = oracle_of(clinic).weekly_review("2026-W45", as_of=D[6])
    assert review[["patient_id", "risk"]].values.tolist() == [["B", "red"], ["C", "amber"], ["A", "green"]]
    by_id = review.set_index("patient_id")
    assert by_id.loc["B", "alerts"] == ["flare", "pain_above_ceiling"]
    assert by_id.loc["B", "flare_days"] == 1
    assert by_id.loc["B", "max_response"] == 3.0
    assert by_id.loc["C", "alerts"] == ["not_logging"]
    assert pd.isna(by_id.loc["C", "mean_morning_pain"]) and pd.isna(by_id.loc["C", "max_response"])
    assert pd.isna(by_id.loc["A", "prev_mean_morning_pain"])  # logs before start_date do not count
    assert by_id.loc["A", "adherence_pct"] == 100.0


def test_given_an_as_of_date_expect_later_logs_ignored():
    clinic = Clinic()
    clinic.patient("P1", D[0], ceiling=5)
    clinic.mornings("P1", D[0], [3, 3, 9])
    oracle = oracle_of(clinic)
    assert oracle.alert_events(as_of=D[1]).empty
    assert set(oracle.alert_events(as_of=D[2]).rule) == {"pain_above_ceiling"}


# ---- differential: the SQL in dashboard/metrics.py against the oracle ------------------------------

BASE = date(2026, 8, 31)  # a Monday; clinics start within three weeks of it
PAIN_SCORES = st.one_of(st.integers(0, 10), st.integers(0, 100).map(lambda t: t / 10))
CEILINGS = st.sampled_from([0, 3, 4.5, 5, 5.5, 6, 7.5, 10])
FLARES = st.sampled_from([0.5, 1, 1.5, 2, 2.5, 3, 4])
TARGETS = st.sampled_from([1, 10, 30, 45, 90, 180])
# Clinician-set levels from inside the safe zone to well above most patients' usual mornings.
ACCEPTABLE_LEVELS = st.sampled_from([0, 1, 2, 2.5, 3, 4.5, 6, 8])
# A steady patient's morning moves by a small step a day (in tenths), so that runs above the ceiling,
# rises within the usual range and stretches in the safe zone all happen.
STEADY_STEPS = st.sampled_from([-20, -10, -5, 0, 0, 0, 5, 10, 15, 20, 30])
# Change dates (days after start_date): a coarse grid of its own makes same-date ties common; -2 is before
# the start, and the largest may lie beyond the as-of date or the discharge.
CHANGE_OFFSETS = st.one_of(st.sampled_from([-2, 0, 7, 14, 21, 28]), st.integers(-3, 63))
MAX_DAYS = 60
# Programme items (issue 13): three exercises, each written in more than one case and spacing; dates on a
# coarse grid so that replacements, stops and same-date versions happen.
PROGRAMME_NAMES = st.sampled_from(["Bridge", " bridge ", "BRIDGE", "Nordic curl", "nordic curl  ", "Run"])
PROGRAMME_DAYS = st.sampled_from(["daily", "daily", "mon,wed,fri", "mon,wed,fri", "tue,thu", "sat,sun", "sun",
                                  "none"])
PROGRAMME_OFFSETS = st.one_of(st.sampled_from([-2, 0, 0, 7, 14, 21, 28]), st.integers(-3, 50))
STAGES = st.sampled_from(STAGE_ORDER)
ITEM_SETS = st.sampled_from([0, 1, 2, 3, 3, 4, 5])
ITEM_REPS = st.sampled_from([1, 5, 8, 10, 15])
# Logged names: '~' is a space put back after the import (clinic_builder.PADDING); an exercise and an
# activity both called run.
EXERCISE_NAMES = st.sampled_from(["Bridge", "~bridge~", "BRIDGE", "Nordic curl", "nordic~curl", "Run",
                                  "Calf raise"])
LOGGED_STAGES = st.one_of(st.none(), STAGES)
ACTIVITY_NAMES = st.sampled_from(["run", "~Run~", "RUN", "Walk", "cycle", "Bridge"])
ACTIVITY_MINUTES = st.sampled_from([10, 20, 30, 45, 12.5])
# A calm patient walks around a low level: no flares, so that ready_to_progress is reached.
CALM_STEPS = st.sampled_from([-5, 0, 0, 0, 0, 5])
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def draw_programme(draw, clinic: Clinic, pid: str, start: date, compliant: bool) -> list[list]:
    """Prescribe 0-4 programme rows (a compliant patient: one item from the start, maybe changed later)."""
    rows: list[list] = []
    if compliant:
        name = draw(PROGRAMME_NAMES)
        rows.append([start + timedelta(days=draw(st.sampled_from([-2, 0]))), name, draw(STAGES),
                     draw(st.sampled_from([1, 3, 5])), draw(ITEM_REPS),
                     draw(st.sampled_from(["daily", "mon,wed,fri", "tue,thu"]))])
        if draw(st.booleans()):  # a stage change (or a new dose) of the same exercise, written differently
            rows.append([start + timedelta(days=draw(st.integers(3, 35))), name.upper(), draw(STAGES),
                         draw(st.sampled_from([1, 3, 5])), draw(ITEM_REPS), "daily"])
    else:
        for _ in range(draw(st.integers(0, 4))):
            rows.append([start + timedelta(days=draw(PROGRAMME_OFFSETS)), draw(PROGRAMME_NAMES), draw(STAGES),
                         draw(ITEM_SETS), draw(ITEM_REPS), draw(PROGRAMME_DAYS)])
    for effective_from, name, stage, sets, reps, days in rows:
        clinic.item(pid, effective_from, name, stage, sets, reps, days)
    return rows


def prescribed_lines(rows: list[list], day: date) -> list[tuple[str, str, int, int]]:
    """Return (name, stage, sets, reps) of the rows a compliant patient does on a day (rows in date order)."""
    latest: dict[str, list] = {}
    for row in rows:
        if row[0] <= day:
            latest[row[1].strip().lower()] = row
    return [
        (name.strip(), stage, sets, reps) for _, name, stage, sets, reps, days in latest.values()
        if days == "daily" or WEEKDAY_NAMES[day.weekday()] in days.split(",")
    ]


def draw_settings_changes(draw, clinic: Clinic, pid: str, start: date) -> None:
    """Record 0-3 settings changes for a patient, in random order of their effective dates."""
    for _ in range(draw(st.integers(0, 3))):
        effective_from = start + timedelta(days=draw(CHANGE_OFFSETS))
        target = draw(st.none() | TARGETS)
        ceiling = draw(st.none() | CEILINGS)
        flare = draw(st.none() | FLARES)
        acceptable = draw(st.just(KEEP) | st.none() | ACCEPTABLE_LEVELS)
        if target is None and ceiling is None and flare is None and acceptable is KEEP:
            continue  # the schema refuses a change that changes nothing
        clinic.change(pid, effective_from, target=target, ceiling=ceiling, flare=flare, acceptable=acceptable)


@st.composite
def clinics(draw) -> Clinic:
    """Return a small clinic: 1-4 patients, up to 60 days of logs each, with gaps, ties, discharges and
    settings changes; a patient's mornings are either scattered or steady (a walk around a level)."""
    clinic = Clinic()
    for number in range(draw(st.integers(1, 4))):
        pid = f"P{number + 1:02d}"
        start = BASE + timedelta(days=draw(st.integers(0, 20)))
        discharged = draw(st.none() | st.integers(0, MAX_DAYS).map(lambda k, s=start: s + timedelta(days=k)))
        clinic.patient(pid, start, target=draw(TARGETS), ceiling=draw(CEILINGS), flare=draw(FLARES),
                       discharged=discharged, acceptable=draw(st.none() | ACCEPTABLE_LEVELS))
        draw_settings_changes(draw, clinic, pid, start)
        compliant = draw(st.integers(0, 3)) == 0  # a patient who does what is prescribed, with calm mornings
        on_programme = compliant or draw(st.booleans())
        programme = draw_programme(draw, clinic, pid, start, compliant) if on_programme else []
        # Logs may begin a few days before start_date and run past discharge: neither may count.
        first = start - timedelta(days=draw(st.integers(0, 3)))
        days = draw(st.integers(0, MAX_DAYS))
        ramp = draw(st.integers(0, MAX_DAYS))  # from this day on the patient does three times the reps
        steady = compliant or draw(st.booleans())
        level = draw(st.integers(0, 25 if compliant else 80))  # tenths
        # The patient stops logging mornings for a while (exercise goes on): gaps that span weeks.
        silent_from = draw(st.integers(0, MAX_DAYS))
        silent_until = silent_from + draw(st.integers(0, 25))
        for offset in range(days):
            day = first + timedelta(days=offset)
            if steady:
                level = min(100, max(0, level + draw(CALM_STEPS if compliant else STEADY_STEPS)))
                scores = [level / 10] if draw(st.integers(0, 7)) else []
            else:
                scores = draw(st.lists(PAIN_SCORES, max_size=3))
            if not silent_from <= offset < silent_until:
                for score in scores:
                    clinic.score(pid, day, "morning", score)
            evening = draw(st.none() | PAIN_SCORES)
            if evening is not None:
                clinic.score(pid, day, "evening", evening)
            if compliant:
                for name, stage, sets, reps in prescribed_lines(programme, day):
                    if draw(st.integers(0, 9)) and sets:  # a session missed now and then
                        clinic.exercise(pid, day, sets, reps, name=name, stage=stage)
            else:
                lines = draw(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 30)), max_size=2))
                for sets, reps in lines:
                    clinic.exercise(pid, day, sets, reps * (3 if offset >= ramp else 1),
                                    name=draw(EXERCISE_NAMES), stage=draw(LOGGED_STAGES))
            if draw(st.integers(0, 3 if compliant else 1)) == 0:
                clinic.activity(pid, day, name=draw(ACTIVITY_NAMES), minutes=draw(ACTIVITY_MINUTES))
    return clinic


def sql_metrics():
    """Return the SQL implementation, skipping the differential tests until it exists."""
    return pytest.importorskip("dashboard.metrics", reason="dashboard/metrics.py is not written yet")


def missing(value) -> bool:
    """Return whether a value from either side is null (None, NaN, NaT, pd.NA)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value) -> float | None:
    """Return a number from either side as a float, or None when null."""
    return None if missing(value) else float(value)


def flag(value) -> bool | None:
    """Return a boolean from either side, or None when null."""
    return None if missing(value) else bool(value)


def rule_list(value) -> list[str]:
    """Return an alerts cell (list, NumPy array or null) as a list of strings."""
    if value is None or (not hasattr(value, "__len__") and missing(value)):
        return []
    return [str(item) for item in value]


def review_rows(frame: pd.DataFrame) -> list[dict]:
    """Return review rows normalised so that both sides compare equal when they agree."""
    rows = []
    for row in frame.reset_index(drop=True).to_dict("records"):
        rows.append({
            "patient_id": str(row["patient_id"]),
            "name": None if missing(row["name"]) else str(row["name"]),
            "clinician": None if missing(row["clinician"]) else str(row["clinician"]),
            "week": str(row["week"]),
            "adherence_pct": number(row["adherence_pct"]),
            "days_on_target": int(row["days_on_target"]),
            "total_reps": int(row["total_reps"]),
            "mean_morning_pain": number(row["mean_morning_pain"]),
            "prev_mean_morning_pain": number(row["prev_mean_morning_pain"]),
            "flare_days": int(row["flare_days"]),
            "max_response": number(row["max_response"]),
            "reference_pain": number(row["reference_pain"]),
            "target_reps": int(row["target_reps"]),
            "stage": None if missing(row["stage"]) else str(row["stage"]),
            "stage_source": None if missing(row["stage_source"]) else str(row["stage_source"]),
            "days_in_stage": None if missing(row["days_in_stage"]) else int(row["days_in_stage"]),
            "ready_to_progress": flag(row["ready_to_progress"]),
            "next_stage": None if missing(row["next_stage"]) else str(row["next_stage"]),
            "alerts": rule_list(row["alerts"]),
            "risk": str(row["risk"]),
        })
    return rows


def response_rows(frame: pd.DataFrame, *, loading_day_rows: bool = False) -> list[tuple]:
    """Return responses as comparable tuples dated on the response day (d+1), scores to one decimal.

    The SQL runner lists every loading day, dated on the loading day d, with an empty response when a
    morning is missing (loading_day_rows=True); the oracle lists responses only, dated d+1 as the rules say.
    """
    rows = []
    for row in frame.reset_index(drop=True).to_dict("records"):
        if loading_day_rows and missing(row["response"]):
            continue
        rows.append((
            as_date(row["date"]) + (ONE_DAY if loading_day_rows else timedelta(0)),
            round(float(row["morning_before"]), 1),
            round(float(row["morning_after"]), 1),
            round(float(row["response"]), 1),
            str(row["status"]),
            flag(row["settled_36h"]),
        ))
    return rows


# Tolerances: neither side rounds the mean morning pain, so means agree to float precision; adherence is
# rounded to one decimal on both sides (half away from zero), exactly on the oracle's side.
TOLERANCE = {"adherence_pct": 1e-9, "mean_morning_pain": 1e-9, "prev_mean_morning_pain": 1e-9,
             "max_response": 1e-9, "reference_pain": 1e-9}


def review_differences(sql: list[dict], expected: list[dict]) -> list[str]:
    """Return how the SQL review rows differ from the oracle's, in words."""
    sql_order = [row["patient_id"] for row in sql]
    expected_order = [row["patient_id"] for row in expected]
    if sorted(sql_order) != sorted(expected_order):
        return [f"rows: sql {sql_order} oracle {expected_order}"]
    differences = [] if sql_order == expected_order else [f"order: sql {sql_order} oracle {expected_order}"]
    # The same patients in another order usually means a risk differs: name the cells that do.
    sql_by_patient = {row["patient_id"]: row for row in sql}
    for want in expected:
        got = sql_by_patient[want["patient_id"]]
        for column, wanted in want.items():
            value = got[column]
            if column in TOLERANCE:
                same = (value is None and wanted is None) or (
                    value is not None and wanted is not None and abs(value - wanted) <= TOLERANCE[column]
                )
            else:
                same = value == wanted
            if not same:
                differences.append(f"{want['patient_id']} {column}: sql {value!r} oracle {wanted!r}")
    return differences


def as_of_dates(draw_offsets: list[int]) -> list[date]:
    """Return as-of dates from day offsets after BASE."""
    return sorted({BASE + timedelta(days=offset) for offset in draw_offsets})


# Each example imports a clinic and runs a dozen queries; METRICS_EXAMPLES=1000 runs a deeper search.
DIFFERENTIAL = settings(
    max_examples=int(os.environ.get("METRICS_EXAMPLES", "40")), deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@DIFFERENTIAL
@given(
    clinic=clinics(),
    as_of_offsets=st.lists(st.integers(0, 100), min_size=1, max_size=2),
    weeks_back=st.lists(st.integers(0, 12), min_size=1, max_size=2, unique=True),
    window=st.tuples(st.integers(0, 80), st.integers(0, 30)),
)
def test_sql_metrics_agree_with_the_oracle(clinic, as_of_offsets, weeks_back, window):
    """One import per example (it is the slow part), then every runner compared at each as-of date."""
    metrics = sql_metrics()
    problems: list[str] = []
    with imported(clinic) as database:
        oracle = Oracle(read_tables(database))
        for as_of in as_of_dates(as_of_offsets):
            for rule in sorted(set(oracle.alert_events(as_of=as_of).rule)):
                event(f"alert {rule}")  # --hypothesis-show-statistics shows which rules the clinics reach
            weeks = [iso_week_label(as_of - timedelta(days=7 * back)) for back in weeks_back]
            for week in weeks:
                for row in oracle.weekly_review(week, as_of=as_of).itertuples(index=False):
                    event(f"ready_to_progress {row.ready_to_progress}, stage from {row.stage_source}")
            problems.extend(differences(metrics, database, oracle, clinic, as_of, weeks))
        problems.extend(filter_differences(metrics, database, oracle, clinic.patients[0][0], as_of, window))
    assert not problems, "\n".join(problems)


def differences(metrics, database, oracle, clinic: Clinic, as_of: date, weeks: list[str]) -> list[str]:
    """Return, in words, every way the SQL runners differ from the oracle at one as-of date."""
    viewer = Viewer.system()
    problems = []
    sql_frame = metrics.alert_events(database, viewer, as_of=as_of)
    problems.extend(lacking_columns(sql_frame, EVENT_KEY_COLUMNS, "alert_events"))
    sql_events = event_keys(sql_frame) if not problems else []
    want_events = event_keys(oracle.alert_events(as_of=as_of))
    if not problems and sql_events != want_events:
        extra = sorted(set(sql_events) - set(want_events))
        lacking = sorted(set(want_events) - set(sql_events))
        problems.append(f"as_of {as_of} events: sql only {extra}; oracle only {lacking}; "
                        f"counts sql {len(sql_events)} oracle {len(want_events)}")
    for pid in [row[0] for row in clinic.patients]:
        got = response_rows(metrics.responses(database, viewer, pid, as_of=as_of), loading_day_rows=True)
        want = response_rows(oracle.responses(pid, as_of=as_of))
        if got != want:
            extra = [row for row in got if row not in want]
            lacking = [row for row in want if row not in got]
            problems.append(f"as_of {as_of} responses {pid}: sql only {extra}; oracle only {lacking}")
    for week in weeks:
        got_frame = metrics.weekly_review(database, viewer, week, as_of=as_of)
        lacking = lacking_columns(got_frame, REVIEW_COLUMNS, "weekly_review")
        if lacking:
            problems.extend(lacking)
            continue
        got_rows = review_rows(got_frame)
        want_rows = review_rows(oracle.weekly_review(week, as_of=as_of))
        problems.extend(f"as_of {as_of} {week} {text}" for text in review_differences(got_rows, want_rows))
    return problems


def filter_differences(metrics, database, oracle, pid, as_of, window) -> list[str]:
    """Return how the date and patient filters of the SQL runners differ from the oracle's."""
    viewer = Viewer.system()
    date_from = BASE + timedelta(days=window[0])
    date_to = date_from + timedelta(days=window[1])
    sql_frame = metrics.alert_events(database, viewer, date_from=date_from, date_to=date_to, patient_id=pid,
                                     as_of=as_of)
    problems = lacking_columns(sql_frame, EVENT_KEY_COLUMNS, "alert_events")
    got = event_keys(sql_frame) if not problems else []
    want = event_keys(oracle.alert_events(as_of=as_of, date_from=date_from, date_to=date_to, patient_id=pid))
    if not problems and got != want:
        problems.append(f"as_of {as_of} events {pid} {date_from}..{date_to}: sql {got} oracle {want}")
    # The SQL filters responses on the loading day d, so the oracle's window (on d+1) is shifted by a day.
    got = response_rows(metrics.responses(database, viewer, pid, date_from=date_from, date_to=date_to,
                                          as_of=as_of), loading_day_rows=True)
    want = response_rows(oracle.responses(pid, as_of=as_of, date_from=date_from + ONE_DAY,
                                          date_to=date_to + ONE_DAY))
    if got != want:
        problems.append(f"as_of {as_of} responses {pid} {date_from}..{date_to}: sql {got} oracle {want}")
    return problems


# ---- differential on hand-picked edge cases, where the rules leave room for readings --------------------


def _edge_clinics() -> dict[str, tuple[Clinic, list[date], list[str]]]:
    """Return named clinics with the as-of dates and weeks to compare them on."""
    cases: dict[str, tuple[Clinic, list[date], list[str]]] = {}

    def case(name: str, as_ofs: list[date], weeks: list[str]) -> Clinic:
        clinic = Clinic()
        cases[name] = (clinic, as_ofs, weeks)
        return clinic

    c = case("streak reaches the threshold after its third morning", [D[2], D[3]], ["2026-W45"])
    c.patient("P1", D[0], flare=1.5, ceiling=10)
    c.mornings("P1", D[0], [2, 2.5, 3, 3.5])
    c = case("discharged mid-week", [D[3], D[6], D[8]], ["2026-W45"])
    c.patient("P1", D[0], discharged=D[2])
    c.mornings("P1", D[0], [1] * 3)
    c = case("logs before start_date", [D[1], D[4], D[10]], ["2026-W45"])
    c.patient("P1", D[3])
    c.mornings("P1", D[0], [1] * 5)
    for k in range(5):
        c.exercise("P1", D[k], 1, 100)
    c = case("ceiling runs split by a missing morning", [D[6]], ["2026-W45"])
    c.patient("P1", D[0], ceiling=5, flare=10)
    c.mornings("P1", D[0], [5, 6, 6.5, None, 7, 5.1, 4])
    for base, last_week in ((5, 9), (5, 10)):
        c = case(f"acute:chronic {base}/{last_week}", [D[27], D[30]], ["2026-W48"])
        c.patient("P1", D[0], target=1)
        for k in range(28):
            c.exercise("P1", D[k], 1, base if k < 21 else last_week)
    c = case("adherence 49.96 % shows as 50.0 %", [D[6]], ["2026-W45"])
    c.patient("P1", D[0], target=10000)
    for k in range(3):
        c.exercise("P1", D[k], 10, 1000)
    c.exercise("P1", D[3], 4, 1000)
    c.exercise("P1", D[3], 1, 972)
    c.mornings("P1", D[0], [1] * 7)
    c = case("adherence rounding tie 0.25 %", [D[6]], ["2026-W45"])
    c.patient("P1", D[6], target=400)
    c.exercise("P1", D[6], 1, 1)
    c = case("partial week before its Sunday", [D[2], D[5], D[6]], ["2026-W45"])
    c.patient("P1", D[0], target=90)
    c.exercise("P1", D[0], 3, 30)
    c = case("as-of before start_date", [D[3], D[7]], ["2026-W45"])
    c.patient("P1", D[7])
    c.mornings("P1", D[0], [1] * 10)
    c = case("response across a week boundary", [D[8]], ["2026-W45", "2026-W46"])
    c.patient("P1", D[0], flare=2)
    c.mornings("P1", D[0], [1] * 6 + [3, 6])
    c.exercise("P1", D[6], 1, 1)
    c = case("next morning after discharge", [D[8]], ["2026-W45"])
    c.patient("P1", D[0], flare=2, discharged=D[1])
    c.mornings("P1", D[0], [1, 1, 6])
    c.exercise("P1", D[1], 1, 1)
    c = case("several and tied morning scores", [D[3]], ["2026-W45"])
    c.patient("P1", D[0], flare=1)
    for score in (3, 3, 2):
        c.score("P1", D[0], "morning", score)
    c.mornings("P1", D[1], [4])
    c.score("P1", D[1], "evening", 3)
    c.score("P1", D[1], "evening", 2)
    c.exercise("P1", D[0], 1, 1)
    c = case("gap reaching the as-of date", [D[2], D[3]], ["2026-W45"])
    c.patient("P1", D[0])
    c.mornings("P1", D[0], [1])
    c = case("ISO week 53", [date(2027, 1, 8)], ["2026-W53", "2027-W01"])
    c.patient("P1", date(2026, 12, 28))
    c.mornings("P1", date(2026, 12, 28), [1] * 10)
    c.exercise("P1", date(2027, 1, 2), 1, 1)
    _version_2_edge_clinics(case)
    _programme_edge_clinics(case)
    return cases


def _version_2_edge_clinics(case) -> None:
    """Add the version-2 cases (issue 11), several patients to a clinic so that each import serves many."""
    weeks = ["2026-W45", "2026-W46", "2026-W47"]

    def worked(c: Clinic, pid: str, days: int, start: date = D[0], **settings) -> None:
        c.patient(pid, start, **{"target": 90, "ceiling": 5, "flare": 2, **settings})
        c.daily_exercise(pid, start, days, reps=90)

    c = case("v2 worked examples", [D[15], D[16], D[17], D[20]], weeks)
    worked(c, "P1", 18)  # the seed's example: a flare, a ceiling run and a rising streak
    c.mornings("P1", D[0], [3] * 14 + [3, 3, 6, 7])
    worked(c, "P2", 18)  # a rise within the usual range
    c.mornings("P2", D[0], [2] * 14 + [1, 2, 3, 2])
    worked(c, "P3", 16)  # a rise inside the safe zone, usual 0.5
    c.mornings("P3", D[0], [k % 2 for k in range(14)] + [0, 2])
    worked(c, "P4", 21)  # a run that goes on
    c.mornings("P4", D[0], [6] * 21)
    worked(c, "P5", 21)  # a change with an effective date
    c.mornings("P5", D[0], [5] * 21)
    c.change("P5", D[14], ceiling=4)
    worked(c, "P6", 21)  # a gap that goes on while the exercise does
    c.mornings("P6", D[0], [3] * 5)

    c = case("v2 reference levels", [D[15], D[16], D[18]], ["2026-W47"])
    for pid, acceptable, scores in (
        ("P1", 2, [2, 4.5]),  # set below the usual level: stricter, a flare
        ("P2", 4, [3, 5.5]),  # set above the usual level: looser, elevated
        ("P3", None, [3, 5.5]),  # learned: usual 3, a flare
        ("P4", 4.5, [3, 4, 5, 7]),  # a streak judged against the set level
    ):
        worked(c, pid, 18, ceiling=10, acceptable=acceptable)
        c.mornings(pid, D[0], [3] * 14 + scores)
    c.patient("P5", D[14], ceiling=10, target=1)  # an even-count median: usual 2.15
    c.mornings("P5", D[14], [2.1, 2.2, 2.1, 2.2, 3])
    c.patient("P6", D[14], ceiling=10, target=1)  # reference unknown: only three mornings before D[18]
    c.mornings("P6", D[14], [5, None, 3, 4, 5])
    c.patient("P7", D[14], ceiling=10)  # usual 3.5 from an even count decides the flare: 5.5 >= 3.5 + 2
    c.mornings("P7", D[14], [3, 4, 4, 3, 5.5])
    c.exercise("P7", D[17], 3, 30)
    worked(c, "P8", 18, ceiling=10)  # acceptable set by a change, another change, then back to learning
    c.mornings("P8", D[0], [3] * 14 + [3, 3, 5.5, 5.5])
    c.change("P8", D[7], acceptable=4)
    c.change("P8", D[10], flare=3)
    c.change("P8", D[16], acceptable=None)

    c = case("v2 settings changes", [D[9], D[13], D[20]], weeks)
    worked(c, "P1", 21)  # a ceiling change reaching into a run ends it there
    c.mornings("P1", D[0], [6] * 21)
    c.change("P1", D[10], ceiling=7)
    c.patient("P2", D[0], ceiling=10, flare=2.5, acceptable=0, target=1)  # a flare change inside a rising run
    c.mornings("P2", D[0], [3, 3.5, 4, 4.5, 5, 4])
    c.change("P2", D[3], flare=1.5)
    c.patient("P3", D[0], target=90)  # target changes recorded backward and tied on one date
    c.daily_exercise("P3", D[0], 21, reps=60)
    c.mornings("P3", D[0], [1] * 21)
    c.change("P3", D[14], target=60)
    c.change("P3", D[7], target=30)
    c.change("P3", D[14], target=120)
    c.change("P3", D[7], ceiling=8)
    c.patient("P4", D[7], target=90)  # a change dated before the start date
    c.daily_exercise("P4", D[7], 14, reps=30)
    c.mornings("P4", D[7], [1] * 14)
    c.change("P4", D[0], target=60)
    c.patient("P5", D[0], target=90)  # the target in effect each day decides low adherence
    c.daily_exercise("P5", D[0], 21, reps=45)
    c.mornings("P5", D[0], [1] * 21)
    c.change("P5", D[3], target=100)
    c.change("P5", D[7], target=90)
    worked(c, "P6", 21)  # a change dated after the as-of dates
    c.mornings("P6", D[0], [4] * 21)
    c.change("P6", D[30], ceiling=0)
    worked(c, "P7", 21, discharged=D[9])  # discharged in the middle of a ceiling run
    c.mornings("P7", D[0], [6] * 21)
    worked(c, "P8", 21, ceiling=10, acceptable=1)  # same-date tie on acceptable_pain: "learn" recorded last
    c.mornings("P8", D[0], [3] * 14 + [3, 5.5, 3, 5.5, 3, 5.5, 3])
    c.change("P8", D[14], acceptable=6)
    c.change("P8", D[14], acceptable=None)


def _programme_edge_clinics(case) -> None:
    """Add the loading-programme cases (issue 13), worked by hand in test_oracle_programme.py."""
    weeks = ["2026-W45", "2026-W46", "2026-W47"]
    c = case("programme targets and stages", [D[1], D[4], D[6], D[9], D[20]], weeks)
    c.patient("P1", D[0])  # Monday-Wednesday-Friday heavy slow resistance done in full
    c.item("P1", D[0], "Hip bridge", "heavy_slow", 3, 8, "mon,wed,fri", load_kg=20)
    for k in range(21):
        if D[k].weekday() in (0, 2, 4):
            c.exercise("P1", D[k], 3, 8, name="Hip bridge", stage="heavy_slow")
    c.mornings("P1", D[0], [1] * 21)
    c.patient("P2", D[0])  # every day a rest day
    c.item("P2", D[0], "Calf raise", "isotonic", 0, 10)
    c.patient("P3", D[0])  # replaced (written differently), stopped, then the daily target again
    c.item("P3", D[0], "Isometric bridge", "isometric", 3, 10)
    c.item("P3", D[3], "  isometric BRIDGE ", "isotonic", 2, 10)
    c.item("P3", D[5], "Isometric Bridge", "isotonic", 2, 10, "none")
    for k, reps in enumerate([30, 30, 30, 20, 20, 90, 45]):
        c.exercise("P3", D[k], 1, reps, name="Isometric bridge", stage="isometric" if k < 3 else "isotonic")
    c.patient("P4", D[0])  # same-date versions, in either order
    c.item("P4", D[0], "Bridge", "isometric", 1, 10)
    c.item("P4", D[2], "Bridge", "isometric", 5, 10)
    c.item("P4", D[2], "bridge", "isometric", 2, 10)
    c.item("P4", D[4], "Bridge", "isometric", 1, 10, "none")
    c.item("P4", D[4], "Bridge", "eccentric", 3, 10)
    c.item("P4", D[5], "Bridge", "eccentric", 3, 10)
    c.item("P4", D[5], "Bridge", "eccentric", 3, 10, "none")
    c.patient("P5", D[0])  # equal ranks: isotonic before heavy_slow; other only
    c.item("P5", D[0], "Squat", "heavy_slow", 1, 10, "sat")
    c.item("P5", D[0], "Lunge", "isotonic", 1, 10, "sat")
    c.item("P5", D[7], "Squat", "other", 1, 10)
    c.item("P5", D[7], "Lunge", "other", 1, 10, "none")
    c.patient("P6", D[0])  # stage from the logs: ties, unstaged lines, days without logs
    c.exercise("P6", D[0], 4, 5, name="Nordic", stage="eccentric")
    c.exercise("P6", D[0], 2, 10, name="Bridge", stage="isometric")
    c.exercise("P6", D[1], 1, 5, name="Bridge", stage="isometric")
    c.exercise("P6", D[1], 1, 6, name="Nordic", stage="eccentric")
    c.exercise("P6", D[2], 1, 50, name="Walk", stage=None)
    c.exercise("P6", D[8], 1, 10, name="Bridge", stage="isometric")
    c.patient("P7", D[0])  # a stage change inside the 14 days, and an item dated before the start
    c.item("P7", D[0] - timedelta(days=3), "Bridge", "isometric", 5, 1)
    c.item("P7", D[10], "bridge", "isotonic", 5, 1)
    c.patient("P8", D[0])  # no stage logged at all
    c.exercise("P8", D[0], 1, 50, name="Walk", stage=None)

    def ready(c: Clinic, pid: str, *, stage: str = "isometric", item_from: date = D[0], mornings=None,
              reps=None, per_day: int = 5, **settings) -> None:
        c.patient(pid, D[0], **settings)
        c.item(pid, item_from, "Isometric bridge", stage, 1, per_day)
        for k, done in enumerate(reps or [per_day] * 21):
            if done:
                c.exercise(pid, D[k], 1, done, name="Isometric bridge", stage=stage)
        c.mornings(pid, D[0], mornings if mornings is not None else [1] * 21)

    c = case("ready to progress and each criterion failing alone", [D[16], D[19], D[20]], ["2026-W47"])
    ready(c, "R01")
    ready(c, "R02", stage="plyometric")
    ready(c, "R03", stage="energy_storage")
    ready(c, "R04", stage="other")
    ready(c, "R05", item_from=D[7])  # 14 days in stage on D[20]
    ready(c, "R06", item_from=D[8])  # 13
    ready(c, "R07", mornings=[None if k in (8, 11, 14, 17) else 1 for k in range(21)])  # 10 of 14
    ready(c, "R08", mornings=[None if k in (8, 11, 14, 17, 19) else 1 for k in range(21)])  # 9 of 14
    ready(c, "R09", mornings=[1] * 15 + [4] + [1] * 5)  # a flare inside the 14 days
    ready(c, "R10", mornings=[1] * 6 + [4] + [1] * 14)  # a flare just before them
    ready(c, "R11", ceiling=0.5)  # a ceiling run from before the 14 days, still active
    for pid, window in (("R12", [1000] * 11 + [200, 0, 0]), ("R13", [1000] * 11 + [193, 0, 0]),
                        ("R14", [1000] * 11 + [192, 0, 0])):  # adherence 80.0 %, 79.95 %, 79.94 %
        ready(c, pid, per_day=1000, reps=[1000] * 7 + window)
    ready(c, "R15", reps=[5] * 7 + [5, 0] * 7)  # half the sessions
    for pid, outside, gaps in (("R16", (9, 13), ()), ("R17", (9, 13, 17), ()),
                               ("R18", (9, 13), (8, 11, 15, 19)), ("R19", (9, 13, 17), (8, 11, 15, 19))):
        scores = [None if k in gaps else 3.5 if k in outside else 2 for k in range(21)]
        ready(c, pid, mornings=scores, acceptable=2)  # within Ref + 1: 12/14, 11/14, 8/10, 7/10
    for pid, early in (("R20", 3), ("R21", 3.5)):  # Ref unknown: within means at most 3
        ready(c, pid, mornings=[None] * 7 + [early] * 3 + [1] * 11)
    ready(c, "R22", mornings=[3] * 7 + [4] * 14)
    ready(c, "R23", discharged=D[16])
    c.patient("R24", D[0])  # Monday-Wednesday-Friday and ready
    c.item("R24", D[0], "Deadlift", "heavy_slow", 3, 8, "mon,wed,fri")
    for k in range(21):
        if D[k].weekday() in (0, 2, 4):
            c.exercise("R24", D[k], 3, 8, name="Deadlift", stage="heavy_slow")
    c.mornings("R24", D[0], [1] * 21)
    c.patient("R25", D[0])  # ready but the item stops on d
    c.item("R25", D[0], "Bridge", "isometric", 1, 5)
    c.item("R25", D[20], "Bridge", "isometric", 1, 5, "none")
    c.daily_exercise("R25", D[0], 21, reps=5)
    c.mornings("R25", D[0], [1] * 21)


EDGE_CASES = _edge_clinics()


@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_sql_metrics_agree_with_the_oracle_on_edge_cases(name):
    metrics = sql_metrics()
    clinic, as_ofs, weeks = EDGE_CASES[name]
    with imported(clinic) as database:
        oracle = Oracle(read_tables(database))
        problems = [
            text for as_of in as_ofs
            for text in differences(metrics, database, oracle, clinic, as_of,
                                    [week for week in weeks if week_monday(week) <= as_of])
        ]
    assert not problems, "\n".join(problems)
