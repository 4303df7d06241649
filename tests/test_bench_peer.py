"""The benchmark's vectorised pandas peer (bench/peer.py) against the SQL: a generated clinic with settings
changes and programme items, the hand-picked edge clinics of the oracle differential, and the comparisons
themselves, which must report a difference when there is one."""

from __future__ import annotations

import itertools
import shutil
from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import pytest
from clinic_builder import Clinic, imported, migrated_template
from test_metrics_differential import EDGE_CASES

from bench import peer
from dashboard import metrics
from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.importer import import_paths
from dashboard.sample import write_clinic
from dashboard.weeks import iso_week_of, parse_iso_week

ADMIN = Viewer.system()
END = date(2026, 11, 22)  # a Sunday: W47 is 16-22 Nov, W46 9-15, W45 2-8
DAYS = 120
FIRST = END - timedelta(days=DAYS - 1)
KINDS = ("patients", "programme", "pain", "exercises", "activities")


def changes_and_items() -> Clinic:
    """Return settings changes and programme items for the generated patients, in recording order."""
    extra = Clinic()
    extra.change("P001", date(2026, 11, 2), ceiling=4)  # from a Monday
    extra.change("P002", date(2026, 10, 15), acceptable=3)
    extra.change("P002", date(2026, 11, 10), acceptable=None)  # back to learning from the mornings
    extra.change("P003", date(2026, 10, 20), flare=1.5)
    extra.change("P003", date(2026, 11, 4), target=60)
    extra.change("P003", date(2026, 11, 4), target=120)  # the same date: recorded last holds
    extra.change("P004", date(2026, 1, 1), target=45)  # before the start date
    extra.change("P005", date(2026, 11, 18), ceiling=3, flare=1)  # mid-week, the day of an as-of date
    extra.change("P006", FIRST, acceptable=1.5)
    extra.change("P006", date(2026, 11, 11), acceptable=4.5)
    extra.change("P007", date(2026, 12, 1), ceiling=0)  # after every as-of date
    extra.change("P009", date(2026, 10, 26), target=30)
    extra.change("P009", date(2026, 10, 19), ceiling=8)  # recorded later, dated earlier
    extra.item("P011", date(2026, 9, 1), "Hip bridge", "heavy_slow", 3, 8, "mon,wed,fri")
    extra.item("P011", date(2026, 10, 5), "  hip BRIDGE ", "isotonic", 2, 10)  # replaced
    extra.item("P011", date(2026, 11, 10), "Hip bridge", "isotonic", 2, 10, "none")  # stopped
    extra.item("P012", FIRST - timedelta(days=5), "Isometric hold", "isometric", 5, 1)
    extra.item("P012", date(2026, 11, 1), "Drop jump", "energy_storage", 3, 10, "tue,thu")
    extra.item("P013", date(2026, 10, 1), "Mobility", "other", 1, 20)
    extra.item("P013", date(2026, 11, 12), "Calf raise", "eccentric", 3, 15, "sat,sun")
    extra.item("P013", date(2026, 11, 12), "Calf raise", "eccentric", 3, 12, "sat,sun")  # same date
    extra.item("P014", date(2026, 9, 15), "Calf raise", "isotonic", 0, 10)  # every day a rest day
    return extra


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Database:
    """Return a generated clinic of 40 patients x 120 days with settings changes and programme items."""
    folder = tmp_path_factory.mktemp("peer_clinic")
    write_clinic(folder, patients=40, days=DAYS, seed=11, end=END)
    path = folder / "clinic.duckdb"
    shutil.copyfile(migrated_template(), path)
    database = Database(path)
    result = import_paths(database, [folder / f"{kind}.csv" for kind in KINDS], actor="test")
    assert result.ok, result.report()
    changes_and_items().store_settings(database)
    yield database
    database.close()


def weeks_up_to(as_of: date, count: int) -> list[str]:
    """Return the ISO week of as_of and the count - 1 weeks before it."""
    return [iso_week_of(as_of - timedelta(days=7 * back)) for back in range(count)]


def peer_differences(database: Database, as_of: date, weeks: list[str],
                     date_froms: list[date | None]) -> list[str]:
    """Return every way the peer differs from the SQL on some weeks' reviews and some ranges of alerts."""
    tables = peer.read_tables(database)
    problems = []
    for date_from in date_froms:
        sql = metrics.alert_events(database, ADMIN, date_from, None, as_of=as_of)
        for text in peer.alert_differences(sql, peer.alert_events(tables, date_from, None, as_of)):
            problems.append(f"as of {as_of}, alerts from {date_from}: {text}")
    for week in weeks:
        if parse_iso_week(week)[0] > as_of:
            continue
        sql = metrics.weekly_review(database, ADMIN, week, as_of=as_of)
        for text in peer.review_differences(sql, peer.weekly_review(tables, week, as_of)):
            problems.append(f"as of {as_of}, review {week}: {text}")
    return problems


