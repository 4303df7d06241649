"""The maintained per-day metrics never disagree with a full recompute, whatever sequence of writes made them.

A hypothesis state machine applies random writes through the product's own write paths (imports of pain,
exercise and activity logs, with and without replace; settings changes; programme items; discharge dates)
to a small clinic. After every step the stored days equal metric_days recomputed over the whole clinic, and
the alerts and the weekly review read from the store equal those read from a store rebuilt from scratch.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from dashboard import metric_store, metrics, patient_settings, programme
from dashboard.access import Viewer
from dashboard.db import Database, DatabaseError
from dashboard.importer import import_sources

ADMIN = Viewer.system()
LEA = Viewer("lea", "clinician")
PATIENTS = ("P1", "P2", "P3")
START = dt.date(2026, 10, 1)
LAST = dt.date(2026, 11, 22)
AS_OF_DAYS = (dt.date(2026, 11, 8), dt.date(2026, 11, 15), LAST)
PATIENTS_HEADER = (
    "patient_id,name,clinician,condition,start_date,daily_rep_target,pain_ceiling,flare_threshold"
)


def patient_line(patient: str, name: str, clinician: str) -> str:
    """Return a patients-file line: the clinic's usual programme settings under a name and clinician."""
    return f"{patient},{name},{clinician},hamstring,{START},60,5,2"


PATIENTS_CSV = (
    PATIENTS_HEADER + "\n" + "".join(patient_line(p, f"Patient {p}", "lea") + "\n" for p in PATIENTS)
).encode()

days = st.integers(0, (LAST - START).days).map(lambda offset: START + dt.timedelta(days=offset))
patients = st.sampled_from(PATIENTS)
scores = st.integers(0, 20).map(lambda tenths: tenths / 2)


def stored_days(db: Database) -> list[tuple]:
    """Return the maintained days, in order."""
    return db.session().cursor.execute(
        "select * from metric_day_store order by patient_id, date"
    ).fetchall()


def recomputed_days(db: Database, horizon: dt.date) -> list[tuple]:
    """Return metric_days computed now over the whole clinic up to the store's horizon."""
    return db.session().cursor.execute(
        "select * exclude (last_day) from metric_days(?, null, null, null, null) order by patient_id, date",
        [horizon],
    ).fetchall()


def stored_events(db: Database) -> list[tuple]:
    """Return the maintained events as the alert listing orders them."""
    return db.session().cursor.execute(
        "select patient_id, rule, date, run_from, until, severity, detail from metric_event_store "
        "order by date, patient_id, rule"
    ).fetchall()


def stored_open_events(db: Database) -> list[tuple]:
    """Return the maintained events as they stand on each day of their runs, in order."""
    return db.session().cursor.execute("select * from metric_open_event_store order by all").fetchall()


def recomputed_open_events(db: Database, horizon: dt.date) -> list[tuple]:
    """Return metric_event_days computed now from the stored days over the whole clinic, as of the horizon."""
    return db.session().cursor.execute(
        "select seen, patient_id, rule, date, run_from, severity, detail "
        "from metric_event_days(?::date, null, null) order by all",
        [horizon],
    ).fetchall()


def recomputed_events(db: Database, as_of: dt.date) -> list[tuple]:
    """Return metric_events computed now from the stored days over the whole history, as of as_of."""
    return db.session().cursor.execute(
        "select patient_id, rule, date, run_from, until, severity, detail "
        "from metric_events(?::date, null, null) order by date, patient_id, rule",
        [as_of],
    ).fetchall()


def iso_week(day: dt.date) -> str:
    """Return the ISO week label of a day."""
    return f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}"


def computed_review(db: Database, as_of: dt.date, clinician_scope: str | None = None):
    """Return the review of as_of's week computed from the stored days (weekly_review), not read stored."""
    monday = as_of - dt.timedelta(days=as_of.weekday())
    frame = db.frame("weekly_review", week_start=monday, as_of=as_of, clinician_scope=clinician_scope)
    frame["alerts"] = [list(alerts) for alerts in frame["alerts"]]
    return in_review_order(frame)[metrics.REVIEW_COLUMNS]


def in_review_order(frame):
    """Return the query's rows in the review's order: red, amber, green, then by patient."""
    return frame.sort_values(["risk_order", "patient_id"], ignore_index=True)


def records(frame) -> list[dict]:
    """Return a frame's rows as comparable dicts (missing values as None)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def readings(db: Database) -> list:
    """Return what the clinician sees: each as-of date's alerts and the review of its week."""
    seen = []
    for as_of in AS_OF_DAYS:
        alerts = metrics.alert_events(db, ADMIN, as_of=as_of)
        review = metrics.weekly_review(db, ADMIN, f"{as_of.isocalendar()[0]}-W{as_of.isocalendar()[1]:02d}",
                                       as_of=as_of)
        seen.append((alerts.to_dict("records"), review.astype(object).to_dict("records")))
    return seen


