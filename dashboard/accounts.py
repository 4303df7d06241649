"""What the Accounts page does, through the same auth functions as `rehab user ...`: no Streamlit here."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import pandas as pd

from dashboard import auth, backup
from dashboard.access import Viewer
from dashboard.db import Database

BACKUP_DIR_ENV_VAR = "REHAB_BACKUP_DIR"  # set by `rehab serve --backup-dir`
DEFAULT_BACKUP_FOLDER = "backups"
# 16 characters of URL-safe base64: 96 random bits, above the minimum length, easy to read out.
ONE_TIME_PASSWORD_BYTES = 12


def accounts(db: Database, now: dt.datetime | None = None) -> pd.DataFrame:
    """Return every account with role, clinician, state (active, locked, disabled, ...) and last sign-in."""
    return db.frame("account_overview", now=now or auth.utc_now())


def one_time_password() -> str:
    """Return a new random password for an admin to hand over once."""
    return secrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)


def add_account(
    db: Database, admin: Viewer, username: str, role: str, clinician: str | None = None
) -> tuple[str, str]:
    """Add an account with a one-time password the person must replace at first sign-in; return both."""
    password = one_time_password()
    name = auth.add_user(db, username, password, role, clinician=clinician or None, actor=admin.username,
                         must_change_password=True)
    return name, password


def reset_password(db: Database, admin: Viewer, username: str) -> str:
    """Give an account a new one-time password (ending a lockout and its open sessions); return it."""
    password = one_time_password()
    auth.set_password(db, username, password, actor=admin.username, must_change_password=True)
    return password


def set_disabled(db: Database, admin: Viewer, username: str, disabled: bool) -> None:
    """Disable an account (its open sessions end) or enable it again; an admin cannot disable themself."""
    if disabled and username == admin.username:
        raise auth.AccountError("you cannot disable your own account; another admin can")
    auth.set_disabled(db, username, disabled, actor=admin.username)


def choose_own_password(db: Database, username: str, new: str, repeated: str) -> None:
    """Replace a one-time password with the person's own; refuses a mismatch or the one-time one again."""
    if not auth.must_change_password(db, username):
        raise auth.AccountError("this account has no one-time password to replace; sign in again")
    if new != repeated:
        raise auth.AccountError("the two passwords differ")
    if auth.is_current_password(db, username, new):
        raise auth.AccountError("choose a password of your own, not the one you were given")
    auth.set_password(db, username, new, actor=username)


def backup_folder(db: Database, environ: dict[str, str] | os._Environ[str] | None = None) -> Path:
    """Return the backup folder: $REHAB_BACKUP_DIR (rehab serve --backup-dir), else backups/ beside it."""
    configured = (os.environ if environ is None else environ).get(BACKUP_DIR_ENV_VAR, "").strip()
    return Path(configured) if configured else db.path.parent / DEFAULT_BACKUP_FOLDER


def take_backup(db: Database, admin: Viewer) -> backup.Backup:
    """Take a backup into the app's backup folder, audited as an export of every table."""
    taken = backup.take_backup(db, backup_folder(db))
    auth.record(db, admin, "export", detail=f"backup {taken.path.name} ({sum(taken.tables.values())} rows) "
                f"into {taken.path.parent}")
    return taken
