"""Accounts, sign-in with lockout, and the audit trail: everything the app needs to know who is looking."""

from __future__ import annotations

import datetime as dt
import math
import secrets
import threading
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dashboard.access import ROLES, Viewer
from dashboard.db import Database, Session

MIN_PASSWORD_LENGTH = 10
# Long enough for any passphrase, short enough that nobody can make the server hash megabytes per attempt.
MAX_PASSWORD_LENGTH = 1024
MAX_USERNAME_LENGTH = 64
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
# How much of an unknown, typed username the audit trail keeps: enough to spot an attack, not a whole paste.
MAX_LOGGED_USERNAME = 100
WRITE_RETRIES = 50

AUDIT_ACTIONS = (
    "login", "failed_login", "logout", "patient_view", "export", "acknowledge", "settings_change", "import",
)

# Why an account change ended its open sign-in sessions (user_sessions.end_reason; see dashboard/sessions.py).
PASSWORD_CHANGED = "password changed"
ACCOUNT_DISABLED = "account disabled"

DEMO_ADMIN = "admin"
DEMO_CLINICIAN = "sam.patel"
DEMO_CLINICIAN_NAME = "Sam Patel"

_hasher = PasswordHasher()
# Verified against when the username is unknown, so that a wrong name costs as long as a wrong password. Made
# on first use (dummy_hash), not at import: hashing takes half a second, and most commands never sign in.
_DUMMY_HASH: str | None = None
_dummy_lock = threading.Lock()


class AccountError(ValueError):
    """A refused account change, explained in words the admin can act on."""


@dataclass(frozen=True)
class LoginOutcome:
    """The result of one sign-in attempt: the viewer when it succeeded, else a message to show."""

    viewer: Viewer | None
    status: str  # ok, wrong, locked, disabled
    message: str

    @property
    def ok(self) -> bool:
        """Return whether the attempt signed someone in."""
        return self.viewer is not None


WRONG_CREDENTIALS = "Wrong username or password."


def utc_now() -> dt.datetime:
    """Return the current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime | None) -> dt.datetime:
    """Return the moment as an aware datetime (naive ones are taken as UTC); now when None."""
    if moment is None:
        return utc_now()
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# ---- accounts --------------------------------------------------------------------------------------------


def check_username(username: str) -> str:
    """Return the username trimmed, or raise AccountError saying why it cannot name an account."""
    name = (username or "").strip()
    if not name:
        raise AccountError("the username is empty")
    if len(name) > MAX_USERNAME_LENGTH:
        raise AccountError(f"the username is longer than {MAX_USERNAME_LENGTH} characters")
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise AccountError("the username holds control or invisible characters")
    return name


def check_password(password: str) -> None:
    """Raise AccountError when the password is too short or too long to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"the password has {len(password)} characters; use at least {MIN_PASSWORD_LENGTH} "
            "(a few unrelated words make a good one)"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"the password is longer than {MAX_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise AccountError("the password is only spaces")


def hash_password(password: str) -> str:
    """Return the argon2id hash of an acceptable password."""
    check_password(password)
    return _hasher.hash(password)


def _account(db: Database, username: str) -> dict[str, Any] | None:
    """Return the account row with its hash, or None."""
    rows = db.rows("user_account", username=username)
    return rows[0] if rows else None