def rebuilt_readings(db: Database) -> list:
    """Return the readings from a store rebuilt from scratch in a transaction that is then rolled back."""
    session = db.session()
    horizon = session.value("store_horizon")
    session.cursor.execute("begin transaction")
    try:
        session.execute("store_delete_all")
        session.execute("store_delete_all_events")
        session.execute("store_delete_all_open_events")
        everyone = {"horizon": horizon, "first_patient": "", "last_patient": "\uffff"}
        session.execute("store_insert_range", **everyone)
        session.execute("store_insert_range_events", **everyone)
        session.execute("store_insert_range_open_events", **everyone)
        seen = []
        for as_of in AS_OF_DAYS:
            alerts = session.frame(
                "alert_events", as_of=as_of, date_from=None, date_to=None, patient_id=None,
                clinician_scope=None,
            )
            review = session.frame(
                "weekly_review", week_start=dt.date.fromisocalendar(as_of.isocalendar()[0],
                                                                     as_of.isocalendar()[1], 1),
                as_of=as_of, clinician_scope=None,
            )
            seen.append((alerts, in_review_order(review)))
    finally:
        session.cursor.execute("rollback")
    return seen


class MaintainedStore(RuleBasedStateMachine):
    """Random writes through the product's write paths; the store must always equal a full recompute."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(self._tmp.mktemp("store"))
        self.db = Database(self.folder / "clinic.duckdb")

    _tmp: pytest.TempPathFactory

    @initialize()
    def patients_file(self) -> None:
        """The clinic's patients come from a patients file."""
        result = import_sources(self.db, [("patients.csv", PATIENTS_CSV)], actor="test")
        assert result.ok, result.report()

    def _import(self, name: str, header: str, lines: list[str], replace: bool = False) -> None:
        data = (header + "\n" + "".join(line + "\n" for line in lines)).encode()
        import_sources(self.db, [(name, data)], replace=replace, actor="test")

    @rule(patient=patients, first=days, replace=st.booleans(),
          mornings=st.lists(st.one_of(st.none(), scores), min_size=1, max_size=9))
    def log_mornings(self, patient, first, mornings, replace) -> None:
        """A pain file with a run of mornings (gaps left unlogged), perhaps replacing stored scores."""
        lines = [
            f"{patient},{first + dt.timedelta(days=i)},morning,{score:g}"
            for i, score in enumerate(mornings) if score is not None
        ]
        self._import("pain.csv", "patient_id,date,time_of_day,pain", lines, replace=replace)

    @rule(patient=patients, day=days, score=scores)
    def log_evening(self, patient, day, score) -> None:
        """One evening score."""
        self._import("pain.csv", "patient_id,date,time_of_day,pain", [f"{patient},{day},evening,{score:g}"])

    @rule(patient=patients, first=days, reps=st.lists(st.integers(0, 60), min_size=1, max_size=8),
          stage=st.sampled_from(["isometric", "isotonic", "heavy_slow_resistance", "energy_storage"]))
    def log_exercise(self, patient, first, reps, stage) -> None:
        """An exercise file: three sets a day for a few days."""
        lines = [
            f"{patient},{first + dt.timedelta(days=i)},bridge,{stage},3,{count}"
            for i, count in enumerate(reps) if count
        ]
        self._import("exercises.csv", "patient_id,date,exercise,stage,sets,reps", lines)

    @rule(patient=patients, day=days)
    def log_activity(self, patient, day) -> None:
        """A run, which makes the day a loading day."""
        self._import("activities.csv", "patient_id,date,activity,duration_min", [f"{patient},{day},run,30"])

    @rule(patient=patients, day=days, field=st.sampled_from(["daily_rep_target", "pain_ceiling",
                                                              "flare_threshold", "acceptable_pain"]),
          value=st.integers(1, 8))
    def change_setting(self, patient, day, field, value) -> None:
        """A settings change from a date (also dated before the start, or between logged days)."""
        proposed = {field: value * 10 if field == "daily_rep_target" else float(value)}
        patient_settings.change_settings(self.db, ADMIN, patient, day, proposed, reason="test")

    @rule(patient=patients, day=days, reps=st.integers(1, 15), weekly=st.booleans())
    def prescribe(self, patient, day, reps, weekly) -> None:
        """A programme item from a date, daily or three days a week."""
        programme.set_item(self.db, ADMIN, patient, day, "Bridge", "isotonic", 3, reps,
                           "mon,wed,fri" if weekly else "daily")

    @rule(patient=patients, day=st.one_of(st.none(), days))
    def discharge(self, patient, day) -> None:
        """A discharge date set or cleared."""
        patient_settings.save_status(self.db, ADMIN, patient, {"discharged_on": day})

    @rule(patient=patients, name=st.sampled_from(["Ann Bell", "Bo Chan"]),
          clinician=st.sampled_from(["lea", "sam"]))
    def refile_patient(self, patient, name, clinician) -> None:
        """The patients file again with replace: a patient renamed or moved to another clinician."""
        self._import("patients.csv", PATIENTS_HEADER, [patient_line(patient, name, clinician)], replace=True)

    @invariant()
    def store_equals_a_full_recompute(self) -> None:
        horizon = self.db.value("store_horizon")
        assert horizon is not None
        assert stored_days(self.db) == recomputed_days(self.db, horizon)
        assert stored_events(self.db) == recomputed_events(self.db, horizon)
        assert stored_open_events(self.db) == recomputed_open_events(self.db, horizon)
        for as_of in AS_OF_DAYS:
            listed = metrics.alert_events(self.db, ADMIN, as_of=as_of)
            recomputed = [row[:3] + row[4:] for row in recomputed_events(self.db, as_of)]  # no run_from
            assert list(listed.itertuples(index=False, name=None)) == recomputed
            # A finished week's review is read from the store; computed from the stored days, it is the same.
            reviewed = metrics.weekly_review(self.db, ADMIN, iso_week(as_of), as_of=as_of)
            assert records(reviewed) == records(computed_review(self.db, as_of))
            # A clinician's review holds their patients as filed now, names as they are now.
            own = metrics.weekly_review(self.db, LEA, iso_week(as_of), as_of=as_of)
            assert records(own) == records(computed_review(self.db, as_of, clinician_scope="lea"))

    def teardown(self) -> None:
        self.db.close()


