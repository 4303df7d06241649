"""Sign-in: a password form, or OpenID Connect when secrets.toml has [auth]; nothing renders before it.

A password sign-in starts a server-side session (dashboard/sessions.py). The tab keeps the session in
st.session_state; the browser keeps it in a signed HttpOnly cookie, fetched from a route beside the app
(dashboard/session_routes.py), so a reload or a second tab carries on. Every run checks the session table.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st

from dashboard import auth, session_routes, sessions
from dashboard.access import Viewer
from dashboard.db import Database

VIEWER_KEY = "auth_viewer"
SESSION_KEY = "auth_session"
LAST_SEEN_KEY = "auth_last_seen"
NOTICE_KEY = "auth_notice"
# The one-time token of a sign-in whose cookie the browser has yet to fetch.
HANDOFF_KEY = "auth_cookie_handoff"
# Set at sign-out: the next run asks the browser to drop its cookie.
CLEAR_COOKIE_KEY = "auth_clear_cookie"
# The account that signed in with a one-time password and must choose its own before a session starts.
MUST_CHANGE_KEY = "auth_must_change"
# The session this tab's own cookie named when it was refused, so it is not checked (and announced) again.
REFUSED_COOKIE_KEY = "auth_refused_cookie"

# Marks the invisible element that makes the browser call a session route.
_ROUTE_CALL = "data-rehab-session-route"
ENDED_NOTICES = {
    sessions.SIGNED_OUT: "You were signed out (here or in another tab). Sign in again.",
    sessions.PASSWORD_CHANGED: "The password of this account was changed, which signed it out everywhere. "
    "Sign in with the new password.",
    sessions.ACCOUNT_DISABLED: "This account is no longer active. Ask the clinic's admin.",
}


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


def _sign_in(viewer: Viewer, session_hash: str | None = None) -> None:
    """Keep the viewer (and the server-side session that vouches for it) for this browser tab."""
    st.session_state[VIEWER_KEY] = viewer
    st.session_state[LAST_SEEN_KEY] = auth.utc_now()
    if session_hash is not None:
        st.session_state[SESSION_KEY] = session_hash


def _forget(notice: str | None = None) -> None:
    """Drop everything this browser session holds, so no patient data outlives the sign-in."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _idle_notice() -> str:
    """Return what a tab signed out for inactivity says."""
    return (f"You were signed out after {sessions.describe_duration(sessions.idle_limit())} without "
            "activity. Sign in again.")


def _still_valid(db: Database, viewer: Viewer) -> Viewer | None:
    """Return an OIDC viewer refreshed from its account (disabled or removed accounts lose access at once)."""
    last_seen = st.session_state.get(LAST_SEEN_KEY)
    now = auth.utc_now()
    limit = sessions.idle_limit()
    if last_seen is not None and now - last_seen > limit:
        auth.record(db, viewer, "logout", detail=f"idle for more than {sessions.describe_duration(limit)}")
        _forget(_idle_notice())
        return None
    fresh = auth.current_viewer(db, viewer.username)
    if fresh is None:
        _forget(ENDED_NOTICES[sessions.ACCOUNT_DISABLED])
        return None
    st.session_state[VIEWER_KEY] = fresh
    st.session_state[LAST_SEEN_KEY] = now
    return fresh


def _cookie_session(db: Database) -> str | None:
    """Return the session the browser's cookie names, when it is signed with this database's key."""
    key = sessions.signing_key(db.path)
    session_hash = sessions.session_hash_from_cookie(key, st.context.cookies.get(sessions.COOKIE_NAME))
    if session_hash is None or session_hash == st.session_state.get(REFUSED_COOKIE_KEY):
        return None
    return session_hash


def _resume(db: Database) -> sessions.SessionCheck | None:
    """Return the check of this tab's session, or of the browser's cookie; None when neither may go on."""
    session_hash = st.session_state.get(SESSION_KEY)
    if session_hash is None:
        session_hash = _cookie_session(db)
        if session_hash is None:
            return None
    result = sessions.check(db, session_hash, limit=sessions.idle_limit())
    if result.viewer is None:
        notice = _idle_notice() if result.reason == sessions.IDLE else ENDED_NOTICES.get(result.reason)
        _forget(notice)
        # The tab's cookie may name this same session: say so once, not on every run from now on.
        st.session_state[REFUSED_COOKIE_KEY] = session_hash
        return None
    _sign_in(result.viewer, session_hash)
    return result


