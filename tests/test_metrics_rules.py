"""Given/expect tests for every clinical metric rule, on tiny clinics imported from CSV into real DuckDB."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest

from dashboard import metrics
from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.sql import queries_in
from dashboard.weeks import iso_week_of, last_complete_week, parse_iso_week, previous_week
from tests.clinic import Clinic, column, events, nov, plain, rows

ADMIN = Viewer.system()
# ---- ISO weeks --------------------------------------------------------------------------------------------


def test_iso_weeks_parse_name_and_step():
    assert parse_iso_week("2026-W46") == (nov(9), nov(15))
    assert parse_iso_week("2026-W53") == (date(2026, 12, 28), date(2027, 1, 3))
    assert iso_week_of(date(2027, 1, 3)) == "2026-W53"
    assert iso_week_of(date(2026, 1, 1)) == "2026-W01"
    assert previous_week("2026-W01") == "2025-W52"
    assert previous_week("2026-W47") == "2026-W46"
    # A week is complete from the Monday after its Sunday: the sample clinic's last day is Sunday 22 Nov.
    assert last_complete_week(nov(22)) == "2026-W46"
    assert last_complete_week(nov(23)) == "2026-W47"
    assert last_complete_week(nov(29)) == "2026-W47"


@pytest.mark.parametrize("text", ["2026-46", "2026-W5", "W46", "2026-w46x", "", "2025-W53", "2026-W00"])
def test_iso_week_refuses_bad_text_naming_it(text):
    with pytest.raises(ValueError, match=re.escape(repr(text))):
        parse_iso_week(text)


# ---- pain, reps, loading days -----------------------------------------------------------------------------


def test_morning_and_evening_pain_are_the_highest_score_and_missing_stays_missing(clinic):
    clinic.patient("P1", nov(2))
    clinic.score("P1", nov(2), "morning", 3)
    clinic.score("P1", nov(2), "morning", 5)
    clinic.score("P1", nov(2), "evening", 4)
    clinic.score("P1", nov(2), "evening", 2.5)
    clinic.score("P1", nov(3), "evening", 6)
    clinic.score("P1", nov(4), "morning", 0)
    db = clinic.build()

    days = metrics.patient_days(db, ADMIN, "P1", nov(2), nov(4), as_of=nov(4))

    assert column(days, "date") == [nov(2), nov(3), nov(4)]
    assert column(days, "morning_pain") == [5.0, None, 0.0]
    assert column(days, "evening_pain") == [4.0, 6.0, None]
    review = metrics.weekly_review(db, ADMIN, "2026-W45", as_of=nov(4))
    assert review.loc[0, "mean_morning_pain"] == 2.5  # (5 + 0) / 2: the missing morning is not a zero


def test_daily_reps_sum_sets_times_reps_and_any_entry_makes_a_loading_day(clinic):
    clinic.patient("P1", nov(2), target=50)
    clinic.exercise("P1", nov(2), 3, 10, "isotonic")
    clinic.exercise("P1", nov(2), 2, 15, "heavy_slow")
    clinic.exercise("P1", nov(2), 2, 15, "heavy_slow")  # an identical line is a real second set
    clinic.activity("P1", nov(3))
    clinic.exercise("P1", nov(5), 1, 5, "isometric")
    clinic.exercise("P1", nov(5), 2, 10, "heavy_slow")
    clinic.exercise("P1", nov(6), 2, 10, "heavy_slow")
    clinic.exercise("P1", nov(6), 4, 5, "isotonic")
    db = clinic.build()

    days = metrics.patient_days(db, ADMIN, "P1", nov(2), nov(6), as_of=nov(6))

    assert column(days, "daily_reps") == [90, 0, 0, 25, 40]
    assert column(days, "loading_day") == [True, True, False, True, True]
    # The main stage has the most reps; a tie goes to the stage earlier in the programme.
    assert column(days, "stage") == ["heavy_slow", None, None, "heavy_slow", "isotonic"]
    assert column(days, "target") == [50] * 5


# ---- 24-hour response -------------------------------------------------------------------------------------


def test_response_status_against_the_flare_threshold_with_decimals(clinic):
    clinic.patient("P1", nov(2), flare=2)
    clinic.mornings("P1", nov(2), [3, 5, 6.9, 6.9, 5, 5.1])
    clinic.daily_reps("P1", nov(2), [30] * 6)
    db = clinic.build()

    found = metrics.responses(db, ADMIN, "P1", as_of=nov(7))

    assert rows(found, "date", "morning_before", "morning_after", "response", "status") == [
        (nov(2), 3.0, 5.0, 2.0, "flare"),
        (nov(3), 5.0, 6.9, 1.9, "elevated"),
        (nov(4), 6.9, 6.9, 0.0, "settled"),
        (nov(5), 6.9, 5.0, -1.9, "settled"),
        (nov(6), 5.0, 5.1, 0.1, "elevated"),
        (nov(7), 5.1, None, None, None),  # the as-of day: its next morning is not in yet
    ]
    assert events(db, "flare", as_of=nov(7)) == [
        ("P1", "flare", nov(3), nov(3),
         "morning pain 3 → 5 (+2) the morning after loading (2–3 Nov); usual level not yet known"),
    ]
    days = metrics.patient_days(db, ADMIN, "P1", nov(2), nov(7), as_of=nov(7))
    # In the day rows a response sits on the morning it is observed.
    assert column(days, "response") == [None, 2.0, 1.9, 0.0, -1.9, 0.1]
    assert column(days, "response_status") == [None, "flare", "elevated", "settled", "settled", "elevated"]


def test_flare_threshold_is_per_patient(clinic):
    clinic.patient("P1", nov(2), flare=3)
    clinic.mornings("P1", nov(2), [1, 3, 6])
    clinic.daily_reps("P1", nov(2), [30, 30])
    db = clinic.build()

    found = metrics.responses(db, ADMIN, "P1", as_of=nov(4))

    assert column(found, "status") == ["elevated", "flare"]
    assert [event[2] for event in events(db, "flare", as_of=nov(4))] == [nov(4)]


def test_response_needs_a_loading_day_and_both_mornings(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [2, 4, 6, None, 3])
    clinic.exercise("P1", nov(2), 3, 10)
    clinic.activity("P1", nov(4))  # an activity alone makes a loading day
    clinic.exercise("P1", nov(5), 3, 10)
    db = clinic.build()

    found = metrics.responses(db, ADMIN, "P1", as_of=nov(6))

    # 3 Nov is not a loading day, so the rise to 6 on 4 Nov is no response.
    assert rows(found, "date", "morning_before", "morning_after", "response", "status") == [
        (nov(2), 2.0, 4.0, 2.0, "flare"),
        (nov(4), 6.0, None, None, None),
        (nov(5), None, 3.0, None, None),
    ]
    days = metrics.patient_days(db, ADMIN, "P1", nov(2), nov(6), as_of=nov(6))
    assert column(days, "response") == [None, 2.0, None, None, None]
    assert [event[2] for event in events(db, "flare", as_of=nov(6))] == [nov(3)]


def test_settled_36h_compares_the_next_evening_with_the_morning_before(clinic):
    clinic.patient("P1", nov(2), flare=2)
    clinic.mornings("P1", nov(2), [2, 3, 4, 5, 4])
    clinic.score("P1", nov(3), "evening", 2)  # back to the morning before: settled within 36 h
    clinic.score("P1", nov(4), "evening", 3.5)  # above 3: not settled
    clinic.score("P1", nov(6), "evening", 1)  # the response was not positive: no 36 h check
    clinic.daily_reps("P1", nov(2), [30] * 5)
    db = clinic.build()

    found = metrics.responses(db, ADMIN, "P1", as_of=nov(6))

    assert rows(found, "date", "response", "settled_36h") == [
        (nov(2), 1.0, True),
        (nov(3), 1.0, False),
        (nov(4), 1.0, None),  # no evening logged on 5 Nov
        (nov(5), -1.0, None),
        (nov(6), None, None),
    ]
    days = metrics.patient_days(db, ADMIN, "P1", nov(2), nov(6), as_of=nov(6))
    assert column(days, "settled_36h") == [None, True, False, None, None]


def test_responses_filter_on_the_loading_day(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [1, 1, 1, 1, 1])
    clinic.daily_reps("P1", nov(2), [30] * 5)
    db = clinic.build()

    found = metrics.responses(db, ADMIN, "P1", date_from=nov(3), date_to=nov(4), as_of=nov(6))

    assert rows(found, "date", "morning_after", "response") == [(nov(3), 1.0, 0.0), (nov(4), 1.0, 0.0)]


# ---- rising_streak ----------------------------------------------------------------------------------------


def test_rising_streak_is_dated_on_its_third_morning_and_spelled_out(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(9), [4, 2, 3, 6, 7, 5])
    db = clinic.build()

    assert events(db, "rising_streak", as_of=nov(15)) == [
        ("P1", "rising_streak", nov(12), nov(13),
         "morning pain 2 → 3 → 6 → 7 (+5, 10–13 Nov); usual level not yet known"),
    ]
    days = metrics.patient_days(db, ADMIN, "P1", nov(9), nov(14), as_of=nov(15))
    assert column(days, "in_rising_streak") == [False, True, True, True, True, False]


def test_equal_mornings_break_a_strict_rise(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [2, 3, 3, 6])
    clinic.patient("P2", nov(2))
    clinic.mornings("P2", nov(2), [2, 3, 3, 4, 5])
    db = clinic.build()

    assert events(db, "rising_streak", as_of=nov(6)) == [
        ("P2", "rising_streak", nov(6), nov(6),
         "morning pain 3 → 4 → 5 (+2, since 4 Nov, ongoing); usual 3"),
    ]


def test_a_missing_morning_ends_a_streak(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [1, 3, None, 5, 7])
    db = clinic.build()

    assert events(db, "rising_streak", as_of=nov(6)) == []


def test_a_streak_needs_three_mornings_and_a_total_rise_of_the_flare_threshold(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [2.0, 2.5, 3.0, 3.9])  # rise 1.9
    clinic.patient("P2", nov(2))
    clinic.mornings("P2", nov(2), [2.0, 2.5, 3.0, 4.0])  # rise 2.0
    clinic.patient("P3", nov(2))
    clinic.mornings("P3", nov(2), [1, 9])  # two mornings are not a streak
    clinic.patient("P4", nov(2), flare=5)
    clinic.mornings("P4", nov(2), [1, 2, 3, 4, 5])  # rise 4 under this patient's threshold of 5
    db = clinic.build()

    # The run's third morning (3.0) is only 1.0 above its first: it is dated on the 4.0, the first morning
    # from the third that is painful by its rise.
    assert events(db, "rising_streak", as_of=nov(6)) == [
        ("P2", "rising_streak", nov(5), nov(5),
         "morning pain 2 → 2.5 → 3 → 4 (+2, 2–5 Nov); usual level not yet known"),
    ]


def test_one_event_per_maximal_streak(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [0, 1, 2, 3, 4, 5, 6, 1, 2, 4])
    db = clinic.build()

    # The first run's third morning (2) is in the safe zone, so it is dated on the 3; the second run's 4 is 2
    # above the usual 2 (the median of the nine mornings before it).
    assert [event[2:4] for event in events(db, "rising_streak", as_of=nov(11))] == [
        (nov(5), nov(8)), (nov(11), nov(11)),
    ]


def test_a_streak_that_reaches_its_rise_later_is_dated_on_the_morning_it_does(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(10), [2, 2.5, 3, 5])
    db = clinic.build()

    assert events(db, "rising_streak", as_of=nov(12)) == []
    assert [event[2] for event in events(db, "rising_streak", as_of=nov(13))] == [nov(13)]


def test_a_streak_started_before_the_range_is_dated_by_its_own_third_morning(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [1, 2, 3, 4, 5, 6])
    db = clinic.build()

    assert events(db, "rising_streak", date_from=nov(5), as_of=nov(7)) == []
    assert [event[2] for event in events(db, "rising_streak", date_from=nov(4), as_of=nov(7))] == [nov(4)]


# ---- pain_above_ceiling -----------------------------------------------------------------------------------


def test_pain_above_ceiling_one_event_per_run_of_consecutive_mornings(clinic):
    clinic.patient("P1", nov(2), ceiling=5)
    clinic.mornings("P1", nov(2), [5, 6, 7, 4, 5.5, None, 6])
    clinic.patient("P2", nov(2), ceiling=6.5)
    clinic.mornings("P2", nov(2), [6, 6.5, 7])
    db = clinic.build()

    assert events(db, "pain_above_ceiling", as_of=nov(8)) == [
        ("P1", "pain_above_ceiling", nov(3), nov(4),
         "morning pain above the ceiling of 5 on 2 mornings, highest 7 (3–4 Nov)"),
        ("P2", "pain_above_ceiling", nov(4), nov(4), "morning pain 7 above the ceiling of 6.5 (4 Nov)"),
        ("P1", "pain_above_ceiling", nov(6), nov(6), "morning pain 5.5 above the ceiling of 5 (6 Nov)"),
        # A missing morning ends a run, as it ends a rising streak; this one reaches the as-of date.
        ("P1", "pain_above_ceiling", nov(8), nov(8),
         "morning pain 6 above the ceiling of 5 (since 8 Nov, ongoing)"),
    ]


# ---- load_spike -------------------------------------------------------------------------------------------


def test_load_spike_is_strictly_above_one_and_a_half(clinic):
    start = date(2026, 10, 1)
    clinic.patient("P1", start)
    clinic.daily_reps("P1", start, [50] * 21 + [90] * 7)  # day 27: 630 / (1680 / 4) = 1.5 exactly
    clinic.patient("P2", start)
    clinic.daily_reps("P2", start, [50] * 21 + [90] * 6 + [91])  # day 27: 631 / (1681 / 4)
    db = clinic.build()
    day27 = start + timedelta(days=27)

    assert events(db, "load_spike", as_of=day27) == [
        ("P2", "load_spike", day27, day27,
         "acute:chronic reps ratio 1.50 on 28 Oct (631 reps in 7 days vs 420.3 a week over 4 weeks)"),
    ]
    days = metrics.patient_days(db, ADMIN, "P1", day27 - timedelta(days=1), day27, as_of=day27)
    assert column(days, "acute_chronic_ratio") == [None, 1.5]


def test_load_spike_is_evaluated_from_day_27_and_raised_once_per_run(clinic):
    start = date(2026, 10, 1)
    clinic.patient("P1", start)
    # 100 reps on days 20-26 (ratio 4 on day 26, not yet evaluated), nothing until day 40, then 100 a day.
    clinic.daily_reps("P1", start, [0] * 20 + [100] * 7 + [0] * 13 + [100] * 11)
    db = clinic.build()
    as_of = start + timedelta(days=50)

    found = events(db, "load_spike", as_of=as_of)

    # Day 27: 600 / (700 / 4) = 3.43, above 1.5 to day 30 (300 / 175);
    # day 44: 500 / (1200 / 4) = 1.67 onwards.
    assert found == [
        ("P1", "load_spike", date(2026, 10, 28), date(2026, 10, 31),
         "acute:chronic reps ratio 3.43 on 28 Oct (600 reps in 7 days vs 175 a week over 4 weeks); "
         "above 1.5 for 4 days (28–31 Oct), peak 3.43"),
        ("P1", "load_spike", date(2026, 11, 14), date(2026, 11, 20),
         "acute:chronic reps ratio 1.67 on 14 Nov (500 reps in 7 days vs 300 a week over 4 weeks); "
         "above 1.5 for 7 days (since 14 Nov, ongoing), peak 2.00"),
    ]
    days = metrics.patient_days(
        db, ADMIN, "P1", start + timedelta(days=25), start + timedelta(days=27), as_of=as_of
    )
    assert column(days, "acute_chronic_ratio") == [None, None, pytest.approx(600 / 175)]


# ---- not_logging ------------------------------------------------------------------------------------------


def test_not_logging_one_event_per_gap_of_three_programme_days(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [1, None, None, 1, None, None, None, 1, None, None, None, None, None, 1])
    clinic.score("P1", nov(11), "evening", 2)  # an evening score does not count as a morning
    clinic.patient("P2", nov(4))
    clinic.mornings("P2", nov(1), [1, 1, 1])  # before the programme: does not count
    clinic.mornings("P2", nov(7), [1])
    db = clinic.build()

    # P1's two-day gap (3-4 Nov) raises nothing.
    assert events(db, "not_logging", as_of=nov(15)) == [
        ("P2", "not_logging", nov(6), nov(6), "no morning pain logged for 3 days (4–6 Nov)"),
        ("P1", "not_logging", nov(8), nov(8), "no morning pain logged for 3 days (6–8 Nov)"),
        ("P2", "not_logging", nov(10), nov(15), "no morning pain logged for 8 days (since 8 Nov, ongoing)"),
        ("P1", "not_logging", nov(12), nov(14), "no morning pain logged for 5 days (10–14 Nov)"),
    ]


def test_not_logging_counts_only_programme_days_up_to_as_of_and_discharge(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [1])
    clinic.patient("P2", nov(2), discharged=nov(4))
    clinic.mornings("P2", nov(2), [1, 1])
    db = clinic.build()

    assert events(db, "not_logging", as_of=nov(4)) == []
    assert events(db, "not_logging", as_of=nov(5)) == [
        ("P1", "not_logging", nov(5), nov(5), "no morning pain logged for 3 days (since 3 Nov, ongoing)"),
    ]
    assert [event[0] for event in events(db, "not_logging", as_of=nov(30))] == ["P1"]


# ---- weekly adherence and low_adherence -------------------------------------------------------------------


def test_weekly_adherence_caps_each_day_at_the_target_and_rounds_half_up(clinic):
    clinic.patient("P1", nov(2), target=100)
    clinic.daily_reps("P1", nov(2), [100, 150, 50, 0, 0, 0, 0])  # (1 + 1 + 0.5) / 7 = 35.71 %
    for patient_id, target, reps in (
        ("P2", 100, [100, 100, 1, 0]),  # started on a Thursday: 201 / 400 = 50.25 %
        ("P3", 1000, [1000, 998, 0, 0]),  # 49.95 % rounds to 50.0 %, which is not below 50
        ("P4", 100, [100, 99, 0, 0]),  # 49.75 % rounds to 49.8 %
    ):
        clinic.patient(patient_id, nov(5), target=target)
        clinic.daily_reps(patient_id, nov(5), reps)
    for patient_id in ("P1", "P2", "P3", "P4"):
        clinic.mornings(patient_id, nov(2), [1] * 7)
    db = clinic.build()

    review = metrics.weekly_review(db, ADMIN, "2026-W45", as_of=nov(22)).set_index("patient_id")

    assert review["adherence_pct"].to_dict() == {"P1": 35.7, "P2": 50.3, "P3": 50.0, "P4": 49.8}
    assert review["days_on_target"].to_dict() == {"P1": 2, "P2": 2, "P3": 1, "P4": 1}
    assert review["total_reps"].to_dict() == {"P1": 300, "P2": 201, "P3": 1998, "P4": 199}
    assert events(db, "low_adherence", date_to=nov(8), as_of=nov(22)) == [
        ("P1", "low_adherence", nov(8), nov(8),
         "adherence 35.7% in 2026-W45 (2 of 7 programme days on the 100-rep target)"),
        ("P4", "low_adherence", nov(8), nov(8),
         "adherence 49.8% in 2026-W45 (1 of 4 programme days on the 100-rep target)"),
    ]


def test_an_incomplete_week_shows_adherence_so_far_but_raises_no_low_adherence(clinic):
    clinic.patient("P1", nov(2), target=100)
    clinic.daily_reps("P1", nov(2), [100, 100, 50, 0, 0, 0, 0])
    clinic.mornings("P1", nov(2), [1] * 7)
    db = clinic.build()

    review = metrics.weekly_review(db, ADMIN, "2026-W45", as_of=nov(4))

    assert review.loc[0, "adherence_pct"] == 83.3  # 2.5 / 3 days so far
    assert review.loc[0, "alerts"] == []
    assert events(db, "low_adherence", as_of=nov(7)) == []
    assert [event[2] for event in events(db, "low_adherence", as_of=nov(8))] == [nov(8)]


def test_discharge_mid_week_counts_only_programme_days(clinic):
    clinic.patient("P1", nov(2), target=100, discharged=nov(4))
    clinic.daily_reps("P1", nov(2), [100, 0, 0, 300, 300, 300, 300])  # reps after discharge do not count
    clinic.mornings("P1", nov(2), [1, 1, 1, 9, 9, 9, 9])
    clinic.patient("P2", nov(2), discharged=nov(6))
    db = clinic.build()

    review = metrics.weekly_review(db, ADMIN, "2026-W45", as_of=nov(22)).set_index("patient_id")

    assert review.loc["P1", "adherence_pct"] == 33.3
    assert review.loc["P1", "total_reps"] == 100
    assert review.loc["P1", "mean_morning_pain"] == 1.0
    # The week is over, so its low adherence is raised on its Sunday, after the discharge.
    assert events(db, "low_adherence", patient_id="P1", as_of=nov(22)) == [
        ("P1", "low_adherence", nov(8), nov(8),
         "adherence 33.3% in 2026-W45 (1 of 3 programme days on the 100-rep target)"),
    ]
    assert events(db, "pain_above_ceiling", as_of=nov(22)) == []
    responses = metrics.responses(db, ADMIN, "P1", as_of=nov(22))
    assert rows(responses, "date", "morning_after") == [(nov(2), 1.0)]
    assert column(metrics.patient_days(db, ADMIN, "P1", nov(1), nov(30), as_of=nov(22)), "date") == [
        nov(2), nov(3), nov(4),
    ]
    assert list(metrics.weekly_review(db, ADMIN, "2026-W46", as_of=nov(22))["patient_id"]) == []


# ---- weekly review ----------------------------------------------------------------------------------------


def review_clinic(clinic: Clinic) -> Database:
    """Build the clinic the review tests share: one red, one amber, one green patient and some not in W46."""
    # P2 is red: a flare on 10 Nov. 90 reps a day in W45 and W46.
    clinic.patient("P2", nov(2))
    clinic.mornings("P2", nov(2), [2, 2, 2, 2, 2, 2, 3] + [3, 5, 4, 4, None, 3, 3.5])
    clinic.daily_reps("P2", nov(2), [90] * 14)
    # P1 is amber: started on Monday of W46, a third of the target every day.
    clinic.patient("P1", nov(9))
    clinic.mornings("P1", nov(9), [2] * 7)
    clinic.daily_reps("P1", nov(9), [30] * 7)
    # P3 is green.
    clinic.patient("P3", nov(2), clinician="Léa Moreau")
    clinic.mornings("P3", nov(2), [1] * 14)
    clinic.daily_reps("P3", nov(2), [90] * 14)
    # P4 starts after W46 and P5 was discharged before it: neither is reviewed.
    clinic.patient("P4", nov(16))
    clinic.mornings("P4", nov(16), [1])
    clinic.patient("P5", nov(2), discharged=nov(6))
    # P6 never logged anything.
    clinic.patient("P6", nov(2))
    return clinic.build()


# The review_clinic week 2026-W46 as of 15 Nov, worked out by hand; the CLI test checks its JSON against it.
REVIEW_W46 = [
    {"patient_id": "P2", "name": "Patient P2", "clinician": "Sam Patel", "week": "2026-W46",
     "adherence_pct": 100.0, "days_on_target": 7, "total_reps": 630, "mean_morning_pain": 3.75,
     "prev_mean_morning_pain": pytest.approx(15 / 7), "flare_days": 1, "max_response": 2.0,
     "reference_pain": 2.5, "target_reps": 630, "stage": "isotonic", "stage_source": "logs",
     "days_in_stage": 14, "ready_to_progress": None, "next_stage": None, "alerts": ["flare"], "risk": "red"},
    {"patient_id": "P1", "name": "Patient P1", "clinician": "Sam Patel", "week": "2026-W46",
     "adherence_pct": 33.3, "days_on_target": 0, "total_reps": 210, "mean_morning_pain": 2.0,
     "prev_mean_morning_pain": None, "flare_days": 0, "max_response": 0.0,
     "reference_pain": 2.0, "target_reps": 630, "stage": "isotonic", "stage_source": "logs",
     "days_in_stage": 7, "ready_to_progress": None, "next_stage": None, "alerts": ["low_adherence"],
     "risk": "amber"},
    # P6's gap is dated 4 Nov, in W45, and still open: it is active in W46 too.
    {"patient_id": "P6", "name": "Patient P6", "clinician": "Sam Patel", "week": "2026-W46",
     "adherence_pct": 0.0, "days_on_target": 0, "total_reps": 0, "mean_morning_pain": None,
     "prev_mean_morning_pain": None, "flare_days": 0, "max_response": None,
     "reference_pain": None, "target_reps": 630, "stage": None, "stage_source": "logs", "days_in_stage": None,
     "ready_to_progress": None, "next_stage": None, "alerts": ["low_adherence", "not_logging"],
     "risk": "amber"},
    {"patient_id": "P3", "name": "Patient P3", "clinician": "Léa Moreau", "week": "2026-W46",
     "adherence_pct": 100.0, "days_on_target": 7, "total_reps": 630, "mean_morning_pain": 1.0,
     "prev_mean_morning_pain": 1.0, "flare_days": 0, "max_response": 0.0, "reference_pain": 1.0,
     "target_reps": 630, "stage": "isotonic", "stage_source": "logs", "days_in_stage": 14,
     "ready_to_progress": None, "next_stage": None, "alerts": [], "risk": "green"},
]


def test_weekly_review_rows_values_and_order(clinic):
    db = review_clinic(clinic)

    review = metrics.weekly_review(db, ADMIN, "2026-W46", as_of=nov(15))

    assert list(review.columns) == [
        "patient_id", "name", "clinician", "week", "adherence_pct", "days_on_target", "total_reps",
        "mean_morning_pain", "prev_mean_morning_pain", "flare_days", "max_response", "reference_pain",
        "target_reps", "stage", "stage_source", "days_in_stage", "ready_to_progress", "next_stage", "alerts",
        "risk",
    ]
    got = [{key: plain(value) if key != "alerts" else value for key, value in row.items()}
           for row in review.to_dict(orient="records")]
    assert got == REVIEW_W46


def test_weekly_review_lists_distinct_sorted_rules_and_red_beats_amber(clinic):
    clinic.patient("P1", nov(2), target=100)
    # W46: a rising streak 1 → 3 → 5 → 6 → 7 (10-14 Nov) with two flares, above the ceiling on 13-14 Nov,
    # and no reps after 11 Nov.
    clinic.mornings("P1", nov(9), [1, 1, 3, 5, 6, 7, 2])
    clinic.daily_reps("P1", nov(9), [100, 100, 100, 0, 0, 0, 0])
    db = clinic.build()

    review = metrics.weekly_review(db, ADMIN, "2026-W46", as_of=nov(15))

    assert review.loc[0, "alerts"] == ["flare", "low_adherence", "pain_above_ceiling", "rising_streak"]
    assert review.loc[0, "flare_days"] == 2
    assert review.loc[0, "max_response"] == 2.0
    assert review.loc[0, "risk"] == "red"


def test_review_and_runners_are_scoped_to_the_viewer(clinic):
    db = review_clinic(clinic)
    lea = Viewer("lea", "clinician", "Léa Moreau")

    assert list(metrics.weekly_review(db, lea, "2026-W46", as_of=nov(15))["patient_id"]) == ["P3"]
    assert set(metrics.alert_events(db, lea, as_of=nov(15))["patient_id"]) <= {"P3"}
    assert set(metrics.recent_morning_pain(db, lea, nov(15))["patient_id"]) == {"P3"}
    with pytest.raises(metrics.UnknownPatient, match="P2"):
        metrics.responses(db, lea, "P2", as_of=nov(15))
    with pytest.raises(metrics.UnknownPatient, match="P2"):
        metrics.patient_days(db, lea, "P2", nov(2), nov(15), as_of=nov(15))
    with pytest.raises(metrics.UnknownPatient, match="nobody"):
        metrics.alert_events(db, ADMIN, patient_id="nobody", as_of=nov(15))


def test_review_refuses_an_as_of_before_the_week(clinic):
    db = review_clinic(clinic)

    with pytest.raises(ValueError, match="before week 2026-W46"):
        metrics.weekly_review(db, ADMIN, "2026-W46", as_of=nov(8))
    with pytest.raises(ValueError, match="2026-46"):
        metrics.weekly_review(db, ADMIN, "2026-46", as_of=nov(8))


def test_an_empty_clinic_has_no_rows(clinic):
    clinic.patient("P1", nov(20))
    db = clinic.build()

    assert metrics.weekly_review(db, ADMIN, "2026-W46", as_of=nov(15)).empty
    assert metrics.alert_events(db, ADMIN, as_of=nov(15)).empty
    assert metrics.responses(db, ADMIN, "P1", as_of=nov(15)).empty
    assert metrics.patient_days(db, ADMIN, "P1", nov(1), nov(15), as_of=nov(15)).empty
    assert metrics.recent_morning_pain(db, ADMIN, nov(15)).empty


def test_recent_morning_pain_is_long_form_over_the_last_days(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [1, 2, None, 4, 5])
    db = clinic.build()

    recent = metrics.recent_morning_pain(db, ADMIN, nov(5), days=3)

    assert rows(recent, "patient_id", "date", "morning_pain") == [("P1", nov(3), 2.0), ("P1", nov(5), 4.0)]


# ---- the sample clinic ------------------------------------------------------------------------------------


def test_sample_clinic_w47_marks_the_patients_pushing_too_hard_red(sample_db):
    review = metrics.weekly_review(sample_db, ADMIN, "2026-W47", as_of=nov(22)).set_index("patient_id")

    for patient_id in ("P002", "P010", "P018"):
        assert review.loc[patient_id, "risk"] == "red"
        assert "rising_streak" in review.loc[patient_id, "alerts"]
    streaks = events(sample_db, "rising_streak", patient_id="P002", date_from=nov(16), as_of=nov(22))
    assert streaks == [
        ("P002", "rising_streak", nov(18), nov(19), "morning pain 2 → 3 → 6 → 7 (+5, 16–19 Nov); usual 3"),
    ]
    assert list(review["risk"]) == sorted(review["risk"], key=["red", "amber", "green"].index)


# ---- the SQL files ----------------------------------------------------------------------------------------


def test_metric_sql_files_have_headers_naming_their_parameters():
    macros = [q for q in queries_in("macros") if q.name.startswith("metric_")]
    for statement in queries_in("metrics") + macros:
        header = statement.header
        assert {"returns", "grain", "parameters"} <= header.keys(), statement.name
        lines = statement.text.splitlines()
        leading = "\n".join(itertools.takewhile(lambda line: line.startswith("--"), lines))
        listed = leading.split("-- Parameters:", 1)[1]  # the last header field, with its continuation lines
        for name in statement.parameters:
            assert f"${name}" in listed, (statement.name, name)
        if statement.path.parent.name == "metrics":
            assert statement.body.rstrip().endswith("select * from final"), statement.name
