"""Given/expect tests for the version-2 triage rules: each patient's own reference level, the safe zone, runs
that count in every week they cover, and effective-dated settings that never rewrite the past.

Every clinic is written as CSV logs and imported through the real importer into a real DuckDB file; settings
changes go through the app's own write path. The worked examples are the issue's, worked by hand here.
Unless a test says otherwise: flare threshold 2, ceiling 5, 90 reps every day, no acceptable level set.
"""

from __future__ import annotations

from datetime import date

import pytest

from dashboard import metrics, patient_settings
from tests.clinic import ADMIN, Clinic, column, events, nov, plain, rows


def loaded(clinic: Clinic, patient_id: str, first: date, mornings: list[float | None]) -> None:
    """Log these mornings from `first`, and 90 reps on every one of those days."""
    clinic.mornings(patient_id, first, mornings)
    clinic.daily_reps(patient_id, first, [90] * len(mornings))


def review_row(db, week: str, patient_id: str, as_of: date) -> dict:
    """Return one patient's weekly review row as plain values."""
    review = metrics.weekly_review(db, ADMIN, week, as_of=as_of)
    found = review[review["patient_id"] == patient_id]
    assert len(found) == 1, f"{patient_id} is not in the {week} review"
    return {key: value if key == "alerts" else plain(value) for key, value in found.iloc[0].items()}


def dated(db, as_of: date, **options) -> list[tuple]:
    """Return (rule, date, until) of every alert event, in the listing's order."""
    return [(event[1], event[2], event[3]) for event in events(db, as_of=as_of, **options)]


# ---- the worked examples --------------------------------------------------------------------------


def test_the_seeds_example_a_flare_a_ceiling_run_and_a_rising_streak_make_the_week_red(clinic):
    clinic.patient("P1", nov(2))
    loaded(clinic, "P1", nov(2), [3] * 14 + [3, 3, 6, 7])  # usual 3 (2-15 Nov), then 16-19 Nov
    db = clinic.build()

    assert events(db, as_of=nov(19)) == [
        ("P1", "flare", nov(18), nov(18),
         "morning pain 3 → 6 (+3) the morning after loading (17–18 Nov); usual 3"),
        ("P1", "pain_above_ceiling", nov(18), nov(19),
         "morning pain above the ceiling of 5 on 2 mornings, highest 7 (since 18 Nov, ongoing)"),
        # Its run is 3, 6, 7: a rise of 4 by the third morning, and 7 >= usual 3 + 2.
        ("P1", "rising_streak", nov(19), nov(19),
         "morning pain 3 → 6 → 7 (+4, since 17 Nov, ongoing); usual 3"),
    ]
    row = review_row(db, "2026-W47", "P1", as_of=nov(19))
    assert (row["alerts"], row["risk"], row["flare_days"], row["reference_pain"]) == (
        ["flare", "pain_above_ceiling", "rising_streak"], "red", 1, 3.0,
    )
    # 6 -> 7 is a rise of 1: elevated, not a second flare.
    responses = metrics.responses(db, ADMIN, "P1", date_from=nov(16), as_of=nov(19))
    assert column(responses, "status") == ["settled", "flare", "elevated", None]


def test_a_rise_within_the_usual_range_is_no_streak_and_stays_green(clinic):
    clinic.patient("P1", nov(2))
    loaded(clinic, "P1", nov(2), [2] * 14 + [1, 2, 3, 2])
    db = clinic.build()

    # The run 1, 2, 3 rises by 2, but 3 < usual 2 + 2.
    assert events(db, as_of=nov(19)) == []
    responses = metrics.responses(db, ADMIN, "P1", date_from=nov(15), as_of=nov(19))
    assert column(responses, "status") == ["settled", "elevated", "elevated", "settled", None]
    row = review_row(db, "2026-W47", "P1", as_of=nov(19))
    assert (row["alerts"], row["risk"], row["reference_pain"]) == ([], "green", 2.0)


