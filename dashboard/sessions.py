"""Server-side sign-in sessions, named by a signed cookie, that survive a reload and end when they should."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, Signer

from dashboard import auth
from dashboard.access import Viewer
from dashboard.db import Database

COOKIE_NAME = "rehab_session"
IDLE_LIMIT_ENV_VAR = "REHAB_IDLE_LIMIT"
DEFAULT_IDLE_LIMIT = dt.timedelta(hours=8)
# The browser fetches its cookie within milliseconds of signing in; a token older than this is refused.
HANDOFF_LIFETIME = dt.timedelta(seconds=60)
KEY_FILE_SUFFIX = ".session-key"
KEY_BYTES = 32
# Longer than any cookie or token this module makes; anything longer is refused before it is parsed.
MAX_TOKEN_LENGTH = 200
# Touching the session on every click would be a write per click; within this share of the idle limit
# (at most a minute) a session counts as seen.
TOUCH_SHARE = 10
MAX_TOUCH_INTERVAL = dt.timedelta(minutes=1)

# Why a session ended (stored in user_sessions.end_reason, and shown as a notice by the sign-in page).
SIGNED_OUT = "signed out"
IDLE = "idle"
PASSWORD_CHANGED = auth.PASSWORD_CHANGED
ACCOUNT_DISABLED = auth.ACCOUNT_DISABLED
UNKNOWN = "unknown"
OK = "ok"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh])\s*$")
_UNITS = {"s": ("second", 1), "m": ("minute", 60), "h": ("hour", 3600)}


class SessionKeyError(RuntimeError):
    """The cookie signing key file cannot be used, explained in words the server admin can act on."""


@dataclass(frozen=True)
class StartedSession:
    """A new session: its hash (what the server keeps) and the one-time token to swap for a cookie."""

    session_hash: str
    handoff_token: str


@dataclass(frozen=True)
class SessionCheck:
    """Whether a session may go on: the viewer when it may, else why it ended."""

    viewer: Viewer | None
    reason: str
    username: str | None = None
    # The browser has yet to swap the session's one-time token for its cookie (and still may).
    cookie_pending: bool = False


# ---- the idle limit setting ------------------------------------------------------------------------------


def parse_duration(text: str, *, name: str = IDLE_LIMIT_ENV_VAR) -> dt.timedelta:
    """Return a duration written like 8h, 30m or 90s; raise ValueError naming the setting and the value."""
    match = _DURATION.match(text or "")
    if match is None:
        raise ValueError(f"{name}={text!r}: write a number and a unit, like 8h, 30m or 90s")
    amount = float(match.group(1)) * _UNITS[match.group(2)][1]
    if amount < 1:
        raise ValueError(f"{name}={text!r}: the idle limit must be at least one second")
    return dt.timedelta(seconds=amount)


def idle_limit(environ: dict[str, str] | os._Environ[str] | None = None) -> dt.timedelta:
    """Return the idle limit from $REHAB_IDLE_LIMIT, else 8 hours."""
    value = (os.environ if environ is None else environ).get(IDLE_LIMIT_ENV_VAR, "").strip()
    return parse_duration(value) if value else DEFAULT_IDLE_LIMIT


def describe_duration(duration: dt.timedelta) -> str:
    """Return a duration in words, in its largest whole unit: 8 hours, 30 minutes, 90 seconds."""
    seconds = duration.total_seconds()
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds >= size and seconds % size == 0 or unit == "second":
            count = seconds / size
            shown = f"{count:g}"
            return f"{shown} {unit}{'' if shown == '1' else 's'}"
    raise AssertionError("unreachable")


def touch_interval(limit: dt.timedelta) -> dt.timedelta:
    """Return how stale last_seen_at may get before a run writes it again."""
    return min(MAX_TOUCH_INTERVAL, limit / TOUCH_SHARE)


# ---- the signing key -------------------------------------------------------------------------------------


def key_path(db_path: str | os.PathLike[str]) -> Path:
    """Return where the cookie signing key of a database lives: beside it, as <database>.session-key."""
    path = Path(db_path)
    return path.with_name(path.name + KEY_FILE_SUFFIX)


@functools.cache
def signing_key(db_path: Path) -> bytes:
    """Return the database's cookie signing key, creating it (owner-only) on first use."""
    path = key_path(db_path)
    if not path.exists():
        _create_key(path)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # a key others can read lets them forge anyone's cookie
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < KEY_BYTES:
        raise SessionKeyError(
            f"{path}: not a session key ({KEY_BYTES * 2} hex digits expected). Delete the file and restart "
            "the app to make a new one; everyone signed in will have to sign in again."
        )
    return key


