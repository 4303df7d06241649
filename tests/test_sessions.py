"""Given sign-in sessions on a real database, expect them to last until signed out, idle or account changes.

The cookie routes are driven over ASGI (what uvicorn hands them), with the headers a browser sends.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import stat
from http.cookies import SimpleCookie

import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette

from dashboard import auth, session_routes, sessions
from dashboard.db import DB_ENV_VAR, Database, close_database, open_database

PASSWORD = "correct horse battery"
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
LIMIT = dt.timedelta(hours=8)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Hash with argon2's lowest costs so the suite stays fast."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("dummy password"))


@pytest.fixture
def clinic(db: Database) -> Database:
    """Return a database with two clinician accounts."""
    auth.add_user(db, "lea", PASSWORD, "clinician", clinician="Léa Moreau")
    auth.add_user(db, "tom", PASSWORD, "clinician", clinician="Tom Becker")
    return db


@pytest.fixture
def key(clinic: Database) -> bytes:
    """Return the clinic's cookie signing key (made on first use)."""
    sessions.signing_key.cache_clear()
    return sessions.signing_key(clinic.path)


def _signed_in(db: Database, key: bytes, username: str = "lea", now: dt.datetime = T0) -> str:
    """Start a session and return its hash."""
    return sessions.start(db, username, key, now=now).session_hash


def _logouts(db: Database, username: str) -> list[str | None]:
    """Return the details of an account's logout audit rows, oldest first."""
    return [row["detail"] for row in auth.audit_rows(db, user=username) if row["action"] == "logout"]


# ---- the session's life ------------------------------------------------------------------------------------


def test_given_a_new_session_expect_its_viewer_with_the_account_as_stored(clinic, key):
    session_hash = _signed_in(clinic, key)
    result = sessions.check(clinic, session_hash, limit=LIMIT, now=T0 + dt.timedelta(minutes=5))
    assert result.reason == sessions.OK
    assert (result.viewer.username, result.viewer.clinician_scope) == ("lea", "Léa Moreau")


def test_given_an_unknown_session_expect_it_refused(clinic, key):
    result = sessions.check(clinic, "f" * 64, limit=LIMIT, now=T0)
    assert (result.viewer, result.reason) == (None, sessions.UNKNOWN)


def test_given_a_sign_out_expect_the_session_refused_everywhere_and_one_logout_audited(clinic, key):
    session_hash = _signed_in(clinic, key)
    assert sessions.end(clinic, session_hash, sessions.SIGNED_OUT, now=T0 + dt.timedelta(minutes=1))
    assert not sessions.end(clinic, session_hash, sessions.SIGNED_OUT)  # the second tab's sign-out
    result = sessions.check(clinic, session_hash, limit=LIMIT, now=T0 + dt.timedelta(minutes=2))
    assert (result.viewer, result.reason) == (None, sessions.SIGNED_OUT)
    assert _logouts(clinic, "lea") == [None]


def test_given_use_within_the_idle_limit_expect_the_limit_to_count_from_the_last_use(clinic, key):
    session_hash = _signed_in(clinic, key)
    for hours in (7, 14, 21):  # each use comes before the limit, which restarts
        result = sessions.check(clinic, session_hash, limit=LIMIT, now=T0 + dt.timedelta(hours=hours))
        assert result.reason == sessions.OK, hours


def test_given_a_session_idle_past_the_limit_expect_it_ended_and_audited(clinic, key):
    session_hash = _signed_in(clinic, key)
    late = T0 + LIMIT + dt.timedelta(seconds=1)
    result = sessions.check(clinic, session_hash, limit=LIMIT, now=late)
    assert (result.viewer, result.reason) == (None, sessions.IDLE)
    # Ended, not just refused: coming back within what would be the limit again does not revive it.
    again = sessions.check(clinic, session_hash, limit=LIMIT, now=late + dt.timedelta(seconds=1))
    assert again.reason == sessions.IDLE
    assert _logouts(clinic, "lea") == ["idle for more than 8 hours"]