def add_user(
    db: Database, username: str, password: str, role: str, *, clinician: str | None = None,
    email: str | None = None, actor: str = "cli", must_change_password: bool = False,
) -> str:
    """Create an account; a clinician sees patients filed under `clinician` (default: the username)."""
    name = check_username(username)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: use {' or '.join(ROLES)}")
    if role == "admin" and clinician:
        raise AccountError("an admin sees every patient; --clinician is only for clinician accounts")
    linked = ((clinician or "").strip() or name) if role == "clinician" else None
    address = (email or "").strip() or None
    password_hash = hash_password(password)
    with db.transaction() as session:
        if session.rows("user_account", username=name):
            raise AccountError(f"an account named {name!r} exists already")
        if address and session.rows("user_by_email", email=address):
            raise AccountError(f"an account with the email {address!r} exists already")
        session.execute(
            "insert_user", username=name, role=role, clinician=linked, email=address,
            password_hash=password_hash,
        )
        if must_change_password:
            session.execute("update_user_must_change_password", username=name, must_change_password=True)
        detail = f"added {role} account {name}" + (f" seeing {linked}'s patients" if linked else "")
        session.execute("record_audit_at", occurred_at=utc_now(), actor=actor, action="settings_change",
                        patient_id=None, detail=detail)
    return name


def set_password(
    db: Database, username: str, password: str, *, actor: str = "cli", must_change_password: bool = False
) -> None:
    """Replace an account's password (ending a lockout); a one-time one must be replaced at sign-in."""
    password_hash = hash_password(password)
    with db.transaction() as session:
        if not session.rows("user_account", username=username):
            raise AccountError(f"no account named {username!r}")
        session.execute("update_user_password", username=username, password_hash=password_hash)
        session.execute("update_user_must_change_password", username=username,
                        must_change_password=must_change_password)
        # Whoever knew the old password may be signed in somewhere: every open session of the account ends.
        session.execute("end_user_sessions_of_account", username=username, ended_at=utc_now(),
                        end_reason=PASSWORD_CHANGED)
        session.execute("record_audit_at", occurred_at=utc_now(), actor=actor, action="settings_change",
                        patient_id=None, detail=f"changed the password of {username}")


def set_disabled(db: Database, username: str, disabled: bool = True, *, actor: str = "cli") -> None:
    """Disable an account (it can no longer sign in) or enable it again."""
    with db.transaction() as session:
        if not session.rows("user_account", username=username):
            raise AccountError(f"no account named {username!r}")
        session.execute("update_user_disabled", username=username, disabled=disabled)
        if disabled:
            session.execute("end_user_sessions_of_account", username=username, ended_at=utc_now(),
                            end_reason=ACCOUNT_DISABLED)
        session.execute("record_audit_at", occurred_at=utc_now(), actor=actor, action="settings_change",
                        patient_id=None, detail=f"{'disabled' if disabled else 'enabled'} account {username}")


def must_change_password(db: Database, username: str) -> bool:
    """Return whether the account signs in with a one-time password it must replace first."""
    row = _account(db, username)
    return bool(row and row["must_change_password"])


def is_current_password(db: Database, username: str, password: str) -> bool:
    """Return whether the password is the account's present one."""
    row = _account(db, username)
    return bool(row) and _verify(row["password_hash"], password)


def list_users(db: Database) -> pd.DataFrame:
    """Return every account without password hashes."""
    return db.frame("user_list")


def user_count(db: Database) -> int:
    """Return how many accounts exist."""
    return int(db.value("user_count"))


def _viewer(row: dict[str, Any]) -> Viewer:
    """Return the viewer an account row signs in as."""
    return Viewer(row["username"], row["role"], row["clinician"])


def current_viewer(db: Database, username: str) -> Viewer | None:
    """Return the viewer for an enabled account as it is stored now (role and scope fresh), else None."""
    row = _account(db, username)
    if row is None or row["disabled"]:
        return None
    return _viewer(row)


def viewer_for_email(
    db: Database, email: str | None, *, email_verified: bool | None = None, now: dt.datetime | None = None
) -> LoginOutcome:
    """Map an identity provider's email to an enabled account; unknown or unverified addresses are refused."""
    moment = _aware(now)
    address = (email or "").strip()
    if email_verified is False:
        record(db, _logged_name(address or "(no email)"), "failed_login", detail="oidc: email not verified",
               now=moment)
        return LoginOutcome(None, "unverified", "Your identity provider has not verified this email address.")
    rows = db.rows("user_by_email", email=address) if address else []
    if not rows:
        record(db, _logged_name(address or "(no email)"), "failed_login",
               detail="oidc: no account has this email", now=moment)
        return LoginOutcome(None, "unknown", "No dashboard account is linked to this email address. "
                            "Ask the clinic's admin to add one.")
    row = rows[0]
    if row["disabled"]:
        record(db, row["username"], "failed_login", detail="oidc: account disabled", now=moment)
        return LoginOutcome(None, "disabled", "This account is disabled. Ask the clinic's admin.")
    viewer = _viewer(row)
    record(db, viewer, "login", detail="oidc", now=moment)
    return LoginOutcome(viewer, "ok", "")