def _send_to_route(container, path: str, body: dict[str, str] | None = None) -> None:
    """Have the browser POST to a session route: the only way to set or clear an HttpOnly cookie."""
    request = {"method": "POST", "credentials": "same-origin", "cache": "no-store"}
    if body is not None:
        request |= {"headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}
    # json.dumps writes JavaScript literals; the values are this module's own paths and random tokens.
    script = f"<script>fetch({json.dumps(path)}, {json.dumps(request)});</script>"
    # The element shows nothing; hidden, it takes no gap in the column either, so nothing on the page moves.
    hide = f"<style>[data-testid='stElementContainer']:has([{_ROUTE_CALL}]) {{display: none}}</style>"
    container.html(f"<span {_ROUTE_CALL}></span>{hide}{script}", unsafe_allow_javascript=True)


def require_viewer(db: Database, *, before_sign_in: Callable[[], None] | None = None) -> Viewer:
    """Return the signed-in viewer; otherwise show the sign-in and stop the script before any patient data.

    before_sign_in runs just before the form is shown (the app notes there which page a link asked for).
    """
    if oidc_configured():
        return _require_oidc_viewer(db)
    clear_cookie = st.session_state.pop(CLEAR_COOKIE_KEY, False)
    result = _resume(db)
    if result is not None:
        # Asked for on every run until the cookie is fetched: a run cut short (st.switch_page to the page a
        # link named) may never show the element that asks.
        if result.cookie_pending and HANDOFF_KEY in st.session_state:
            _send_to_route(st.sidebar, session_routes.START_PATH, {"token": st.session_state[HANDOFF_KEY]})
        else:
            st.session_state.pop(HANDOFF_KEY, None)
        return result.viewer
    if before_sign_in is not None:
        before_sign_in()
    _password_form(db)
    if clear_cookie:
        _send_to_route(st, session_routes.END_PATH)
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
    if MUST_CHANGE_KEY in st.session_state:
        _choose_password_form(db, column, st.session_state[MUST_CHANGE_KEY])
        return
    with column.form("login", clear_on_submit=False, enter_to_submit=True):
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    outcome = auth.attempt_login(db, username, password)
    if outcome.ok and auth.must_change_password(db, outcome.viewer.username):
        _forget()
        st.session_state[MUST_CHANGE_KEY] = outcome.viewer
        st.rerun()
    if outcome.ok:
        _forget()
        started = sessions.start(db, outcome.viewer.username, sessions.signing_key(db.path))
        _sign_in(outcome.viewer, started.session_hash)
        if session_routes.mounted():
            st.session_state[HANDOFF_KEY] = started.handoff_token
        st.rerun()
    if outcome.status == "locked":
        column.error(outcome.message, icon=":material/lock:")
    elif outcome.status == "disabled":
        column.error(outcome.message, icon=":material/block:")
    else:
        column.error(outcome.message)


def _choose_password_form(db: Database, column, viewer: Viewer) -> None:
    """After a one-time password, ask for the person's own; the session starts only once it is set."""
    from dashboard import accounts
    from dashboard.app_pages._text import plain

    column.info(f"Signed in as {plain(viewer.username)} with a one-time password. Choose your own to go on.")
    with column.form("choose_password", clear_on_submit=True, enter_to_submit=True):
        new = st.text_input("New password", type="password", autocomplete="new-password")
        repeated = st.text_input("Repeat the new password", type="password", autocomplete="new-password")
        submitted = st.form_submit_button("Set password", type="primary")
    if not submitted:
        return
    try:
        accounts.choose_own_password(db, viewer.username, new, repeated)
    except auth.AccountError as error:
        column.error(plain(f"Not changed: {error}."))
        return
    fresh = auth.current_viewer(db, viewer.username)
    _forget()
    if fresh is None:
        st.session_state[NOTICE_KEY] = ENDED_NOTICES[sessions.ACCOUNT_DISABLED]
        st.rerun()
    started = sessions.start(db, fresh.username, sessions.signing_key(db.path))
    _sign_in(fresh, started.session_hash)
    if session_routes.mounted():
        st.session_state[HANDOFF_KEY] = started.handoff_token
    st.rerun()


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
    """Show a sign-out button: end the session in every tab, clear the cookie, leave the provider."""
    viewer = signed_in_viewer()
    if not st.button(label, icon=":material/logout:", key="auth_logout"):
        return
    session_hash = st.session_state.get(SESSION_KEY)
    if db is not None and session_hash is not None:
        sessions.end(db, session_hash, sessions.SIGNED_OUT)  # every tab on this session, audited as a logout
    elif db is not None and viewer is not None:
        auth.record(db, viewer, "logout")
    _forget("You are signed out.")
    if session_hash is not None:
        st.session_state[REFUSED_COOKIE_KEY] = session_hash
    if session_routes.mounted():
        st.session_state[CLEAR_COOKIE_KEY] = True
    if oidc_configured():
        st.logout()
    st.rerun()