def test_given_a_password_change_expect_every_session_of_that_account_ended_and_no_other(clinic, key):
    first, second = _signed_in(clinic, key), _signed_in(clinic, key)
    other = _signed_in(clinic, key, "tom")
    auth.set_password(clinic, "lea", "a new passphrase here")
    now = T0 + dt.timedelta(minutes=1)
    assert [sessions.check(clinic, h, limit=LIMIT, now=now).reason for h in (first, second, other)] == [
        sessions.PASSWORD_CHANGED, sessions.PASSWORD_CHANGED, sessions.OK,
    ]


def test_given_a_disabled_account_expect_its_sessions_ended_and_not_revived_by_enabling(clinic, key):
    session_hash = _signed_in(clinic, key)
    auth.set_disabled(clinic, "lea")
    auth.set_disabled(clinic, "lea", False)
    result = sessions.check(clinic, session_hash, limit=LIMIT, now=T0 + dt.timedelta(minutes=1))
    assert (result.viewer, result.reason) == (None, sessions.ACCOUNT_DISABLED)


def test_given_a_restart_expect_open_sessions_to_carry_on(tmp_path):
    path = tmp_path / "clinic.duckdb"
    database = Database(path)
    auth.add_user(database, "lea", PASSWORD, "clinician")
    sessions.signing_key.cache_clear()
    session_hash = _signed_in(database, sessions.signing_key(path))
    database.close()
    reopened = Database(path)
    try:
        assert sessions.check(reopened, session_hash, limit=LIMIT, now=T0).reason == sessions.OK
    finally:
        reopened.close()


# ---- the one-time token and the cookie ---------------------------------------------------------------------


def test_given_a_handoff_token_expect_one_cookie_naming_the_session_and_no_second(clinic, key):
    started = sessions.start(clinic, "lea", key, now=T0)
    cookie = sessions.claim_handoff(clinic, key, started.handoff_token, now=T0 + dt.timedelta(seconds=1))
    assert cookie is not None and started.handoff_token not in cookie
    assert sessions.session_hash_from_cookie(key, cookie) == started.session_hash
    again = sessions.claim_handoff(clinic, key, started.handoff_token, now=T0 + dt.timedelta(seconds=2))
    assert again is None


def test_given_a_session_expect_its_cookie_pending_until_fetched_or_too_late(clinic, key):
    started = sessions.start(clinic, "lea", key, now=T0)
    fetched = sessions.start(clinic, "lea", key, now=T0)
    sessions.claim_handoff(clinic, key, fetched.handoff_token, now=T0)

    def pending(session_hash: str, seconds: int) -> bool:
        return sessions.check(clinic, session_hash, limit=LIMIT, now=T0 + dt.timedelta(seconds=seconds)
                              ).cookie_pending

    assert (pending(started.session_hash, 1), pending(fetched.session_hash, 1)) == (True, False)
    assert not pending(started.session_hash, 61)


def test_given_an_expired_or_foreign_token_expect_no_cookie(clinic, key):
    started = sessions.start(clinic, "lea", key, now=T0)
    late = T0 + sessions.HANDOFF_LIFETIME + dt.timedelta(seconds=1)
    assert sessions.claim_handoff(clinic, key, started.handoff_token, now=late) is None
    for token in ("", "x" * 1000, None, 42, started.handoff_token + "x"):
        assert sessions.claim_handoff(clinic, key, token, now=T0) is None, token


def test_given_a_token_of_a_session_that_ended_expect_no_cookie(clinic, key):
    started = sessions.start(clinic, "lea", key, now=T0)
    sessions.end(clinic, started.session_hash, now=T0)
    assert sessions.claim_handoff(clinic, key, started.handoff_token, now=T0) is None