def write_with_retries(db: Database, work):
    """Run work(session) in one transaction, retrying when a concurrent write changed the same row."""
    for attempt in range(WRITE_RETRIES):
        try:
            with db.transaction() as session:
                return work(session)
        except duckdb.TransactionException:
            # DuckDB refuses the second of two transactions updating one row; a retry sees the first's work.
            if attempt == WRITE_RETRIES - 1:
                raise
            time.sleep(0.002 * (attempt + 1))
    raise AssertionError("unreachable")


# ---- signing in ------------------------------------------------------------------------------------------


def dummy_hash() -> str:
    """Return the hash an unknown username is verified against, made once per process by the hasher."""
    global _DUMMY_HASH
    with _dummy_lock:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
        return _DUMMY_HASH


def _verify(password_hash: str, password: str) -> bool:
    """Return whether the password matches the hash; a damaged hash never matches."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _logged_name(username: str) -> str:
    """Return a typed username shortened for the audit trail."""
    return username if len(username) <= MAX_LOGGED_USERNAME else username[:MAX_LOGGED_USERNAME] + "..."


def attempt_login(
    db: Database, username: str, password: str, *, now: dt.datetime | None = None
) -> LoginOutcome:
    """Check a username and password, apply the lockout, record the attempt, and say what happened."""
    moment = _aware(now)
    name = (username or "").strip()
    password = password or ""
    row = _account(db, name) if name else None
    if row is None or len(password) > MAX_PASSWORD_LENGTH:
        _verify(dummy_hash(), password[:MAX_PASSWORD_LENGTH])
        record(db, _logged_name(name or "(empty)"), "failed_login",
               detail="unknown username" if row is None else "password too long", now=moment)
        return LoginOutcome(None, "wrong", WRONG_CREDENTIALS)
    matches = _verify(row["password_hash"], password)
    locked_until = row["locked_until"]
    if locked_until is not None and locked_until > moment:
        minutes = max(1, math.ceil((locked_until - moment).total_seconds() / 60))
        record(db, name, "failed_login", detail="account locked", now=moment)
        return LoginOutcome(
            None, "locked",
            f"This account is locked after {MAX_FAILED_LOGINS} wrong passwords. Try again in about {minutes} "
            f"minute{'s' if minutes != 1 else ''}, or ask the clinic's admin to reset the password.",
        )
    if not matches:
        locks_at = moment + LOCKOUT

        def count_failure(session: Session) -> bool:
            new_lock = session.value(
                "record_login_failure", username=name, max_failures=MAX_FAILED_LOGINS, locked_until=locks_at
            )
            locked = new_lock is not None and new_lock == locks_at
            detail = "wrong password"
            if locked:
                detail += f"; account locked until {locks_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
            _record(session, name, "failed_login", None, detail, moment)
            return locked

        locked_now = write_with_retries(db, count_failure)
        if locked_now:
            return LoginOutcome(
                None, "locked",
                f"Wrong password, the {MAX_FAILED_LOGINS}th in a row: the account is now locked for "
                f"{int(LOCKOUT.total_seconds() // 60)} minutes.",
            )
        return LoginOutcome(None, "wrong", WRONG_CREDENTIALS)
    if row["disabled"]:
        # Said only after a correct password, so that the message does not reveal which accounts exist.
        record(db, name, "failed_login", detail="account disabled", now=moment)
        return LoginOutcome(None, "disabled", "This account is disabled. Ask the clinic's admin.")
    # Keep stored hashes at the current argon2 parameters.
    new_hash = _hasher.hash(password) if _hasher.check_needs_rehash(row["password_hash"]) else None

    def succeed(session: Session) -> None:
        session.execute("clear_login_failures", username=name)
        if new_hash:
            session.execute("update_user_password", username=name, password_hash=new_hash)
        _record(session, name, "login", None, "password", moment)

    write_with_retries(db, succeed)
    return LoginOutcome(_viewer(row), "ok", "")


def authenticate(
    db: Database, username: str, password: str, *, now: dt.datetime | None = None
) -> Viewer | None:
    """Return the viewer for a correct username and password on an enabled, unlocked account, else None."""
    return attempt_login(db, username, password, now=now).viewer


# ---- demo accounts ---------------------------------------------------------------------------------------


def create_demo_accounts(db: Database) -> list[tuple[str, str]]:
    """On a database with no accounts, create a demo admin and clinician; return their passwords."""
    if user_count(db):
        return []
    created = [
        (DEMO_ADMIN, "admin", None, secrets.token_urlsafe(12)),
        (DEMO_CLINICIAN, "clinician", DEMO_CLINICIAN_NAME, secrets.token_urlsafe(12)),
    ]
    with db.transaction() as session:
        if session.value("user_count"):
            return []
        for username, role, clinician, password in created:
            session.execute("insert_user", username=username, role=role, clinician=clinician, email=None,
                            password_hash=hash_password(password))
            detail = f"created demo {role} account {username}"
            _record(session, "cli", "settings_change", None, detail, utc_now())
    return [(username, password) for username, _, _, password in created]


# ---- audit trail -----------------------------------------------------------------------------------------


def _actor(viewer_or_actor: Viewer | str) -> str:
    """Return the name the audit trail records for a viewer or an actor string."""
    return viewer_or_actor.username if isinstance(viewer_or_actor, Viewer) else str(viewer_or_actor)


def _record(
    session: Session, actor: str, action: str, patient_id: str | None, detail: str | None, moment: dt.datetime
) -> None:
    """Append one audit row inside a session."""
    session.execute("record_audit_at", occurred_at=moment, actor=actor, action=action, patient_id=patient_id,
                    detail=detail)


def record_in(
    session: Session, viewer_or_actor: Viewer | str, action: str, patient_id: str | None = None,
    detail: str | None = None, *, now: dt.datetime | None = None,
) -> None:
    """Append one row to the audit trail inside a transaction the caller holds."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; use one of {', '.join(AUDIT_ACTIONS)}")
    _record(session, _actor(viewer_or_actor), action, patient_id, detail, _aware(now))


def record(
    db: Database, viewer_or_actor: Viewer | str, action: str, patient_id: str | None = None,
    detail: str | None = None, *, now: dt.datetime | None = None,
) -> None:
    """Append one row to the audit trail: who (a Viewer or a name) did what, to which patient."""
    moment = _aware(now)
    write_with_retries(db, lambda session: record_in(session, viewer_or_actor, action, patient_id, detail,
                                                     now=moment))


def audit_frame(
    db: Database, date_from: dt.date | None = None, date_to: dt.date | None = None, user: str | None = None,
    patient_id: str | None = None,
) -> pd.DataFrame:
    """Return the audit trail oldest first, filtered by UTC day (inclusive), actor and patient."""
    return db.frame("audit_trail", date_from=date_from, date_to=date_to, actor=user, patient_id=patient_id)


def audit_rows(
    db: Database, date_from: dt.date | None = None, date_to: dt.date | None = None, user: str | None = None,
    patient_id: str | None = None,
) -> list[dict[str, Any]]:
    """Return the audit trail as dicts; see audit_frame."""
    return db.rows("audit_trail", date_from=date_from, date_to=date_to, actor=user, patient_id=patient_id)
