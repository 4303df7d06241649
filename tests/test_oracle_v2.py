"""The test oracle alone on the version-2 rules (issue 11): each worked example, worked out by hand.

Worked examples: flare threshold 2, ceiling 5, 90 reps a day against a target of 90, no acceptable_pain unless
said. D[0] is a Monday; with 14 mornings logged on D[0]..D[13], the week under review starts on D[14].
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from clinic_builder import Clinic, oracle_of
from oracle import Oracle, as_date, iso_week_label, missing

MON = date(2026, 11, 2)  # a Monday, ISO week 2026-W45
D = [MON + timedelta(days=k) for k in range(70)]
W1, W2, W3 = (iso_week_label(D[k]) for k in (0, 7, 14))


def events(oracle: Oracle, as_of: date) -> list[tuple]:
    """Return (rule, date, until, severity) of every event as of a date, sorted."""
    frame = oracle.alert_events(as_of=as_of)
    return sorted(
        (row.rule, as_date(row.date), as_date(row.until), row.severity)
        for row in frame.itertuples(index=False)
    )


def review(oracle: Oracle, week: str, as_of: date, patient_id: str = "P1") -> dict:
    """Return one patient's review row as a dict."""
    frame = oracle.weekly_review(week, as_of=as_of)
    rows = frame[frame.patient_id == patient_id].to_dict("records")
    assert len(rows) == 1, f"{patient_id} has {len(rows)} review rows in {week}"
    return {key: None if missing(value) else value for key, value in rows[0].items()}


def statuses(oracle: Oracle, as_of: date, patient_id: str = "P1") -> dict[date, tuple[float, str]]:
    """Return {response date: (response, status)} of one patient."""
    frame = oracle.responses(patient_id, as_of=as_of)
    return {row.date: (row.response, row.status) for row in frame.itertuples(index=False)}


def worked_patient(clinic: Clinic, days: int, patient_id: str = "P1", **settings) -> None:
    """Add a patient from D[0] with the worked examples' settings and 90 reps on each of `days` days."""
    clinic.patient(patient_id, D[0], **{"target": 90, "ceiling": 5, "flare": 2, **settings})
    clinic.daily_exercise(patient_id, D[0], days, reps=90)


# ---- the worked examples -------------------------------------------------------------------------


def test_seed_example_expect_flare_ceiling_run_and_rising_streak_red():
    clinic = Clinic()
    worked_patient(clinic, 18)
    clinic.mornings("P1", D[0], [3] * 14 + [3, 3, 6, 7])
    oracle = oracle_of(clinic)
    # The 6 is a flare (+3 and 6 >= 3 + 2) and starts a ceiling run; the 7 ends the run 3, 6, 7 (+4, 7 >= 5).
    assert events(oracle, D[17]) == [
        ("flare", D[16], D[16], "high"),
        ("pain_above_ceiling", D[16], D[17], "high"),
        ("rising_streak", D[17], D[17], "high"),
    ]
    assert statuses(oracle, D[17])[D[16]] == (3.0, "flare")
    assert statuses(oracle, D[17])[D[17]] == (1.0, "elevated")
    row = review(oracle, W3, D[17])
    assert row["alerts"] == ["flare", "pain_above_ceiling", "rising_streak"]
    assert row["risk"] == "red"
    assert row["flare_days"] == 1
    assert row["reference_pain"] == 3.0
    # As of the day of the 6, the run 3, 6 has only two mornings: no streak yet, and none dated later.
    assert [rule for rule, *_ in events(oracle, D[16])] == ["flare", "pain_above_ceiling"]


def test_rise_within_the_usual_range_expect_elevated_no_streak_green():
    clinic = Clinic()
    worked_patient(clinic, 18)
    clinic.mornings("P1", D[0], [2] * 14 + [1, 2, 3, 2])
    oracle = oracle_of(clinic)
    # The run 1, 2, 3 rises by 2, but 3 < usual 2 + 2.
    assert events(oracle, D[17]) == []
    assert statuses(oracle, D[17])[D[16]] == (1.0, "elevated")
    row = review(oracle, W3, D[17])
    assert (row["alerts"], row["risk"], row["reference_pain"]) == ([], "green", 2.0)