def test_given_a_tampered_cookie_or_another_key_expect_no_session(clinic, key):
    started = sessions.start(clinic, "lea", key, now=T0)
    cookie = sessions.claim_handoff(clinic, key, started.handoff_token, now=T0)
    session_id, signature = cookie.rsplit(".", 1)
    flipped = session_id[:-1] + ("A" if session_id[-1] != "A" else "B")
    for tampered in (f"{flipped}.{signature}", f"{session_id}.", session_id, "", None, cookie + "x" * 300):
        assert sessions.session_hash_from_cookie(key, tampered) is None, tampered
    assert sessions.session_hash_from_cookie(b"k" * 32, cookie) is None


def test_given_the_database_expect_no_session_id_or_token_stored(clinic, key):
    started = sessions.start(clinic, "lea", key, now=T0)
    cookie = sessions.claim_handoff(clinic, key, started.handoff_token, now=T0)
    session_id = cookie.rsplit(".", 1)[0]
    stored = clinic.session().cursor.execute("select * from user_sessions").fetchall()
    text = repr(stored)
    assert started.session_hash in text
    assert session_id not in text and started.handoff_token not in text


# ---- the signing key ---------------------------------------------------------------------------------------


def test_given_a_new_database_expect_an_owner_only_key_beside_it_and_the_same_key_again(tmp_path):
    path = tmp_path / "clinic.duckdb"
    sessions.signing_key.cache_clear()
    key = sessions.signing_key(path)
    key_file = tmp_path / "clinic.duckdb.session-key"
    assert key_file.exists() and len(key) == sessions.KEY_BYTES
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    sessions.signing_key.cache_clear()
    assert sessions.signing_key(path) == key
    assert list(tmp_path.iterdir()) == [key_file]  # no draft left behind


def test_given_a_key_file_others_can_read_expect_it_made_owner_only(tmp_path):
    path = tmp_path / "clinic.duckdb"
    sessions.signing_key.cache_clear()
    sessions.signing_key(path)
    key_file = sessions.key_path(path)
    key_file.chmod(0o644)
    sessions.signing_key.cache_clear()
    sessions.signing_key(path)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_given_a_damaged_key_file_expect_a_message_naming_it_and_the_fix(tmp_path):
    path = tmp_path / "clinic.duckdb"
    sessions.key_path(path).write_text("not hex at all\n")
    sessions.signing_key.cache_clear()
    with pytest.raises(sessions.SessionKeyError, match=r"clinic\.duckdb\.session-key.*Delete the file"):
        sessions.signing_key(path)


# ---- the idle limit setting --------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "seconds"), [("8h", 28800), ("30m", 1800), ("90s", 90), (" 1.5h ", 5400)])
def test_given_a_written_duration_expect_its_length(text, seconds):
    assert sessions.parse_duration(text) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["8", "abc", "0s", "-5m", "8 days", "0.5s"])
def test_given_a_bad_duration_expect_a_message_naming_the_setting_and_value(text):
    with pytest.raises(ValueError, match=rf"REHAB_IDLE_LIMIT='{text}'"):
        sessions.parse_duration(text)


def test_given_no_setting_expect_eight_hours_and_given_one_expect_it():
    assert sessions.idle_limit({}) == dt.timedelta(hours=8)
    assert sessions.idle_limit({"REHAB_IDLE_LIMIT": "20m"}) == dt.timedelta(minutes=20)


@pytest.mark.parametrize(("seconds", "words"), [(28800, "8 hours"), (1800, "30 minutes"), (90, "90 seconds"),
                                                (3600, "1 hour"), (5400, "90 minutes")])
def test_given_a_duration_expect_it_in_words(seconds, words):
    assert sessions.describe_duration(dt.timedelta(seconds=seconds)) == words


# ---- the routes, over ASGI ---------------------------------------------------------------------------------