@pytest.mark.parametrize("as_of", [
    END,  # the last day, a Sunday
    date(2026, 11, 18),  # a Wednesday, the day P005's change takes effect
    date(2026, 11, 2),  # the Monday P001's ceiling drops
    date(2026, 10, 14),  # mid-October, mid-week
])
def test_given_a_generated_clinic_expect_the_peer_to_agree_with_the_sql(generated, as_of):
    sql_alerts = metrics.alert_events(generated, ADMIN, FIRST, None, as_of=as_of)
    assert len(sql_alerts) > 50, "the clinic should raise alerts of every kind to compare"
    if as_of == END:
        assert set(sql_alerts["rule"]) == set(peer.RULES)
    weeks = weeks_up_to(as_of, 3 if as_of == END else 1)
    date_froms = [FIRST, date(2026, 10, 1)] if as_of == END else [None]
    problems = peer_differences(generated, as_of, weeks, date_froms)
    assert not problems, "\n".join(problems)


def test_given_the_combined_computation_expect_the_same_alerts_and_review_as_each_alone(generated):
    tables = peer.read_tables(generated)
    alerts, review = peer.alerts_and_review(tables, FIRST, END, "2026-W46")
    assert not peer.alert_differences(peer.alert_events(tables, FIRST, None, END), alerts)
    assert not peer.review_differences(peer.weekly_review(tables, "2026-W46", END), review)
    programme = review[review["stage_source"] == "programme"]
    assert len(programme) >= 3, "the clinic should hold patients on a programme in W46"


def test_given_a_settings_change_expect_the_peer_to_use_the_version_in_effect_each_day(generated):
    tables = peer.read_tables(generated)
    days = peer.spine(tables, peer._day(END))
    code = list(tables["patients"]["patient_id"].cat.categories).index("P003")
    rows = np.flatnonzero(days.pat == code)
    dated = {peer.EPOCH + timedelta(days=int(days.date[row])): row for row in rows}
    assert days.threshold[dated[date(2026, 10, 19)]] == 20 and days.threshold[dated[date(2026, 10, 20)]] == 15
    assert days.target[dated[date(2026, 11, 3)]] == 90 and days.target[dated[date(2026, 11, 4)]] == 120


def merged_edge_clinic() -> tuple[Clinic, dict[date, list[str]]]:
    """Return the oracle differential's edge clinics as one clinic (patient ids prefixed by the case), and
    the weeks to review on their as-of dates: every week on a case's last as-of date, and the first as-of
    date's own week (the SQL review is the slow part of the test)."""
    merged = Clinic()
    weeks_on: dict[date, set[str]] = {}
    for number, (clinic, as_ofs, weeks) in enumerate(EDGE_CASES.values()):
        prefix = f"E{number:02d}-"
        for mine, theirs in ((merged.patients, clinic.patients), (merged.pain, clinic.pain),
                             (merged.exercises, clinic.exercises), (merged.activities, clinic.activities),
                             (merged.changes, clinic.changes), (merged.programme, clinic.programme)):
            mine.extend([prefix + row[0], *row[1:]] for row in theirs)
        merged.acceptable.update({prefix + pid: level for pid, level in clinic.acceptable.items()})
        for as_of in as_ofs:
            weeks_on.setdefault(as_of, set()).update(
                week for week in weeks
                if parse_iso_week(week)[0] <= as_of
                and (as_of == max(as_ofs) or (as_of == min(as_ofs) and week == iso_week_of(as_of)))
            )
    # Just above Silbernagel's safe zone: a flare and a rising streak ending on a morning of 2.1.
    monday = date(2026, 11, 2)
    merged.patient("Z-SAFE1", monday)
    merged.mornings("Z-SAFE1", monday, [0, 2.1])
    merged.exercise("Z-SAFE1", monday, 1, 10)
    merged.patient("Z-SAFE2", monday, ceiling=10)
    merged.mornings("Z-SAFE2", monday, [0.1, 1.1, 2.1])
    return merged, {as_of: sorted(weeks) for as_of, weeks in sorted(weeks_on.items())}


def test_given_the_hand_picked_edge_clinics_expect_the_peer_to_agree_with_the_sql():
    clinic, weeks_on = merged_edge_clinic()
    assert len(clinic.patients) > 60 and len(weeks_on) > 15
    with imported(clinic) as database:
        problems = [
            text for as_of, weeks in weeks_on.items()
            for text in peer_differences(database, as_of, weeks, [None])
        ]
    assert not problems, "\n".join(problems)


def other_beside_a_ranked_stage() -> Clinic:
    """Return a patient whose first day's main logged stage is 'other' (more reps than its heavy_slow)."""
    clinic = Clinic()
    clinic.patient("P01", date(2026, 8, 31))
    clinic.exercise("P01", date(2026, 8, 31), 4, 21, stage="heavy_slow")
    clinic.exercise("P01", date(2026, 8, 31), 4, 54, stage="other")
    clinic.exercise("P01", date(2026, 9, 2), 1, 3, stage="isotonic")
    return clinic