def test_a_rise_inside_the_safe_zone_is_no_flare(clinic):
    clinic.patient("P1", nov(2))
    # Seven mornings at 0 and seven at 1: the usual level is their median, 0.5. Then 0 -> 2 after loading.
    loaded(clinic, "P1", nov(2), [0, 1] * 7 + [0, 2])
    db = clinic.build()

    responses = metrics.responses(db, ADMIN, "P1", date_from=nov(16), as_of=nov(17))
    assert rows(responses, "date", "response", "status") == [
        (nov(16), 2.0, "elevated"), (nov(17), None, None),
    ]
    assert events(db, as_of=nov(17)) == []
    row = review_row(db, "2026-W47", "P1", as_of=nov(17))
    assert (row["alerts"], row["risk"], row["reference_pain"]) == ([], "green", 0.5)


def test_a_run_that_goes_on_is_one_alert_and_red_in_every_week_it_covers(clinic):
    clinic.patient("P1", nov(2))
    loaded(clinic, "P1", nov(2), [6] * 21)  # 2-22 Nov, every morning above the ceiling
    db = clinic.build()

    assert dated(db, as_of=nov(22)) == [("pain_above_ceiling", nov(2), nov(22))]
    for week in ("2026-W45", "2026-W46", "2026-W47"):
        row = review_row(db, week, "P1", as_of=nov(22))
        assert (row["alerts"], row["risk"]) == (["pain_above_ceiling"], "red"), week
    # The inbox still holds the one alert, dated on the run's first morning.
    assert dated(db, as_of=nov(22), date_from=nov(9)) == []


def test_a_lower_ceiling_from_a_monday_turns_that_week_red_and_leaves_the_weeks_before_green(clinic):
    clinic.patient("P1", nov(2))
    loaded(clinic, "P1", nov(2), [5] * 21)  # 2-22 Nov, every morning at 5
    db = clinic.build()
    before = {week: review_row(db, week, "P1", as_of=nov(22)) for week in ("2026-W45", "2026-W46")}

    clinic.change("P1", nov(16), pain_ceiling=4, reason="still sore at 5")

    for week in ("2026-W45", "2026-W46"):
        assert review_row(db, week, "P1", as_of=nov(22)) == before[week]
        assert before[week]["risk"] == "green"
    row = review_row(db, "2026-W47", "P1", as_of=nov(22))
    assert (row["alerts"], row["risk"]) == (["pain_above_ceiling"], "red")
    assert events(db, as_of=nov(22)) == [
        ("P1", "pain_above_ceiling", nov(16), nov(22),
         "morning pain above the ceiling of 4 on 7 mornings, highest 5 (since 16 Nov, ongoing)"),
    ]


# ---- the usual and reference levels -----------------------------------------------------------------------


def test_the_usual_level_needs_four_logged_mornings_in_the_fourteen_before(clinic):
    clinic.patient("UNKNOWN", nov(2))
    loaded(clinic, "UNKNOWN", nov(2), [4, 4, 3, 5])  # 3 mornings before 5 Nov: no usual level yet
    clinic.patient("KNOWN", nov(2))
    loaded(clinic, "KNOWN", nov(2), [4, 4, 4, 3, 5])  # 4 mornings before 6 Nov: usual 4
    db = clinic.build()

    # Without a usual level, a rise of 2 to 5 is a flare; with one at 4, 5 is short of 4 + 2.
    assert events(db, as_of=nov(6)) == [
        ("UNKNOWN", "flare", nov(5), nov(5),
         "morning pain 3 → 5 (+2) the morning after loading (4–5 Nov); usual level not yet known"),
    ]
    days = metrics.patient_days(db, ADMIN, "KNOWN", nov(2), nov(6), as_of=nov(6))
    assert column(days, "usual_pain") == [None, None, None, None, 4.0]
    assert column(days, "response_status") == [None, "settled", "settled", "settled", "elevated"]
    assert review_row(db, "2026-W45", "UNKNOWN", as_of=nov(5))["reference_pain"] is None


