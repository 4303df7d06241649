"""Sign-in: a password form, or OpenID Connect when secrets.toml has [auth]; nothing renders before it."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import auth
from dashboard.access import Viewer
from dashboard.db import Database

VIEWER_KEY = "auth_viewer"
LAST_SEEN_KEY = "auth_last_seen"
NOTICE_KEY = "auth_notice"
# A clinic computer left signed in shows health data to whoever sits down next.
IDLE_LIMIT = dt.timedelta(minutes=30)


def oidc_configured() -> bool:
    """Return whether secrets.toml has an [auth] section, which switches sign-in to the identity provider."""
    try:
        return bool(st.secrets.load_if_toml_exists()) and "auth" in st.secrets
    except Exception:  # an unreadable secrets.toml is the admin's to fix; fall back to passwords, never open
        return False


def signed_in_viewer() -> Viewer | None:
    """Return the viewer this browser session signed in as, or None; no database access, no rendering."""
    viewer = st.session_state.get(VIEWER_KEY)
    return viewer if isinstance(viewer, Viewer) else None


def _sign_in(viewer: Viewer) -> None:
    """Keep the viewer for this browser session."""
    st.session_state[VIEWER_KEY] = viewer
    st.session_state[LAST_SEEN_KEY] = auth.utc_now()


def _forget(notice: str | None = None) -> None:
    """Drop everything this browser session holds, so no patient data outlives the sign-in."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _still_valid(db: Database, viewer: Viewer) -> Viewer | None:
    """Return the viewer refreshed from its account (disabled or removed accounts lose access at once)."""
    last_seen = st.session_state.get(LAST_SEEN_KEY)
    now = auth.utc_now()
    if last_seen is not None and now - last_seen > IDLE_LIMIT:
        minutes = int(IDLE_LIMIT.total_seconds() // 60)
        auth.record(db, viewer, "logout", detail=f"idle for more than {minutes} minutes")
        _forget(f"You were signed out after {minutes} minutes without activity. Sign in again.")
        return None
    fresh = auth.current_viewer(db, viewer.username)
    if fresh is None:
        _forget("This account is no longer active. Ask the clinic's admin.")
        return None
    st.session_state[VIEWER_KEY] = fresh
    st.session_state[LAST_SEEN_KEY] = now
    return fresh


def require_viewer(db: Database) -> Viewer:
    """Return the signed-in viewer; otherwise show the sign-in and stop the script before any patient data."""
    if oidc_configured():
        return _require_oidc_viewer(db)
    viewer = signed_in_viewer()
    if viewer is not None:
        viewer = _still_valid(db, viewer)
        if viewer is not None:
            return viewer
    _password_form(db)
    st.stop()
    raise AssertionError("st.stop() returned")  # st.stop raises; this keeps the return type honest


def _password_form(db: Database) -> None:
    """Show the username and password form, and sign in on a correct submission."""
    # A narrow column: under the app's wide layout a full-width form reads as an empty page.
    column = st.columns([1, 1.2, 1])[1]
    column.title("Tendon rehab")
    column.caption("Sign in to see your patients.")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        column.info(notice)
    with column.form("login", clear_on_submit=False, enter_to_submit=True):
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    outcome = auth.attempt_login(db, username, password)
    if outcome.ok:
        _forget()
        _sign_in(outcome.viewer)
        st.rerun()
    if outcome.status == "locked":
        column.error(outcome.message, icon=":material/lock:")
    elif outcome.status == "disabled":
        column.error(outcome.message, icon=":material/block:")
    else:
        column.error(outcome.message)


def _providers() -> list[str]:
    """Return the providers named in [auth] (like [auth.google]); empty when [auth] holds just one."""
    section = st.secrets["auth"]
    return [name for name, value in section.items() if hasattr(value, "keys")]


def _require_oidc_viewer(db: Database) -> Viewer:
    """Return the viewer whose provider email maps to an enabled account; else offer sign-in and stop."""
    if not st.user.get("is_logged_in", False):  # absent (as under AppTest) means signed out
        st.title("Tendon rehab")
        notice = st.session_state.pop(NOTICE_KEY, None)
        if notice:
            st.info(notice)
        providers = _providers()
        if not providers and st.button("Sign in", type="primary"):
            st.login()
        for provider in providers:
            if st.button(f"Sign in with {provider}", key=f"auth_login_{provider}"):
                st.login(provider)
        st.stop()
    email = st.user.get("email")
    viewer = signed_in_viewer()
    if viewer is not None and st.session_state.get("auth_email") == email:
        viewer = _still_valid(db, viewer)
        if viewer is not None:
            return viewer
        st.logout()
        st.stop()
    outcome = auth.viewer_for_email(db, email, email_verified=st.user.get("email_verified"))
    if not outcome.ok:
        st.title("Tendon rehab")
        st.error(outcome.message)
        if st.button("Sign out"):
            st.logout()
        st.stop()
    _forget()
    _sign_in(outcome.viewer)
    st.session_state["auth_email"] = email
    return outcome.viewer


def logout_button(db: Database | None = None, *, label: str = "Sign out") -> None:
    """Show a sign-out button: records the logout, clears the session, and leaves the identity provider."""
    viewer = signed_in_viewer()
    if not st.button(label, icon=":material/logout:", key="auth_logout"):
        return
    if db is not None and viewer is not None:
        auth.record(db, viewer, "logout")
    _forget("You are signed out.")
    if oidc_configured():
        st.logout()
    st.rerun()