def test_given_a_day_whose_logged_stage_is_other_expect_it_to_end_the_ranked_run():
    with imported(other_beside_a_ranked_stage()) as database:
        sql = metrics.weekly_review(database, ADMIN, "2026-W39", as_of=date(2026, 9, 25))
        review = peer.weekly_review(peer.read_tables(database), "2026-W39", date(2026, 9, 25))
    # 31 Aug is an 'other' day (no rank), so the isotonic run starts on 2 Sep: 2-25 Sep is 24 days. (The SQL
    # once ranked that day by its best ranked stage, as DuckDB's arg_max skips a null, and counted 26.)
    assert review[["stage", "stage_source", "days_in_stage"]].to_dict("records") == [
        {"stage": "isotonic", "stage_source": "logs", "days_in_stage": 24}
    ]
    assert not peer.review_differences(sql, review)


def test_given_a_changed_event_or_field_expect_the_comparisons_to_report_it(generated):
    tables = peer.read_tables(generated)
    alerts = peer.alert_events(tables, FIRST, None, END)
    sql = metrics.alert_events(generated, ADMIN, FIRST, None, as_of=END)
    assert not peer.alert_differences(sql, alerts)
    assert peer.alert_differences(sql, alerts.iloc[1:])
    moved = alerts.copy()
    moved.loc[0, "until"] = moved.loc[0, "until"] + np.timedelta64(1, "D")
    assert peer.alert_differences(sql, moved)

    review = peer.weekly_review(tables, "2026-W47", END)
    sql_review = metrics.weekly_review(generated, ADMIN, "2026-W47", as_of=END)
    assert not peer.review_differences(sql_review, review)
    last = len(review) - 1
    other_risk = "red" if review["risk"][last] != "red" else "green"
    logged = review["mean_morning_pain"].first_valid_index()
    for row, column, value in (
        (last, "adherence_pct", 12.3), (last, "alerts", ["flare"]), (last, "stage", "plyometric"),
        (last, "reference_pain", 9.9), (last, "risk", other_risk), (last, "days_in_stage", 999),
        (logged, "mean_morning_pain", review["mean_morning_pain"][logged] + 1e-6),
    ):
        changed = review.copy()
        changed.at[row, column] = value
        assert any(text.startswith(column) for text in peer.review_differences(sql_review, changed)), column
    assert peer.review_differences(sql_review, review.iloc[::-1].reset_index(drop=True))


def test_given_the_sorting_network_expect_every_0_1_input_of_14_sorted():
    network = peer.USUAL_NETWORK
    inputs = np.array(list(itertools.product((0, 1), repeat=peer.USUAL_DAYS)), dtype=np.int16).T.copy()
    for i, j in network:
        low = np.minimum(inputs[i], inputs[j])
        inputs[j] = np.maximum(inputs[i], inputs[j])
        inputs[i] = low
    assert (np.diff(inputs, axis=0) >= 0).all()


def test_given_targets_of_every_size_expect_the_exact_half_up_adherence():
    rng = np.random.default_rng(5)
    groups = 400
    lengths = rng.integers(1, 15, groups)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    sizes = [0, 1, 7, 30, 90, 97, 400, 9973, 10000, 99991, 999983]  # primes: common multiples past int64
    target = rng.choice(sizes, lengths.sum()).astype(np.int32)
    reps = (rng.integers(0, 2, lengths.sum()) * rng.integers(0, 1_100_000, lengths.sum())).astype(np.int32)
    got = peer.adherence_tenths(starts, reps, target)
    for group, (begin, size) in enumerate(zip(starts, lengths, strict=True)):
        days = zip(reps[begin:begin + size], target[begin:begin + size], strict=True)
        shares = [Fraction(int(min(done, due)), int(due)) for done, due in days if due]
        expected = -1 if not shares else int(Fraction(1000) * sum(shares) / len(shares) + Fraction(1, 2))
        assert got[group] == expected, (group, target[begin:begin + size], reps[begin:begin + size])


def test_given_the_benchmark_phase_expect_timings_and_agreement(generated):
    figures = peer.peer_phase({"db_path": str(generated.path), "week": "2026-W47", "as_of": END.isoformat(),
                               "alerts_from": FIRST.isoformat(), "runs": 2, "warmup": 0})
    assert figures["agrees_alerts"] and figures["agrees_review"], figures
    assert figures["result_rows"]["review"] > 30 and figures["result_rows"]["alerts"] > 50
    for phase in ("alerts_all", "review", "alerts"):
        assert len(figures[phase]["runs_s"]) == 2 and figures[phase]["median_s"] > 0
