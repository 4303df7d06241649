"""Audit trail (admins only): who did what, in words, filtered and paged, with an audited CSV export."""

from __future__ import annotations

import datetime as dt
import math

import streamlit as st

from dashboard import audit_words, auth
from dashboard.app import current_viewer, database
from dashboard.app_pages._shared import _while_active
from dashboard.app_pages._text import plain

PAGE_SIZE = 50
ANY = "(any)"

viewer = current_viewer()
st.title("Audit trail")
if viewer.role != "admin":
    # The navigation hides this page from clinicians; this guards a direct run all the same.
    st.error("Only an admin can read the audit trail.")
    st.stop()
db = database()
st.caption("Every sign-in, patient view, export, acknowledgement, settings or account change and import, "
           "newest first. Days are UTC.")

who, patient_col, action_col = st.columns(3)
user = who.selectbox("User", [ANY, *audit_words.actors(db)], key="audit_user")
patient_id = patient_col.text_input("Patient id", key="audit_patient").strip()
action = action_col.selectbox("Action", [ANY, *auth.AUDIT_ACTIONS], key="audit_action")
since, until = st.columns(2)
date_from = since.date_input("From", value=None, key="audit_from", format="YYYY-MM-DD")
date_to = until.date_input("To", value=None, key="audit_to", format="YYYY-MM-DD")
chosen = audit_words.AuditFilter(
    user=None if user == ANY else user,
    patient_id=patient_id or None,
    action=None if action == ANY else action,
    date_from=date_from if isinstance(date_from, dt.date) else None,
    date_to=date_to if isinstance(date_to, dt.date) else None,
)

total = audit_words.entry_count(db, chosen)
pages = max(1, math.ceil(total / PAGE_SIZE))
page = int(st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, value=1, step=1,
                           key="audit_page"))
shown = audit_words.entries(db, chosen, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
first = (page - 1) * PAGE_SIZE + 1 if total else 0
st.caption(plain(f"Entries {first} to {first + len(shown) - 1 if total else 0} of {total} "
                 f"({chosen.describe()})."))
# Dataframe cells are plain text: names and details show as written.
st.dataframe(
    shown[["occurred_at", "entry", "actor", "action", "patient_id", "detail"]],
    key="audit_table",
    hide_index=True,
    column_config={
        "occurred_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "entry": "Entry", "actor": "User", "action": "Action", "patient_id": "Patient", "detail": "Detail",
    },
)

st.download_button(
    "Download these entries (CSV)",
    # Built and audited on click, like the reports.
    data=_while_active(lambda: audit_words.export_csv(db, viewer, chosen)),
    file_name="audit-trail.csv",
    mime="text/csv",
    key="audit_download",
    on_click="ignore",
    icon=":material/download:",
)
