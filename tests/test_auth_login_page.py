"""The sign-in gate through Streamlit's AppTest: nothing below require_viewer renders before sign-in."""

from __future__ import annotations

import time

import pytest
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from dashboard import auth
from dashboard.db import close_database, open_database

PASSWORD = "correct horse battery"
SECRET_MARKER = "PATIENT DATA"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Hash with argon2's lowest costs so the suite stays fast."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("dummy password"))


def gated_app(path: str) -> None:
    """A page shaped like the app's: the gate first, then patient data, then the sign-out button."""
    import streamlit as st

    from dashboard.app_pages.login import logout_button, require_viewer
    from dashboard.db import open_database

    db = open_database(path)
    viewer = require_viewer(db)
    st.write(f"PATIENT DATA for {viewer.username} scoped to {viewer.clinician_scope}")
    logout_button(db)


@pytest.fixture
def db_path(tmp_path):
    """Return a database path holding one clinician and one disabled account."""
    path = tmp_path / "clinic.duckdb"
    db = open_database(path)
    auth.add_user(db, "lea", PASSWORD, "clinician", clinician="Léa Moreau")
    auth.add_user(db, "gone", PASSWORD, "clinician")
    auth.set_disabled(db, "gone")
    yield str(path)
    close_database(path)


def _page_text(app: AppTest) -> str:
    """Return all the markdown the page shows."""
    return "\n".join(str(element.value) for element in app.markdown)


def _sign_in(app: AppTest, username: str, password: str) -> AppTest:
    """Fill in and submit the sign-in form."""
    app.text_input[0].input(username)
    app.text_input[1].input(password)
    return app.button[0].click().run()


def _app(db_path: str) -> AppTest:
    return AppTest.from_function(gated_app, args=(db_path,), default_timeout=30).run()


def test_nothing_renders_before_sign_in(db_path):
    app = _app(db_path)
    assert not app.exception
    assert SECRET_MARKER not in _page_text(app)
    assert [field.label for field in app.text_input] == ["Username", "Password"]


def test_wrong_password_shows_a_message_and_no_data(db_path):
    app = _sign_in(_app(db_path), "lea", "not the password")
    assert [error.value for error in app.error] == [auth.WRONG_CREDENTIALS]
    assert SECRET_MARKER not in _page_text(app)


def test_correct_password_shows_the_scoped_page_until_sign_out(db_path):
    app = _sign_in(_app(db_path), "lea", PASSWORD)
    assert not app.exception
    assert "PATIENT DATA for lea scoped to Léa Moreau" in _page_text(app)
    app.run()  # a later interaction keeps the session
    assert SECRET_MARKER in _page_text(app)
    app.button(key="auth_logout").click().run()
    assert SECRET_MARKER not in _page_text(app)
    assert "signed out" in app.info[0].value
    actions = [(row["actor"], row["action"]) for row in auth.audit_rows(open_database(db_path))
               if row["actor"] == "lea"]
    assert actions == [("lea", "login"), ("lea", "logout")]


def test_disabled_account_is_told_so(db_path):
    app = _sign_in(_app(db_path), "gone", PASSWORD)
    assert "disabled" in app.error[0].value
    assert SECRET_MARKER not in _page_text(app)


def test_locked_account_is_told_so(db_path):
    app = _app(db_path)
    for _ in range(auth.MAX_FAILED_LOGINS):
        app = _sign_in(app, "lea", "not the password")
    assert "locked" in app.error[0].value
    app = _sign_in(app, "lea", PASSWORD)
    assert "locked" in app.error[0].value
    assert SECRET_MARKER not in _page_text(app)


def test_disabling_an_account_ends_its_open_session(db_path):
    app = _sign_in(_app(db_path), "lea", PASSWORD)
    assert SECRET_MARKER in _page_text(app)
    auth.set_disabled(open_database(db_path), "lea")
    app.run()
    assert SECRET_MARKER not in _page_text(app)
    assert "no longer active" in app.info[0].value


def test_idle_session_is_signed_out(db_path, monkeypatch):
    monkeypatch.setenv("REHAB_IDLE_LIMIT", "1s")  # the server-side session table holds the last use
    app = _sign_in(_app(db_path), "lea", PASSWORD)
    assert SECRET_MARKER in _page_text(app)
    time.sleep(1.2)
    app.run()
    assert SECRET_MARKER not in _page_text(app)
    assert "after 1 second without activity" in app.info[0].value


def test_changing_the_password_ends_the_open_session(db_path):
    app = _sign_in(_app(db_path), "lea", PASSWORD)
    auth.set_password(open_database(db_path), "lea", "another passphrase")
    app.run()
    assert SECRET_MARKER not in _page_text(app)
    assert "password of this account was changed" in app.info[0].value


def test_oidc_mode_offers_the_provider_and_no_password_form(db_path):
    app = AppTest.from_function(gated_app, args=(db_path,), default_timeout=30)
    app.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-only-not-a-secret",
        "client_id": "dashboard",
        "client_secret": "test-only-not-a-secret",
        "server_metadata_url": "https://id.example/.well-known/openid-configuration",
    }
    app.run()
    assert not app.exception
    assert SECRET_MARKER not in _page_text(app)
    assert not app.text_input
    assert [button.label for button in app.button] == ["Sign in"]
