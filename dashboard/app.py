"""The clinician dashboard: `streamlit run dashboard/app.py`; pages live in dashboard/app_pages/."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from urllib.parse import urlparse

import streamlit as st

from dashboard.access import Viewer
from dashboard.db import DB_ENV_VAR, Database, open_database, resolve_db_path

PAGES_DIR = Path(__file__).resolve().parent / "app_pages"
# Served from the app's own origin: a :material/...: page icon makes the browser fetch it from a font host.
PAGE_ICON = Path(__file__).resolve().parent / "icons" / "app.svg"

# One entry per page: file, title, url path (the first is the default page), icon.
PAGES = {
    "review": ("review.py", "Weekly review", "review", ":material/checklist:"),
    "patient": ("patient.py", "Patient detail", "patient", ":material/monitoring:"),
    "alerts": ("alerts.py", "Alerts inbox", "alerts", ":material/notifications:"),
    "loads": ("loads.py", "Loads and flares", "loads", ":material/fitness_center:"),
    "log_entry": ("log_entry.py", "Log entry", "log-entry", ":material/edit_note:"),
    "settings": ("settings.py", "Patient settings", "settings", ":material/tune:"),
    "import": ("import_logs.py", "Import logs", "import", ":material/upload_file:"),
    "accounts": ("accounts.py", "Accounts", "accounts", ":material/manage_accounts:"),
    "audit_trail": ("audit_trail.py", "Audit trail", "audit-trail", ":material/history:"),
}
# The importer is not scoped to a clinician's patients, so only admins may import; accounts and the audit
# trail are the admin's.
ADMIN_ONLY = {"import", "accounts", "audit_trail"}
ADMIN_PAGES = ("accounts", "audit_trail")
# Cleared whenever another page runs, so coming back to a patient records a new view.
VIEWED_KEY = "audit_viewed_patient"
# The page a signed-out browser asked for, kept in the address so the sign-in can lead there.
NEXT_PARAM = "next"


def current_viewer() -> Viewer:
    """Return the signed-in viewer; main() has already asked for sign-in, so a page never runs without one."""
    viewer = signed_in_viewer()
    if viewer is None:
        st.stop()
    return viewer


def signed_in_viewer() -> Viewer | None:
    """Return the viewer this browser session signed in as, or None."""
    from dashboard.app_pages.login import signed_in_viewer as signed_in

    return signed_in()


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


def record_patient_view(viewer: Viewer, patient_id: str, page: str, detail: str | None = None) -> None:
    """Audit that the viewer saw a patient's data on a page: once per patient while they stay on it."""
    from dashboard import auth

    if st.session_state.get(VIEWED_KEY) == (page, patient_id):
        return
    auth.record(database(), viewer, "patient_view", patient_id=patient_id, detail=detail)
    st.session_state[VIEWED_KEY] = (page, patient_id)


def _remember_requested_page() -> None:
    """Before sign-in, note in the address which page the link named (navigation has not run yet)."""
    segment = urlparse(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1]
    by_url = {url_path: name for name, (_, _, url_path, _) in PAGES.items()}
    if by_url.get(segment, "review") != "review":
        st.query_params[NEXT_PARAM] = by_url[segment]


def _go_to_requested_page(pages: dict[str, st.Page]) -> None:
    """After sign-in, open the page the link named, with its other query parameters."""
    wanted = st.query_params.get(NEXT_PARAM)
    if wanted is None:
        return
    del st.query_params[NEXT_PARAM]
    if wanted in pages:  # only known pages the viewer may open: never a redirect elsewhere
        st.switch_page(pages[wanted], query_params=st.query_params.to_dict())


