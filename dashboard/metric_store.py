"""The maintained metrics (per day, per event, per finished week), computed again for the patients written to.

Every window of metric_days looks back only, so the days stored up to a horizon are the days any as-of date
up to it computes; the events stored as of the horizon hold for any as-of date but for the detail of a run
still going on it, and a finished week's review holds for any as-of date from its Sunday (docs/DEVELOPING.md).
A write declares the patients it touched (`Session.touch`); `Database.transaction` records
them as pending in the write's own transaction and refreshes them right after it commits, unless the caller
batches several writes (`Database.batched_refresh`, as an import of several files does) and refreshes once.
A read first refreshes whatever is still pending (after a crash between a write and its refresh) and moves the
horizon on if the as-of date is past it, so a read never sees days behind the data. The horizon runs a month
past today and past the latest dated source; an open for writing moves it on once today is within a week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dashboard.db import Database, Session

HORIZON_MARGIN = dt.timedelta(days=31)
# Moved on when today comes this close to it: a clinic-wide refresh about once every three weeks.
HORIZON_SLACK = dt.timedelta(days=7)
# Past this many touched patients a clinic-wide refresh costs less than one statement per patient.
PER_PATIENT_LIMIT = 24
# A patient's own statements cost about what a clinic-wide refresh spends on this many patients (their ~0.2 s
# is mostly planning; a clinic-wide refresh computes a patient in ~5 ms), and a clinic-wide refresh's own
# fixed cost is about two patients' statements: a small clinic whose import touches everyone is refreshed
# clinic-wide (0.4 s for the 24-patient sample clinic, against 4.6 s patient by patient).
PATIENTS_PER_PATIENT_REFRESH = 40
# A clinic-wide refresh computes this many patients per statement: its memory is theirs, not the clinic's.
CHUNK_PATIENTS = 1000
# The finished weeks are computed this many weeks of the whole clinic per statement.
RANGE_WEEKS = 8


class StoreBehind(ValueError):
    """A read the maintained metrics cannot answer in a database opened read-only."""


def _today() -> dt.date:
    """Return today's date (a seam for tests)."""
    return dt.date.today()


def mark_pending(session: Session, patient_ids: Iterable[str] | None) -> None:
    """Record in the caller's transaction the patients whose days must be computed again (None: everyone)."""
    if patient_ids is None:
        session.execute("store_mark_everyone_pending")
    else:
        session.execute("store_mark_pending", patient_ids=sorted(set(patient_ids)))


def _wanted_horizon(latest: dt.date | None, at_least: dt.date | None) -> dt.date:
    """Return the horizon a clinic-wide refresh sets: a month past today, the latest source day, at_least."""
    days = [_today(), latest, at_least]
    return max(day for day in days if day is not None) + HORIZON_MARGIN


def _clinic_wide_is_cheaper(touched: int, clinic_patients: int) -> bool:
    """Return whether one clinic-wide refresh costs less than refreshing the touched patients one by one."""
    return touched > PER_PATIENT_LIMIT or touched > 2 + clinic_patients / PATIENTS_PER_PATIENT_REFRESH


def _compute(
    session: Session, patient_ids: list[str] | None, at_least: dt.date | None, clinic_patients: int
) -> None:
    """Compute the stored days of these patients (None: everyone) inside the caller's transaction."""
    horizon = session.value("store_horizon")
    latest = session.value("store_latest_source_day")
    behind = horizon is None or (latest is not None and latest >= horizon) or (
        at_least is not None and at_least > horizon
    )
    if patient_ids is None or behind or _clinic_wide_is_cheaper(len(patient_ids), clinic_patients):
        if patient_ids is None or behind:
            horizon = _wanted_horizon(latest, at_least)
        session.execute("store_delete_all")
        session.execute("store_delete_all_events")
        session.execute("store_delete_all_open_events")
        session.execute("store_delete_all_weeks")
        # Set first: the events read the stored days through metric_stored_days, which checks the horizon.
        session.execute("store_set_horizon", horizon=horizon)
        for chunk in session.rows("store_patient_chunks", chunk_size=CHUNK_PATIENTS):
            session.execute("store_insert_range", horizon=horizon, **chunk)
            # The events read the days just stored, so they follow them range by range.
            session.execute("store_insert_range_events", horizon=horizon, **chunk)
            session.execute("store_insert_range_open_events", horizon=horizon, **chunk)
        # The weeks read both, a few weeks of the whole clinic at a time.
        for weeks in session.rows("store_week_ranges", horizon=horizon, range_weeks=RANGE_WEEKS):
            session.execute("store_insert_range_weeks", horizon=horizon, **weeks)
        return
    for patient_id in patient_ids:
        session.execute("store_delete_patient", patient_id=patient_id)
        session.execute("store_delete_patient_events", patient_id=patient_id)
        session.execute("store_delete_patient_open_events", patient_id=patient_id)
        session.execute("store_delete_patient_weeks", patient_id=patient_id)
        session.execute("store_insert_patient", patient_id=patient_id, horizon=horizon)
        session.execute("store_insert_patient_events", patient_id=patient_id, horizon=horizon)
        session.execute("store_insert_patient_open_events", patient_id=patient_id, horizon=horizon)
        session.execute("store_insert_patient_weeks", patient_id=patient_id, horizon=horizon)


def refresh(db: Database, *, everyone: bool = False, at_least: dt.date | None = None) -> None:
    """Compute again the days of every pending patient (or everyone), in one transaction, and clear them."""
    with db.transaction() as session:
        status = session.rows("store_status")[0]
        pending = None if (everyone or status["everyone_pending"]) else list(status["patient_ids"])
        if pending == [] and at_least is None and status["horizon"] is not None:
            return
        _compute(session, pending, at_least, status["clinic_patients"])
        session.execute("store_clear_pending")
        session.execute("store_clear_everyone_pending")


def keep_current(db: Database) -> None:
    """Fill the store, finish a refresh a crash left pending, or move the horizon on (writable databases)."""
    status = db.rows("store_status")[0]
    horizon = status["horizon"]
    if horizon is None or _today() + HORIZON_SLACK > horizon:
        refresh(db, everyone=True)
    elif status["everyone_pending"] or status["patient_ids"]:
        refresh(db)


def check_as_of(db: Database, as_of: dt.date) -> None:
    """Make sure the stored days are current and reach as_of: refreshed if writable, else refused."""
    status = db.rows_while_open("store_readiness")[0]
    horizon, pending = status["horizon"], status["pending"]
    reaches = horizon is not None and as_of <= horizon
    if reaches and not pending:
        return
    if db.read_only:
        why = "wait for a refresh after a write" if reaches else f"reach {horizon or 'no day yet'}"
        raise StoreBehind(
            f"the maintained metrics of {db.path} {why}, so they cannot answer as of {as_of}; open the "
            "database once for writing (any rehab command, or the app) to bring them up to date"
        )
    refresh(db, at_least=None if reaches else as_of)