def test_the_usual_level_is_the_median_of_the_fourteen_days_before_missing_mornings_left_out(clinic):
    clinic.patient("P1", nov(2))
    # 16 days: 1, 2, 3, 4, gap, 8 ... ; on 17 Nov the window is 3-16 Nov.
    clinic.mornings("P1", nov(2), [9, 1, 2, 3, None, None, 4, 4, 8, 9, None, 1, 2, 5, 6, 7])
    db = clinic.build()

    days = metrics.patient_days(db, ADMIN, "P1", nov(17), nov(17), as_of=nov(17))
    # 3-16 Nov logged: 1, 2, 3, 4, 4, 8, 9, 1, 2, 5, 6 and 7 -> sorted middle pair 4 and 4.
    assert column(days, "usual_pain") == [4.0]
    days = metrics.patient_days(db, ADMIN, "P1", nov(10), nov(10), as_of=nov(17))
    # 2-9 Nov logged: 9, 1, 2, 3, 4, 4 -> middle pair 3 and 4: 3.5, not rounded.
    assert column(days, "usual_pain") == [3.5]


def test_a_stricter_acceptable_level_than_the_usual_one_makes_a_rise_a_flare(clinic):
    clinic.patient("USUAL", nov(2))
    loaded(clinic, "USUAL", nov(2), [4] * 14 + [3, 5])
    clinic.patient("STRICT", nov(2), acceptable=2)
    loaded(clinic, "STRICT", nov(2), [4] * 14 + [3, 5])
    db = clinic.build()

    # 3 -> 5 is +2; 5 is short of usual 4 + 2, but at least acceptable 2 + 2.
    assert events(db, as_of=nov(17)) == [
        ("STRICT", "flare", nov(17), nov(17),
         "morning pain 3 → 5 (+2) the morning after loading (16–17 Nov); acceptable 2 (set)"),
    ]
    assert review_row(db, "2026-W47", "STRICT", as_of=nov(17))["reference_pain"] == 2.0
    assert review_row(db, "2026-W47", "USUAL", as_of=nov(17))["reference_pain"] == 4.0


def test_a_looser_acceptable_level_than_the_usual_one_keeps_a_rise_elevated(clinic):
    clinic.patient("P1", nov(2))
    loaded(clinic, "P1", nov(2), [2] * 14 + [2, 4])
    db = clinic.build()
    assert dated(db, as_of=nov(17)) == [("flare", nov(17), nov(17))]  # 4 >= usual 2 + 2

    clinic.change("P1", nov(17), acceptable_pain=3)

    assert dated(db, as_of=nov(17)) == []  # 4 < acceptable 3 + 2
    assert review_row(db, "2026-W47", "P1", as_of=nov(17))["reference_pain"] == 3.0
    clinic.change("P1", nov(17), acceptable_pain=None, reason="learn it again")
    assert dated(db, as_of=nov(17)) == [("flare", nov(17), nov(17))]


# ---- the rising streak ------------------------------------------------------------------------------------


def test_a_rising_streak_is_dated_on_its_first_painful_morning_and_lasts_to_its_last_rise(clinic):
    clinic.patient("P1", nov(2))
    # Usual 3; the run is 3 (16 Nov), 3.5, 4, 4.5, 5.5, 6 (17-21 Nov), then a fall ends it. Its third
    # morning (4) is only +1, 4.5 is +1.5, and 5.5 is +2.5 and at least usual 3 + 2: dated 20 Nov.
    loaded(clinic, "P1", nov(2), [3] * 15 + [3.5, 4, 4.5, 5.5, 6, 2])
    db = clinic.build()

    assert dated(db, as_of=nov(23), date_from=nov(16)) == [
        ("pain_above_ceiling", nov(20), nov(21)),
        ("rising_streak", nov(20), nov(21)),
    ]
    days = metrics.patient_days(db, ADMIN, "P1", nov(16), nov(23), as_of=nov(23))
    assert column(days, "in_rising_streak") == [True, True, True, True, True, True, False, False]