@pytest.mark.parametrize(
    ("next_morning", "status"),
    [
        (2, "elevated"),  # +2 but 2/10 is in the safe zone
        (2.4, "elevated"),  # out of the safe zone, +2.4, but 2.4 < usual 0.5 + 2
        (2.5, "flare"),  # 2.5 >= 0.5 + 2
    ],
)
def test_rise_into_the_safe_zone_expect_no_flare(next_morning, status):
    clinic = Clinic()
    worked_patient(clinic, 16)
    # Mornings 0, 1, 0, 1, ... then 0 on the loading day: the 14 days before D[15] hold seven 0s and seven 1s.
    clinic.mornings("P1", D[0], [k % 2 for k in range(14)] + [0, next_morning])
    oracle = oracle_of(clinic)
    assert statuses(oracle, D[15])[D[15]] == (next_morning, status)
    row = review(oracle, W3, D[15])
    assert row["reference_pain"] == 0.5  # the median of an even count: the mean of the two middle values
    assert row["risk"] == ("red" if status == "flare" else "green")


@pytest.mark.parametrize(("next_morning", "status"), [(2, "elevated"), (2.1, "flare")])
def test_safe_zone_alone_keeps_a_rise_from_being_a_flare(next_morning, status):
    # Two mornings only: Ref is unknown, so only the safe zone stands between a rise of 2 and a flare.
    clinic = Clinic()
    clinic.patient("P1", D[0], flare=2, target=1)
    clinic.mornings("P1", D[0], [0, next_morning])
    clinic.exercise("P1", D[0], 1, 1)
    assert statuses(oracle_of(clinic), D[1])[D[1]] == (next_morning, status)


@pytest.mark.parametrize(("scores", "expected"), [([0, 1, 2], []), ([0, 1, 2, 3], [3])])
def test_safe_zone_keeps_a_rising_run_from_being_a_streak(scores, expected):
    clinic = Clinic()
    clinic.patient("P1", D[0], flare=1, ceiling=10, target=1)
    clinic.mornings("P1", D[0], scores)
    as_of = D[len(scores) - 1]
    assert events(oracle_of(clinic), as_of) == [("rising_streak", D[k], as_of, "high") for k in expected]


def test_a_run_that_goes_on_expect_one_ceiling_alert_and_red_every_week():
    clinic = Clinic()
    worked_patient(clinic, 21)
    clinic.mornings("P1", D[0], [6] * 21)
    oracle = oracle_of(clinic)
    assert events(oracle, D[20]) == [("pain_above_ceiling", D[0], D[20], "high")]
    for week in (W1, W2, W3):
        row = review(oracle, week, D[20])
        assert (row["alerts"], row["risk"]) == (["pain_above_ceiling"], "red"), week
    # The run's until is cut at the as-of date.
    assert events(oracle, D[10]) == [("pain_above_ceiling", D[0], D[10], "high")]
    assert review(oracle, W1, D[6])["reference_pain"] == 6.0  # U(D[6]) from 6 mornings
    assert review(oracle, W1, D[2])["reference_pain"] is None  # U(D[2]) from 2 mornings: unknown


def test_a_ceiling_change_with_an_effective_date_expect_earlier_weeks_unchanged():
    clinic = Clinic()
    worked_patient(clinic, 21)
    clinic.mornings("P1", D[0], [5] * 21)
    clinic.change("P1", D[14], ceiling=4, reason="stricter from Monday")
    oracle = oracle_of(clinic)
    assert events(oracle, D[20]) == [("pain_above_ceiling", D[14], D[20], "high")]
    assert [review(oracle, week, D[20])["risk"] for week in (W1, W2, W3)] == ["green", "green", "red"]


def test_a_gap_that_goes_on_expect_one_not_logging_alert_and_amber_from_its_third_day():
    clinic = Clinic()
    worked_patient(clinic, 21)
    clinic.mornings("P1", D[0], [3] * 5)  # then no more mornings, while the exercise goes on
    oracle = oracle_of(clinic)
    assert events(oracle, D[20]) == [("not_logging", D[7], D[20], "medium")]
    assert [review(oracle, week, D[20])["risk"] for week in (W1, W2, W3)] == ["green", "amber", "amber"]


# ---- the reference level --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "reference", "expected_events"),
    [
        # 5, -, 3, 4, 5: on D[4] only three mornings before it, so Ref is unknown and +2 to 5 is a streak.
        ([5, None, 3, 4, 5], None, [("rising_streak", 4, 4, "high")]),
        # 5, 5, 3, 4, 5: four mornings, usual (4 + 5) / 2 = 4.5, and 5 < 4.5 + 2: no streak.
        ([5, 5, 3, 4, 5], 4.5, []),
    ],
)
def test_reference_unknown_below_four_scores(scores, reference, expected_events):
    clinic = Clinic()
    clinic.patient("P1", D[0], ceiling=10, flare=2, target=1)
    clinic.mornings("P1", D[0], scores)
    oracle = oracle_of(clinic)
    assert events(oracle, D[4]) == [(rule, D[a], D[b], severity) for rule, a, b, severity in expected_events]
    assert review(oracle, W1, D[4])["reference_pain"] == reference


