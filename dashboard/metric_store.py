"""The maintained per-day metrics (metric_day_store): refreshed inside each write for the patients it touched.

Every window of metric_days looks back only, so the days stored up to a horizon are the days any as-of date up
to it computes. A write declares the patients it touched (`Session.touch`); `Database.transaction` refreshes
their rows just before it commits, so the store and the data change together or not at all. The horizon runs a
month past today and past the latest dated source; an open for writing moves it on once it is within a week.
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
# Past this many touched patients one clinic-wide statement costs less than one statement per patient.
PER_PATIENT_LIMIT = 24


class StoreBehind(ValueError):
    """An as-of date past the maintained metrics' horizon in a database opened read-only."""


def _today() -> dt.date:
    """Return today's date (a seam for tests)."""
    return dt.date.today()


def wanted_horizon(session: Session, at_least: dt.date | None = None) -> dt.date:
    """Return the horizon a clinic-wide refresh sets: a month past today, the latest source day, at_least."""
    latest = session.value("store_latest_source_day")
    days = [_today(), latest, at_least]
    return max(day for day in days if day is not None) + HORIZON_MARGIN


def refresh(session: Session, patient_ids: Iterable[str] | None, at_least: dt.date | None = None) -> None:
    """Recompute the stored days of these patients (None: everyone), inside the caller's transaction."""
    horizon = session.value("store_horizon")
    latest = session.value("store_latest_source_day")
    ids = None if patient_ids is None else sorted(set(patient_ids))
    behind = horizon is None or (latest is not None and latest >= horizon) or (
        at_least is not None and at_least > horizon
    )
    if ids is None or behind or len(ids) > PER_PATIENT_LIMIT:
        horizon = wanted_horizon(session, at_least) if (ids is None or behind) else horizon
        session.execute("store_delete_all")
        session.execute("store_insert_all", horizon=horizon)
        session.execute("store_set_horizon", horizon=horizon)
        return
    for patient_id in ids:
        session.execute("store_delete_patient", patient_id=patient_id)
        session.execute("store_insert_patient", patient_id=patient_id, horizon=horizon)


def keep_current(db: Database) -> None:
    """Fill the store, or move its horizon on, when today is within a week of it (databases open to write)."""
    horizon = db.value("store_horizon")
    if horizon is not None and _today() + HORIZON_SLACK <= horizon:
        return
    with db.transaction() as session:
        refresh(session, None)


def check_as_of(db: Database, as_of: dt.date) -> None:
    """Make sure the stored days reach as_of: move the horizon on if the database is writable, else refuse."""
    horizon = db.value("store_horizon")
    if horizon is not None and as_of <= horizon:
        return
    if db.read_only:
        raise StoreBehind(
            f"the maintained metrics of {db.path} reach {horizon or 'no day yet'}, before the as-of date "
            f"{as_of}; open the database once for writing (any rehab command, or the app) to bring them on"
        )
    with db.transaction() as session:
        refresh(session, None, at_least=as_of)