def _post(path: str, *, headers: dict[str, str], body: bytes = b"") -> tuple[int, list[tuple[str, str]]]:
    """Send one POST to the session routes as uvicorn would; return the status and response headers."""
    app = Starlette(routes=session_routes.routes())
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "server": ("127.0.0.1", 8501), "client": ("127.0.0.1", 40000),
        "headers": [(name.lower().encode(), value.encode()) for name, value in
                    {"host": "127.0.0.1:8501", **headers}.items()],
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict] = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(message for message in sent if message["type"] == "http.response.start")
    return start["status"], [(name.decode(), value.decode()) for name, value in start["headers"]]


@pytest.fixture
def served(tmp_path, monkeypatch):
    """Return the database the routes open (as `rehab serve` names it), with one account."""
    path = tmp_path / "clinic.duckdb"
    monkeypatch.setenv(DB_ENV_VAR, str(path))
    database = open_database(path)
    auth.add_user(database, "lea", PASSWORD, "clinician")
    sessions.signing_key.cache_clear()
    yield database
    close_database(path)


SAME_ORIGIN = {"sec-fetch-site": "same-origin", "origin": "http://127.0.0.1:8501",
               "content-type": "application/json"}


def _set_cookie(headers: list[tuple[str, str]]) -> SimpleCookie:
    """Return the response's Set-Cookie header parsed."""
    (value,) = [value for name, value in headers if name == "set-cookie"]
    cookie = SimpleCookie()
    cookie.load(value)
    return cookie


def test_given_a_fresh_token_expect_an_http_only_strict_cookie_naming_the_session(served):
    started = sessions.start(served, "lea", sessions.signing_key(served.path))
    status, headers = _post(session_routes.START_PATH, headers=SAME_ORIGIN,
                            body=json.dumps({"token": started.handoff_token}).encode())
    assert status == 204
    morsel = _set_cookie(headers)[sessions.COOKIE_NAME]
    assert morsel["httponly"] and morsel["samesite"] == "strict" and morsel["path"] == "/"
    assert not morsel["expires"] and not morsel["max-age"]  # gone when the browser closes
    key = sessions.signing_key(served.path)
    assert sessions.session_hash_from_cookie(key, morsel.value) == started.session_hash
    assert ("cache-control", "no-store") in headers


def test_given_a_request_from_another_site_expect_it_refused_and_the_token_kept(served):
    started = sessions.start(served, "lea", sessions.signing_key(served.path))
    body = json.dumps({"token": started.handoff_token}).encode()
    for headers in ({"sec-fetch-site": "cross-site"}, {"origin": "http://evil.example"}):
        status, response_headers = _post(session_routes.START_PATH, headers=headers, body=body)
        assert status == 403 and not [name for name, _ in response_headers if name == "set-cookie"]
    assert _post(session_routes.START_PATH, headers=SAME_ORIGIN, body=body)[0] == 204


def test_given_a_used_token_or_no_body_expect_no_cookie(served):
    started = sessions.start(served, "lea", sessions.signing_key(served.path))
    body = json.dumps({"token": started.handoff_token}).encode()
    assert _post(session_routes.START_PATH, headers=SAME_ORIGIN, body=body)[0] == 204
    assert _post(session_routes.START_PATH, headers=SAME_ORIGIN, body=body)[0] == 403
    assert _post(session_routes.START_PATH, headers=SAME_ORIGIN, body=b"not json")[0] == 400


def test_given_a_sign_out_request_expect_the_cookie_cleared_and_the_session_ended(served):
    key = sessions.signing_key(served.path)
    started = sessions.start(served, "lea", key)
    cookie = sessions.claim_handoff(served, key, started.handoff_token)
    status, headers = _post(session_routes.END_PATH,
                            headers={**SAME_ORIGIN, "cookie": f"{sessions.COOKIE_NAME}={cookie}"})
    assert status == 204
    morsel = _set_cookie(headers)[sessions.COOKIE_NAME]
    assert morsel.value == "" and morsel["max-age"] == "0" and morsel["httponly"]
    assert sessions.check(served, started.session_hash, limit=LIMIT).reason == sessions.SIGNED_OUT
    assert _logouts(served, "lea") == [None]