def test_a_run_raises_at_most_one_rising_streak(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [3, 4, 5, 6, 7, 8, 9, 10])
    db = clinic.build()

    assert [event[1:4] for event in events(db, "rising_streak", as_of=nov(9))] == [
        ("rising_streak", nov(4), nov(9)),
    ]


def test_a_rising_streak_in_the_safe_zone_is_never_raised(clinic):
    clinic.patient("P1", nov(2), flare=1)
    clinic.mornings("P1", nov(2), [0, 0.5, 1, 1.5, 2])
    db = clinic.build()

    assert events(db, "rising_streak", as_of=nov(6)) == []


# ---- runs across weeks ------------------------------------------------------------------------------------


def test_a_gap_that_began_in_an_earlier_week_keeps_the_patient_amber(clinic):
    clinic.patient("P1", nov(2))
    loaded(clinic, "P1", nov(2), [2] * 5)  # 2-6 Nov logged, then reps but no mornings
    clinic.daily_reps("P1", nov(7), [90] * 16)
    db = clinic.build()

    assert dated(db, as_of=nov(22)) == [("not_logging", nov(9), nov(22))]
    for week in ("2026-W46", "2026-W47"):
        row = review_row(db, week, "P1", as_of=nov(22))
        assert (row["alerts"], row["risk"]) == (["not_logging"], "amber"), week
    assert review_row(db, "2026-W45", "P1", as_of=nov(22))["alerts"] == []  # dated 9 Nov, after W45


def test_a_run_is_active_only_up_to_the_as_of_date_and_ends_with_the_run(clinic):
    clinic.patient("P1", nov(2))
    loaded(clinic, "P1", nov(2), [6] * 10 + [3] * 11)  # above the ceiling 2-11 Nov, then 3
    db = clinic.build()

    assert dated(db, as_of=nov(8)) == [("pain_above_ceiling", nov(2), nov(8))]
    assert dated(db, as_of=nov(22)) == [("pain_above_ceiling", nov(2), nov(11))]
    assert review_row(db, "2026-W46", "P1", as_of=nov(22))["risk"] == "red"  # the run reaches 11 Nov
    assert review_row(db, "2026-W47", "P1", as_of=nov(22))["risk"] == "green"


def test_an_event_dated_after_the_weeks_as_of_date_is_not_active_yet(clinic):
    clinic.patient("P1", nov(2))
    loaded(clinic, "P1", nov(2), [2] * 8 + [6])  # above the ceiling on Tuesday 10 Nov
    db = clinic.build()

    assert review_row(db, "2026-W46", "P1", as_of=nov(9))["risk"] == "green"
    assert review_row(db, "2026-W46", "P1", as_of=nov(10))["risk"] == "red"


# ---- effective-dated settings -----------------------------------------------------------------------------


def test_a_settings_change_reaching_into_a_run_splits_it_from_its_date(clinic):
    clinic.patient("P1", nov(2))
    loaded(clinic, "P1", nov(2), [6] * 7)  # 2-8 Nov at 6, ceiling 5
    db = clinic.build()

    clinic.change("P1", nov(5), pain_ceiling=6, reason="6 is fine for this patient")

    # 6 is not above the new ceiling from 5 Nov: the run ends on 4 Nov; nothing before 5 Nov moves.
    assert dated(db, as_of=nov(8)) == [("pain_above_ceiling", nov(2), nov(4))]
    days = metrics.patient_days(db, ADMIN, "P1", nov(2), nov(8), as_of=nov(8))
    assert column(days, "pain_ceiling") == [5.0, 5.0, 5.0, 6.0, 6.0, 6.0, 6.0]