def main() -> None:
    """Configure the app, ask for sign-in, then run the page the URL asks for."""
    from dashboard.app_pages._phone import close_sidebar_after_navigation
    from dashboard.app_pages.login import logout_button, require_viewer

    st.set_page_config(page_title="Tendon rehab", page_icon=PAGE_ICON, layout="wide")
    # The tables' own CSV download and copy would be exports the audit trail never sees; the report
    # downloads, which are audited, are the way out.
    st.set_option("client.disableDataExport", True)
    # Nothing below runs, no page, no navigation, no query, until someone has signed in.
    viewer = require_viewer(database(), before_sign_in=_remember_requested_page)
    shown = {
        name: entry for name, entry in PAGES.items() if viewer.role == "admin" or name not in ADMIN_ONLY
    }
    pages = {
        name: st.Page(PAGES_DIR / file, title=title, url_path=url_path, icon=icon, default=(name == "review"))
        for name, (file, title, url_path, icon) in shown.items()
    }
    clinic_pages = ("review", "patient", "alerts", "loads")
    clinic = [pages[name] for name in clinic_pages]
    record = [page for name, page in pages.items() if name not in clinic_pages + ADMIN_PAGES]
    admin = [pages[name] for name in ADMIN_PAGES if name in pages]
    navigation = st.navigation({"Clinic": clinic, "Record": record} | ({"Admin": admin} if admin else {}))
    _go_to_requested_page(pages)
    viewed = st.session_state.get(VIEWED_KEY)
    if viewed and PAGES[viewed[0]][2] != navigation.url_path:
        st.session_state.pop(VIEWED_KEY)
    reach = "every patient" if viewer.clinician_scope is None else f"{viewer.clinician_scope}'s patients"
    with st.sidebar:
        st.caption(f"Signed in as **{viewer.username}** ({reach}) · {resolve_db_path().name}")
        logout_button(database())
        close_sidebar_after_navigation()  # on a phone the open sidebar covers the page just chosen
    navigation.run()


# What the sign-in page and the weekly review import on their first run (with them pandas, pyarrow, Altair
# and argon2). Streamlit imports them only when a visitor arrives, so without a warm-up the first clinician
# after a restart waits for them. (Not the pages' own modules: their cache decorators warn outside
# Streamlit's runtime, and they import quickly.)
WARM_MODULES = (
    "dashboard.auth", "dashboard.metrics", "dashboard.charts", "dashboard.triage", "dashboard.vocabulary",
)


def _warm_database(db: Database) -> None:
    """Run the review page's queries once, so DuckDB has read the recent weeks before the first visit."""
    import datetime as dt

    from dashboard import metrics
    from dashboard.weeks import last_complete_week

    today = dt.date.today()
    everyone = Viewer("rehab serve", "admin")
    metrics.weekly_review(db, everyone, last_complete_week(today))
    metrics.recent_morning_pain(db, everyone, today)


def serve(
    db_arg: str | None, *, port: int, address: str | None, streamlit_config: dict[str, object],
    idle_limit: str | None = None,
) -> int:
    """Open the database and import the first pages' modules, then run the Streamlit server here.

    The server is Streamlit's ASGI app (st.App) with the two session-cookie routes mounted beside it.
    """
    from dashboard import session_routes, sessions

    if not hasattr(st, "App"):
        raise SystemExit(f"rehab serve needs Streamlit's st.App (1.53 or later); this is {st.__version__}")
    path = resolve_db_path(db_arg).resolve()
    # The app finds its database (and its idle limit) through these variables: the server reads the same.
    os.environ[DB_ENV_VAR] = str(path)
    if idle_limit is not None:
        os.environ[sessions.IDLE_LIMIT_ENV_VAR] = idle_limit
    # This process's one connection, migrated now; the app's cache_resource gets the same object.
    database = open_database(path)
    try:
        if idle_limit is not None:
            sessions.parse_duration(idle_limit, name="--idle-limit")
        limit = sessions.idle_limit()  # a bad setting stops the server here, not at the first sign-in
        sessions.signing_key(database.path)  # made beside the database now, owner-only, if it is new
    except (ValueError, sessions.SessionKeyError) as error:
        raise SystemExit(f"rehab serve: {error}") from None
    for module in WARM_MODULES:
        importlib.import_module(module)
    _warm_database(database)
    print(f"rehab: serving {path} on port {port}; sessions end after {sessions.describe_duration(limit)} "
          "without activity", flush=True)
    config = {"server.port": port, **({"server.address": address} if address else {}), **streamlit_config}
    st.App(Path(__file__).resolve(), routes=session_routes.routes()).run(config=config)
    return 0


if __name__ == "__main__":
    main()
