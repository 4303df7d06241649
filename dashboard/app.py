"""The clinician dashboard: `streamlit run dashboard/app.py`; pages live in dashboard/app_pages/."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.access import Viewer
from dashboard.db import Database, open_database, resolve_db_path

PAGES_DIR = Path(__file__).resolve().parent / "app_pages"

# One entry per page: file, title, url path (the first is the default page), icon.
PAGES = {
    "review": ("review.py", "Weekly review", "review", ":material/checklist:"),
    "patient": ("patient.py", "Patient detail", "patient", ":material/monitoring:"),
    "alerts": ("alerts.py", "Alerts inbox", "alerts", ":material/notifications:"),
    "log_entry": ("log_entry.py", "Log entry", "log-entry", ":material/edit_note:"),
    "settings": ("settings.py", "Patient settings", "settings", ":material/tune:"),
    "import": ("import_logs.py", "Import logs", "import", ":material/upload_file:"),
}


def current_viewer() -> Viewer:
    """Return who is looking; the one place login will replace (until then the admin, who sees everyone)."""
    return Viewer.system()


@st.cache_resource(show_spinner=False)
def _database(path: str) -> Database:
    """Return this process's one connection to the database file at path."""
    return open_database(path)


def database() -> Database:
    """Return the clinic database named by $REHAB_DB, else data/clinic.duckdb."""
    return _database(str(resolve_db_path().resolve()))


def data_changed() -> None:
    """Forget every cached query result after a write (import, log entry, settings, acknowledgement)."""
    st.cache_data.clear()


def page_path(name: str) -> Path:
    """Return the file of a page, for st.switch_page and st.page_link."""
    return PAGES_DIR / PAGES[name][0]


def main() -> None:
    """Configure the app and run the page the URL asks for."""
    st.set_page_config(page_title="Tendon rehab", page_icon=":material/healing:", layout="wide")
    pages = [
        st.Page(PAGES_DIR / file, title=title, url_path=url_path, icon=icon, default=(name == "review"))
        for name, (file, title, url_path, icon) in PAGES.items()
    ]
    navigation = st.navigation({"Clinic": pages[:3], "Record": pages[3:]})
    viewer = current_viewer()
    reach = "every patient" if viewer.clinician_scope is None else f"{viewer.clinician_scope}'s patients"
    st.sidebar.caption(f"Signed in as **{viewer.username}** ({reach}) · {resolve_db_path().name}")
    navigation.run()


if __name__ == "__main__":
    main()