@pytest.mark.parametrize(
    ("loading_morning", "next_morning", "acceptable", "status", "reference"),
    [
        (2, 4.5, None, "elevated", 3.0),  # usual 3: 4.5 < 3 + 2
        (2, 4.5, 2, "flare", 2.0),  # a clinician-set level below the usual level is stricter: 4.5 >= 2 + 2
        (3, 5.5, None, "flare", 3.0),  # usual 3: 5.5 >= 3 + 2
        (3, 5.5, 4, "elevated", 4.0),  # a clinician-set level above the usual level is looser: 5.5 < 4 + 2
    ],
)
def test_clinician_set_level_above_and_below_the_usual_level(
    loading_morning, next_morning, acceptable, status, reference
):
    clinic = Clinic()
    worked_patient(clinic, 16, ceiling=10, acceptable=acceptable)
    clinic.mornings("P1", D[0], [3] * 14 + [loading_morning, next_morning])
    oracle = oracle_of(clinic)
    assert statuses(oracle, D[15])[D[15]] == (next_morning - loading_morning, status)
    row = review(oracle, W3, D[15])
    assert row["reference_pain"] == reference
    assert row["alerts"] == (["flare"] if status == "flare" else [])


def test_acceptable_level_set_by_a_change_and_back_to_learning():
    clinic = Clinic()
    worked_patient(clinic, 21, ceiling=10)
    clinic.mornings("P1", D[0], [3] * 21)
    clinic.change("P1", D[7], acceptable=4)
    clinic.change("P1", D[10], flare=3)  # leaves acceptable_pain alone
    clinic.change("P1", D[14], acceptable=None)  # sets it back to "learn from the mornings"
    oracle = oracle_of(clinic)
    assert [review(oracle, week, D[20])["reference_pain"] for week in (W1, W2, W3)] == [3.0, 4.0, 3.0]


def test_even_count_median_is_the_mean_of_the_two_middle_values():
    clinic = Clinic()
    clinic.patient("P1", D[0], target=1)
    clinic.mornings("P1", D[0], [2.1, 2.2, 2.1, 2.2, 3])
    oracle = oracle_of(clinic)
    assert review(oracle, W1, D[4])["reference_pain"] == 2.15  # median of 2.1, 2.1, 2.2, 2.2, not rounded


@pytest.mark.parametrize(("next_morning", "status"), [(5.5, "flare"), (5.4, "elevated")])
def test_even_count_median_decides_a_flare(next_morning, status):
    # Usual on D[4] is the median of 3, 4, 4, 3 = 3.5: 5.5 >= 3.5 + 2 is a flare, 5.4 is not (with the lower
    # middle value 3 it would be; with the upper one, 4, 5.5 would not).
    clinic = Clinic()
    clinic.patient("P1", D[0], ceiling=10, flare=2)
    clinic.mornings("P1", D[0], [3, 4, 4, 3, next_morning])
    clinic.exercise("P1", D[3], 3, 30)
    assert statuses(oracle_of(clinic), D[4])[D[4]] == (round(next_morning - 3, 1), status)


# ---- settings changes ----------------------------------------------------------------------------------


def test_a_ceiling_change_reaching_into_a_run_ends_it_there():
    clinic = Clinic()
    worked_patient(clinic, 21)
    clinic.mornings("P1", D[0], [6] * 21)
    clinic.change("P1", D[10], ceiling=7)  # from Wednesday of week 2, 6/10 is no longer above the ceiling
    oracle = oracle_of(clinic)
    assert events(oracle, D[20]) == [("pain_above_ceiling", D[0], D[9], "high")]
    assert [review(oracle, week, D[20])["risk"] for week in (W1, W2, W3)] == ["red", "red", "green"]
    # Nothing before the change's date is recomputed: as of D[9] the dashboard showed the same run.
    assert events(oracle, D[9]) == [("pain_above_ceiling", D[0], D[9], "high")]


@pytest.mark.parametrize(
    ("change_on", "expected"),
    [
        (3, [("rising_streak", 3, 4, "high")]),  # from D[3] a rise of 1.5 is enough: 3 -> 4.5 qualifies there
        (4, [("rising_streak", 4, 4, "high")]),  # from D[4]: 3 -> 5 (+2) qualifies on the run's last rise
        (5, []),  # from D[5], after the run: its rise of 2 stays below 2.5
    ],
)
def test_a_flare_threshold_change_reaching_into_a_rising_run(change_on, expected):
    clinic = Clinic()
    clinic.patient("P1", D[0], ceiling=10, flare=2.5, acceptable=0, target=1)  # Ref 0: only the rise counts
    clinic.mornings("P1", D[0], [3, 3.5, 4, 4.5, 5, 4])  # the run 3 ... 5 rises from D[0] to D[4]
    clinic.change("P1", D[change_on], flare=1.5)
    oracle = oracle_of(clinic)
    assert [e for e in events(oracle, D[5]) if e[0] == "rising_streak"] == [
        (rule, D[a], D[b], severity) for rule, a, b, severity in expected
    ]