def _create_key(path: Path) -> None:
    """Write a new random key readable by its owner only; a key another process wrote first wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(KEY_BYTES) + "\n")
        try:
            os.link(draft, path)  # atomic, and refuses to replace a key that exists
        except FileExistsError:
            pass
    finally:
        draft.unlink(missing_ok=True)


def _signer(key: bytes) -> Signer:
    """Return the cookie signer: HMAC-SHA256 under the database's key."""
    return Signer(key, salt="rehab-session-cookie", key_derivation="hmac", digest_method=hashlib.sha256)


def _sha256(text: str) -> str:
    """Return the hex SHA-256 of a token: what the database keeps instead of the token."""
    return hashlib.sha256(text.encode()).hexdigest()


def _session_id(key: bytes, handoff_token: str) -> str:
    """Return the session id a one-time token stands for; only the key's holder can work it out."""
    digest = hmac.new(key, b"session-id:" + handoff_token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def session_hash_from_cookie(key: bytes, cookie: str | None) -> str | None:
    """Return the session a cookie names, or None when it is missing, malformed or not signed with the key."""
    if not cookie or len(cookie) > MAX_TOKEN_LENGTH:
        return None
    try:
        session_id = _signer(key).unsign(cookie).decode()
    except (BadSignature, UnicodeDecodeError):
        return None
    return _sha256(session_id)


# ---- the session's life ----------------------------------------------------------------------------------


def start(db: Database, username: str, key: bytes, *, now: dt.datetime | None = None) -> StartedSession:
    """Start a session for a viewer who has just signed in; return it with its one-time cookie token."""
    moment = now or auth.utc_now()
    token = secrets.token_urlsafe(32)
    session_hash = _sha256(_session_id(key, token))
    auth.write_with_retries(db, lambda session: session.execute(
        "insert_user_session", session_hash=session_hash, username=username, started_at=moment,
        handoff_hash=_sha256(token), handoff_expires_at=moment + HANDOFF_LIFETIME,
    ))
    return StartedSession(session_hash, token)


def claim_handoff(db: Database, key: bytes, token: object, *, now: dt.datetime | None = None) -> str | None:
    """Use up a one-time token and return the signed cookie value for its session, or None when refused."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    moment = now or auth.utc_now()
    session_id = _session_id(key, token)
    username = auth.write_with_retries(db, lambda session: session.value(
        "claim_session_handoff", handoff_hash=_sha256(token), session_hash=_sha256(session_id),
        seen_at=moment,
    ))
    return _signer(key).sign(session_id).decode() if username is not None else None


def check(
    db: Database, session_hash: str, *, limit: dt.timedelta, now: dt.datetime | None = None
) -> SessionCheck:
    """Return whether a session may go on (ending it when it has been idle too long), and refresh its use."""
    moment = now or auth.utc_now()
    rows = db.rows("user_session", session_hash=session_hash)
    if not rows:
        return SessionCheck(None, UNKNOWN)
    row = rows[0]
    username = row["username"]
    if row["ended_at"] is not None:
        return SessionCheck(None, row["end_reason"] or SIGNED_OUT, username)
    if row["role"] is None or row["disabled"]:
        end(db, session_hash, ACCOUNT_DISABLED, now=moment)
        return SessionCheck(None, ACCOUNT_DISABLED, username)
    idle_for = moment - row["last_seen_at"]
    if idle_for > limit:
        end(db, session_hash, IDLE, now=moment, detail=f"idle for more than {describe_duration(limit)}")
        return SessionCheck(None, IDLE, username)
    if idle_for >= touch_interval(limit):
        auth.write_with_retries(db, lambda session: session.execute(
            "touch_user_session", session_hash=session_hash, seen_at=moment
        ))
    expires = row["handoff_expires_at"]
    pending = expires is not None and expires > moment
    return SessionCheck(Viewer(username, row["role"], row["clinician"]), OK, username, pending)


def end(
    db: Database, session_hash: str, reason: str = SIGNED_OUT, *, now: dt.datetime | None = None,
    detail: str | None = None,
) -> bool:
    """End a session (audited as a logout) and return whether it was still open."""
    moment = now or auth.utc_now()

    def work(session) -> bool:
        username = session.value("end_user_session", session_hash=session_hash, ended_at=moment,
                                 end_reason=reason)
        if username is None:
            return False
        auth.record_in(session, username, "logout", detail=detail, now=moment)
        return True

    return auth.write_with_retries(db, work)
