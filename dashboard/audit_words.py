"""The audit trail in words ("Sam Patel viewed P010's patient page"), for the Audit trail page and its CSV."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from dashboard import auth
from dashboard.access import Viewer
from dashboard.db import Database

# The CSV's columns, in order: when, who, what in words, then the raw fields the words came from.
CSV_COLUMNS = ("occurred_at", "actor", "entry", "action", "patient_id", "detail")


def _text(column: pd.Series) -> pd.Series:
    """Return a column as text, blank where it is missing."""
    return column.astype(object).where(column.notna(), "").astype(str)


def in_words(frame: pd.DataFrame) -> pd.Series:
    """Return each audit entry (actor, actor_name, action, patient_id, detail columns) as one sentence."""
    if frame.empty:
        return pd.Series([], index=frame.index, dtype=object)
    actor = _text(frame["actor"])
    names = _text(frame["actor_name"]) if "actor_name" in frame else actor.where(False, "")
    who = names.where(names != "", actor)
    patient = _text(frame["patient_id"])
    detail = _text(frame["detail"])
    action = _text(frame["action"])
    # "patient page, 2026-10-01 to 2026-11-22" names the page first; the dates follow in the detail.
    page = detail.str.split(",", n=1).str[0].str.strip().where(detail != "", "a page")
    about = (" about " + patient).where(patient != "", "")
    said = (": " + detail).where(detail != "", "")
    choices = {
        "login": who + " signed in" + (" (" + detail + ")").where(detail != "", ""),
        "failed_login": "A sign-in as " + actor + " failed" + said,
        "logout": who + " signed out" + (" (" + detail + ")").where(detail != "", ""),
        "patient_view": who + " viewed " + patient + "'s " + page,
        "export": who + " exported " + detail.where(detail != "", "data") + about,
        "acknowledge": who + " acknowledged an alert" + (" for " + patient).where(patient != "", "") + said,
        # Account changes read as verbs already ("disabled account sam"); a patient's settings say whose.
        "settings_change": (who + " changed " + patient + "'s settings" + said).where(
            patient != "", who + " " + detail.where(detail != "", "changed a setting")
        ),
        "import": who + " imported" + (" " + detail).where(detail != "", " a file"),
    }
    fallback = who + " did " + action + about + said
    words = np.select([action == name for name in choices], list(choices.values()), default=fallback)
    return pd.Series(words, index=frame.index, dtype=object)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Return audit entries as CSV with their sentences, written by Arrow."""
    out = frame.assign(entry=in_words(frame))[list(CSV_COLUMNS)]
    table = pa.Table.from_pandas(out, preserve_index=False)
    buffer = io.BytesIO()
    pa_csv.write_csv(table, buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class AuditFilter:
    """Which audit entries to show: each field None for any."""

    user: str | None = None
    patient_id: str | None = None
    action: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def params(self) -> dict[str, object]:
        """Return the filter as the audit queries' parameters."""
        return {"actor": self.user, "patient_id": self.patient_id, "action": self.action,
                "date_from": self.date_from, "date_to": self.date_to}

    def describe(self) -> str:
        """Return the filter in words, for the export's audit entry."""
        said = [f"{name} {value}" for name, value in (
            ("user", self.user), ("patient", self.patient_id), ("action", self.action),
            ("from", self.date_from), ("to", self.date_to)) if value is not None]
        return ", ".join(said) or "no filter"


def entry_count(db: Database, chosen: AuditFilter) -> int:
    """Return how many audit entries the filter matches."""
    return int(db.value("audit_page_count", **chosen.params()))


def entries(db: Database, chosen: AuditFilter, *, limit: int, offset: int = 0) -> pd.DataFrame:
    """Return one page of matching audit entries, newest first, with each one's sentence."""
    frame = db.frame("audit_page", **chosen.params(), limit=limit, offset=offset)
    return frame.assign(entry=in_words(frame))


def actors(db: Database) -> list[str]:
    """Return every actor the audit trail names."""
    return [row["actor"] for row in db.rows("audit_actors")]


def export_csv(db: Database, viewer: Viewer, chosen: AuditFilter) -> bytes:
    """Return every matching entry as CSV, and audit the export."""
    total = entry_count(db, chosen)
    frame = db.frame("audit_page", **chosen.params(), limit=total, offset=0)
    data = csv_bytes(frame)
    auth.record(db, viewer, "export", detail=f"audit trail CSV, {total} entries ({chosen.describe()})")
    return data