def test_a_rising_streak_is_dated_on_its_first_qualifying_morning_and_until_its_last_rise():
    clinic = Clinic()
    clinic.patient("P1", D[0], ceiling=10, flare=1.5, target=1)
    clinic.mornings("P1", D[0], [2, 2.5, 3, 3.5, 4, 3])
    oracle = oracle_of(clinic)
    assert events(oracle, D[2]) == []  # the third morning is only +1
    assert events(oracle, D[3]) == [("rising_streak", D[3], D[3], "high")]
    assert events(oracle, D[5]) == [("rising_streak", D[3], D[4], "high")]


def test_changes_recorded_backward_and_tied_expect_latest_effective_date_then_highest_change_id():
    clinic = Clinic()
    clinic.patient("P1", D[0], target=90)
    clinic.daily_exercise("P1", D[0], 21, reps=60)
    clinic.mornings("P1", D[0], [1] * 21)
    clinic.change("P1", D[14], target=60)  # recorded first, effective last
    clinic.change("P1", D[7], target=30)  # recorded later, effective earlier: holds D[7]..D[13]
    clinic.change("P1", D[14], target=120)  # same date as the first change, recorded later: it wins
    clinic.change("P1", D[7], ceiling=8)  # a later change to another setting leaves the target alone
    oracle = oracle_of(clinic)
    rows = [review(oracle, week, D[20]) for week in (W1, W2, W3)]
    assert [row["days_on_target"] for row in rows] == [0, 7, 0]
    assert [row["adherence_pct"] for row in rows] == [66.7, 100.0, 50.0]
    assert [rule for rule, *_ in events(oracle, D[20])] == []


def test_a_change_before_the_start_date_applies_from_the_start():
    clinic = Clinic()
    clinic.patient("P1", D[7], target=90)
    clinic.daily_exercise("P1", D[7], 7, reps=30)
    clinic.mornings("P1", D[7], [1] * 7)
    clinic.change("P1", D[0], target=60)
    row = review(oracle_of(clinic), W2, D[13])
    assert (row["adherence_pct"], row["alerts"]) == (50.0, [])


def test_low_adherence_uses_the_target_in_effect_each_day():
    clinic = Clinic()
    clinic.patient("P1", D[0], target=90)
    clinic.daily_exercise("P1", D[0], 7, reps=45)
    clinic.mornings("P1", D[0], [1] * 7)
    oracle = oracle_of(clinic)
    assert review(oracle, W1, D[6])["adherence_pct"] == 50.0  # 45 of 90 every day
    assert events(oracle, D[6]) == []
    # From Thursday the target is 100: (3 * 45/90 + 4 * 45/100) / 7 = 3.3 / 7 = 47.1 %, and days before it
    # keep the target of 90.
    clinic.change("P1", D[3], target=100)
    oracle = oracle_of(clinic)
    assert review(oracle, W1, D[6])["adherence_pct"] == 47.1
    assert events(oracle, D[6]) == [("low_adherence", D[6], D[6], "medium")]


def test_low_adherence_is_active_only_in_its_own_week():
    clinic = Clinic()
    clinic.patient("P1", D[0], target=90)
    clinic.daily_exercise("P1", D[7], 7, reps=90)
    clinic.mornings("P1", D[0], [1] * 14)
    oracle = oracle_of(clinic)
    assert events(oracle, D[13]) == [("low_adherence", D[6], D[6], "medium")]
    assert [review(oracle, week, D[13])["risk"] for week in (W1, W2)] == ["amber", "green"]


def test_week_review_counts_events_dated_up_to_its_last_counted_day():
    # As of Wednesday of week 2, a ceiling run since Monday of week 1 is active in both weeks, and the
    # reference is taken on the last programme day up to the as-of date.
    clinic = Clinic()
    worked_patient(clinic, 10)
    clinic.mornings("P1", D[0], [6] * 8 + [7, 8])
    oracle = oracle_of(clinic)
    rows = [review(oracle, week, D[9]) for week in (W1, W2)]
    assert [row["alerts"] for row in rows] == [
        ["pain_above_ceiling"], ["pain_above_ceiling", "rising_streak"],
    ]
    assert rows[1]["reference_pain"] == 6.0  # U(D[9]): mornings D[0]..D[8] are eight 6s and a 7
    assert [row["flare_days"] for row in rows] == [0, 0]  # +1 a morning is no flare at threshold 2