@pytest.fixture
def machine(tmp_path_factory):
    """The state machine class, given a place for its databases."""
    MaintainedStore._tmp = tmp_path_factory
    return MaintainedStore


def test_the_maintained_days_equal_a_full_recompute_after_any_writes(machine) -> None:
    test = machine.TestCase
    test.settings = settings(
        max_examples=12, stateful_step_count=8, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    test().runTest()


def test_alerts_and_review_read_from_the_store_equal_those_of_a_rebuilt_store(tmp_path) -> None:
    from dashboard.sample import write_clinic

    folder = tmp_path / "clinic"
    write_clinic(folder, patients=12, days=70, seed=3, end=LAST)
    db = Database(tmp_path / "clinic.duckdb")
    files = [folder / f"{kind}.csv" for kind in ("patients", "programme", "pain", "exercises", "activities")]
    result = import_sources(db, [(path.name, path.read_bytes()) for path in files], actor="test")
    assert result.ok, result.report()
    patient_settings.change_settings(db, ADMIN, "P001", dt.date(2026, 11, 1), {"pain_ceiling": 3.0})
    maintained = readings(db)
    rebuilt = rebuilt_readings(db)
    for (alerts, review), (alerts_again, review_again) in zip(maintained, rebuilt, strict=True):
        assert len(alerts) > 0
        assert [row["detail"] for row in alerts] == list(alerts_again["detail"])
        compared = ("patient_id", "risk", "adherence_pct", "mean_morning_pain", "reference_pain", "stage")
        for row, again in zip(review, review_again.to_dict("records"), strict=True):
            assert {c: str(row[c]) for c in compared} == {c: str(again[c]) for c in compared}
            assert list(row["alerts"]) == list(again["alerts"])


def test_a_read_past_the_horizon_moves_it_on_when_writable_and_is_refused_read_only(tmp_path) -> None:
    db = Database(tmp_path / "clinic.duckdb")
    import_sources(db, [("patients.csv", PATIENTS_CSV)], actor="test")
    horizon = db.value("store_horizon")
    assert horizon >= metric_store._today() + metric_store.HORIZON_SLACK
    later = horizon + dt.timedelta(days=40)
    metric_store.check_as_of(db, later)
    assert db.value("store_horizon") >= later
    assert db.session().cursor.execute("select max(date) from metric_day_store").fetchone()[0] >= later
    db.close()
    read_only = Database(tmp_path / "clinic.duckdb", read_only=True)
    with pytest.raises(metric_store.StoreBehind, match="open the database once for writing"):
        metric_store.check_as_of(read_only, later + dt.timedelta(days=400))
    read_only.close()


def test_a_write_whose_refresh_never_ran_is_computed_by_the_next_read(tmp_path) -> None:
    db = Database(tmp_path / "clinic.duckdb")
    import_sources(db, [("patients.csv", PATIENTS_CSV)], actor="test")
    mornings = [("P1", dt.date(2026, 11, day), score) for day, score in ((18, 6), (19, 7), (20, 8))]
    # A crash after the write committed and before its refresh: the data and the pending mark are stored.
    session = db.session()
    session.cursor.execute("begin transaction")
    session.cursor.execute("insert into metric_store_pending values ('P1')")
    for patient, day, score in mornings:
        session.cursor.execute(
            "insert into pain_entries (patient_id, date, time_of_day, pain, import_id) "
            "values (?, ?, 'morning', ?, (select max(import_id) from imports))", [patient, day, score],
        )
    session.cursor.execute("commit")
    db.close()
    read_only = Database(tmp_path / "clinic.duckdb", read_only=True)
    with pytest.raises(metric_store.StoreBehind, match="wait for a refresh after a write"):
        metrics.alert_events(read_only, ADMIN, as_of=dt.date(2026, 11, 20))
    read_only.close()
    db = Database(tmp_path / "clinic.duckdb")  # an open for writing finishes the refresh
    rules = set(metrics.alert_events(db, ADMIN, as_of=dt.date(2026, 11, 20))["rule"])
    assert "pain_above_ceiling" in rules
    assert stored_days(db) == recomputed_days(db, db.value("store_horizon"))
    db.close()


def test_events_read_stored_on_any_as_of_date_equal_those_computed_as_of_it(tmp_path) -> None:
    from dashboard.sample import write_clinic

    folder = tmp_path / "clinic"
    write_clinic(folder, patients=40, days=120, seed=5, end=LAST)
    db = Database(tmp_path / "clinic.duckdb")
    files = [folder / f"{kind}.csv" for kind in ("patients", "programme", "pain", "exercises", "activities")]
    assert import_sources(db, [(path.name, path.read_bytes()) for path in files], actor="test").ok
    cursor = db.session().cursor
    stored = "select * from metric_stored_events(?::date, null, null) order by all"
    computed = "select * from metric_events(?::date, null, null) order by all"
    going_on = set()
    for as_of in [dt.date(2026, 8, 1) + dt.timedelta(days=days) for days in range(115)]:
        events = cursor.execute(computed, [as_of]).fetchall()
        assert cursor.execute(stored, [as_of]).fetchall() == events
        going_on |= {row[1] for row in events if row[4] == as_of and row[3] < as_of}
    # A run going on on the as-of date is read from that day's row, not its last one: the case to get wrong.
    assert going_on >= {"not_logging", "pain_above_ceiling", "load_spike", "rising_streak"}, going_on


def test_a_file_an_older_version_wrote_is_refused_read_only_with_the_reason(tmp_path) -> None:
    db = Database(tmp_path / "clinic.duckdb")
    import_sources(db, [("patients.csv", PATIENTS_CSV)], actor="test")
    # As an older version left it: the stores' migrations (0090 on) not applied yet.
    cursor = db.session().cursor
    cursor.execute("drop table metric_event_store")
    cursor.execute("drop table metric_week_store")
    cursor.execute("drop table metric_open_event_store")
    cursor.execute("delete from schema_migrations where version >= 90")
    db.close()
    with pytest.raises(DatabaseError, match=r"older version .*from 0090 on.*open it once for writing"):
        Database(tmp_path / "clinic.duckdb", read_only=True)
    # Opened for writing, it is migrated, and then reads read-only.
    Database(tmp_path / "clinic.duckdb").close()
    read_only = Database(tmp_path / "clinic.duckdb", read_only=True)
    # The new stores were filled by that open: patients who log nothing are not logging.
    assert "not_logging" in set(metrics.alert_events(read_only, ADMIN, as_of=LAST)["rule"])
    read_only.close()


def test_given_most_of_a_small_clinic_touched_expect_one_clinic_wide_refresh_and_one_patient_alone(
    tmp_path, monkeypatch
) -> None:
    from dashboard.db import Session

    run: list[str] = []
    execute = Session.execute

    def recording(self, name, /, **params):
        run.append(name)
        return execute(self, name, **params)

    monkeypatch.setattr(Session, "execute", recording)
    db = Database(tmp_path / "clinic.duckdb")
    clinic = [patient_line(f"P{number:02d}", f"Patient {number}", "lea") for number in range(1, 21)]
    run.clear()
    import_sources(db, [("patients.csv", (PATIENTS_HEADER + "\n" + "\n".join(clinic) + "\n").encode())])
    # 20 patients touched in a clinic of 20 (under PER_PATIENT_LIMIT): one set of statements for the clinic.
    assert "store_insert_range" in run and "store_insert_patient" not in run
    run.clear()
    patient_settings.change_settings(db, ADMIN, "P07", dt.date(2026, 11, 1), {"pain_ceiling": 3.0})
    # One patient touched: their own statements only.
    assert run.count("store_insert_patient") == 1 and "store_insert_range" not in run
    assert stored_days(db) == recomputed_days(db, db.value("store_horizon"))
    db.close()