def test_changes_dated_backward_and_forward_hold_from_their_own_dates(clinic):
    clinic.patient("P1", nov(2))
    loaded(clinic, "P1", nov(2), [5] * 21)
    db = clinic.build()

    clinic.change("P1", nov(30), pain_ceiling=4)  # dated forward: not in effect yet on 22 Nov
    assert dated(db, as_of=nov(22)) == []
    clinic.change("P1", nov(9), pain_ceiling=4.5)  # recorded later, dated earlier
    assert dated(db, as_of=nov(22)) == [("pain_above_ceiling", nov(9), nov(22))]
    # By 1 Dec the forward change is in effect, but the mornings stopped on 22 Nov: the run ended there.
    assert dated(db, as_of=date(2026, 12, 1)) == [
        ("pain_above_ceiling", nov(9), nov(22)),
        ("not_logging", nov(25), date(2026, 12, 1)),
        ("low_adherence", nov(29), nov(29)),
    ]
    days = metrics.patient_days(db, ADMIN, "P1", nov(8), nov(9), as_of=nov(22))
    assert column(days, "pain_ceiling") == [5.0, 4.5]


def test_of_two_changes_dated_the_same_day_the_one_recorded_last_holds(clinic):
    clinic.patient("P1", nov(2))
    loaded(clinic, "P1", nov(2), [5] * 7)
    db = clinic.build()

    clinic.change("P1", nov(4), pain_ceiling=4)
    clinic.change("P1", nov(4), pain_ceiling=6, reason="entered 4 by mistake")

    assert dated(db, as_of=nov(8)) == []
    history = patient_settings.settings_history(db, ADMIN, "P1")
    assert list(history["settings"]) == [
        "from the patients file: daily rep target 90, pain ceiling 5, flare threshold 2, "
        "acceptable morning pain: learn from mornings",
        "pain ceiling 4",
        "pain ceiling 6",
    ]
    assert column(history, "reason")[1:] == [None, "entered 4 by mistake"]


def test_a_change_of_one_setting_leaves_the_others_as_they_were_on_each_day(clinic):
    clinic.patient("P1", nov(2), ceiling=5, flare=2)
    clinic.mornings("P1", nov(2), [1] * 7)
    db = clinic.build()

    clinic.change("P1", nov(6), flare_threshold=3)
    # Recorded after, dated before: the threshold stays 3 from 6 Nov.
    clinic.change("P1", nov(4), pain_ceiling=4)

    days = metrics.patient_days(db, ADMIN, "P1", nov(2), nov(8), as_of=nov(8))
    assert rows(days, "pain_ceiling", "flare_threshold") == [
        (5.0, 2.0), (5.0, 2.0), (4.0, 2.0), (4.0, 2.0), (4.0, 3.0), (4.0, 3.0), (4.0, 3.0),
    ]


def test_adherence_uses_the_target_in_effect_on_each_day(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(9), [2] * 7)
    clinic.daily_reps("P1", nov(9), [60] * 7)
    db = clinic.build()

    clinic.change("P1", nov(11), daily_rep_target=60)

    # Mon-Tue 60 of 90, Wed-Sun 60 of 60: (2 x 2/3 + 5) / 7 = 90.476... %.
    row = review_row(db, "2026-W46", "P1", as_of=nov(15))
    assert (row["adherence_pct"], row["days_on_target"], row["alerts"]) == (90.5, 5, [])
    assert review_row(db, "2026-W45", "P1", as_of=nov(15))["adherence_pct"] == 0.0


def test_a_low_adherence_week_before_a_lower_target_stays_as_it_was(clinic):
    clinic.patient("P1", nov(2))
    clinic.mornings("P1", nov(2), [2] * 14)
    clinic.daily_reps("P1", nov(2), [30] * 14)
    db = clinic.build()
    before = dated(db, as_of=nov(15))

    clinic.change("P1", nov(9), daily_rep_target=30)

    assert before == [("low_adherence", nov(8), nov(8)), ("low_adherence", nov(15), nov(15))]
    assert dated(db, as_of=nov(15)) == [("low_adherence", nov(8), nov(8))]


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"pain_ceiling": 10.5}, "pain ceiling"),
        ({"acceptable_pain": 3.25}, "acceptable morning pain"),
        ({"flare_threshold": 0}, "flare threshold"),
        ({"daily_rep_target": 0}, "daily rep target"),
    ],
)
def test_a_refused_change_writes_nothing(clinic, settings, problem):
    clinic.patient("P1", nov(2))
    db = clinic.build()

    with pytest.raises(patient_settings.SettingsRefused, match=problem):
        patient_settings.change_settings(db, ADMIN, "P1", nov(3), settings)

    assert len(patient_settings.settings_history(db, ADMIN, "P1")) == 1
    assert db.value("patient_count") == 1
    audited = "select count(*) from audit_log where action = 'settings_change'"
    assert db.session().cursor.execute(audited).fetchone() == (0,)


