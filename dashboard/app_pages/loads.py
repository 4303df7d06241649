"""Loads and flares: over the viewer's patients, the loads most often followed by worse mornings."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import tolerance
from dashboard.app import current_viewer
from dashboard.app_pages import _phone, _shared, _tolerance
from dashboard.app_pages._text import plain

viewer = current_viewer()
today = dt.date.today()
default_from, default_to, _ = tolerance.default_range(None, None, today)

st.title("Loads and flares")
_phone.compact_rows()
whose = "every patient" if viewer.clinician_scope is None else f"{viewer.clinician_scope}'s patients"
from_col, to_col = st.columns(2)
# Kept in the address (?from=2026-09-28&to=2026-11-22), so a range can be bookmarked and shared.
dates = {"parse": dt.date.fromisoformat, "to_text": lambda day: day.isoformat() if day else None}
date_from = from_col.date_input(
    "Loading days from", max_value=today, format="YYYY-MM-DD",
    **_shared.bind_param("loads_from", "from", default_from, **dates),
)
date_to = to_col.date_input(
    "to", max_value=today, format="YYYY-MM-DD", help="The range defaults to the 8 weeks up to today",
    **_shared.bind_param("loads_to", "to", default_to, **dates),
)
if date_from > date_to:
    st.warning(f"The range ends ({date_to:%d %b %Y}) before it starts ({date_from:%d %b %Y}). Choose again.")
    st.stop()

st.caption(
    plain(
        f"Over {whose}, loading days {date_from:%d %b %Y} to {date_to:%d %b %Y}: each exercise and activity "
        "with the patients who did it, and for how many of them it was likely aggravating (their next "
        "morning at least 1.0 point worse after it than after their other loading days, with 4 or more days "
        "each side). An association in the patients' logs, not proof of cause."
    )
)
rows = _tolerance.clinic_rows(viewer, date_from, date_to)
if rows.empty:
    st.info("No loading days with both mornings logged in this range.")
    st.stop()
aggravating = rows[rows["patients_aggravated"] > 0]
if aggravating.empty:
    st.markdown("No load was likely aggravating for any patient in this range.")
else:
    top = aggravating.iloc[0]
    st.markdown(plain(
        f"Most often followed by worse mornings: {top['name']} ({top['kind']}), likely aggravating for "
        f"{int(top['patients_aggravated'])} of the {int(top['patients'])} patients who did it."
    ))
st.dataframe(
    rows,
    hide_index=True,
    width="stretch",
    placeholder="",
    key="loads_table",
    column_order=list(_tolerance.CLINIC_TABLE),
    column_config=_tolerance.CLINIC_TABLE,
)