def test_a_change_is_recorded_with_who_when_and_why_and_audited_in_the_same_words(clinic):
    clinic.patient("P1", nov(2))
    db = clinic.build()

    changes = patient_settings.change_settings(
        db, ADMIN, "P1", nov(9), {"pain_ceiling": 4, "flare_threshold": 2, "acceptable_pain": 3.5},
        reason="flare after the 10k",
    )

    # The threshold was already 2: only what differs is recorded.
    assert [change.describe() for change in changes] == [
        "pain ceiling 5 -> 4", "acceptable morning pain learn from mornings -> 3.5",
    ]
    audit = db.session().cursor.execute(
        "select actor, patient_id, detail from audit_log where action = 'settings_change'"
    ).fetchall()
    assert audit == [(
        "cli", "P1",
        "from 2026-11-09: pain ceiling 5 -> 4, acceptable morning pain learn from mornings -> 3.5; "
        "reason: flare after the 10k",
    )]
    history = patient_settings.settings_history(db, ADMIN, "P1")
    assert rows(history, "effective_from", "settings", "changed_by", "reason")[1] == (
        nov(9), "pain ceiling 4, acceptable morning pain: 3.5", "cli", "flare after the 10k",
    )
    assert patient_settings.change_settings(db, ADMIN, "P1", nov(9), {"pain_ceiling": 4}) == []
    on_day = patient_settings.settings_on(db, ADMIN, "P1", nov(8))
    assert (on_day.pain_ceiling, on_day.acceptable_pain, on_day.effective_from) == (5.0, None, None)
    on_day = patient_settings.settings_on(db, ADMIN, "P1", nov(10))
    assert (on_day.pain_ceiling, on_day.acceptable_pain, on_day.effective_from) == (4.0, 3.5, nov(9))


def test_a_clinician_cannot_change_another_clinicians_patient(clinic):
    from dashboard.access import Viewer

    clinic.patient("P1", nov(2), clinician="Léa Moreau")
    db = clinic.build()

    with pytest.raises(patient_settings.SettingsRefused, match="among the patients you can see"):
        patient_settings.change_settings(
            db, Viewer("sam", "clinician", "Sam Patel"), "P1", nov(3), {"pain_ceiling": 4}
        )
    assert len(patient_settings.settings_history(db, ADMIN, "P1")) == 1


def test_the_patients_files_acceptable_level_holds_from_the_start(clinic):
    clinic.patient("P1", nov(2), acceptable=2.5)
    clinic.mornings("P1", nov(2), [2] * 3)
    db = clinic.build()

    days = metrics.patient_days(db, ADMIN, "P1", nov(2), nov(4), as_of=nov(4))
    assert column(days, "reference_pain") == [2.5, 2.5, 2.5]
    assert column(days, "acceptable_pain") == [2.5, 2.5, 2.5]


def test_settings_history_lists_versions_before_any_change_and_refuses_a_missing_patient(clinic):
    clinic.patient("P1", nov(2), target=60, ceiling=4, flare=1.5, acceptable=3)
    db = clinic.build()

    history = patient_settings.settings_history(db, ADMIN, "P1")
    assert rows(history, "effective_from", "settings") == [
        (nov(2), "from the patients file: daily rep target 60, pain ceiling 4, flare threshold 1.5, "
                 "acceptable morning pain: 3"),
    ]
    with pytest.raises(patient_settings.SettingsRefused):
        patient_settings.settings_on(db, ADMIN, "NOBODY", nov(3))
