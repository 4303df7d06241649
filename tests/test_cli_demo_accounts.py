"""Given `rehab user demo-accounts` again (a second `make run`), expect what exists and how to reset."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from dashboard import auth
from dashboard.cli import main
from dashboard.db import close_database, open_database

PASSWORD = "test-only password"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Return a database file path the command creates, closed after the test."""
    path = tmp_path / "clinic.duckdb"
    yield path
    close_database(path)


def demo_accounts(capsys, db_path: Path) -> tuple[int, str]:
    """Run `rehab user demo-accounts --db PATH` and return its status and output."""
    capsys.readouterr()
    status = main(["user", "demo-accounts", "--db", str(db_path)])
    return status, capsys.readouterr().out


def test_given_a_second_run_expect_the_accounts_named_the_reset_command_given_and_no_password(
    capsys, db_path: Path
) -> None:
    status, first = demo_accounts(capsys, db_path)
    assert status == 0
    passwords = re.findall(rf"^\s+(?:{auth.DEMO_ADMIN}|{auth.DEMO_CLINICIAN})\s+(\S+)$", first, re.MULTILINE)
    assert len(passwords) == 2

    status, second = demo_accounts(capsys, db_path)
    assert status == 0
    assert second.startswith(f"The demo accounts exist already ({auth.DEMO_ADMIN}, {auth.DEMO_CLINICIAN})")
    assert "rehab user passwd NAME" in second and "rehab user list" in second
    assert not any(password in second for password in passwords), "a password is shown only once"
    assert len(auth.list_users(open_database(db_path))) == 2, "nothing new was created"


def test_given_a_database_with_its_own_accounts_expect_no_demo_accounts_and_the_reset_command(
    capsys, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth.add_user(open_database(db_path), "lea", PASSWORD, "admin")
    close_database(db_path)
    status, said = demo_accounts(capsys, db_path)
    assert status == 0
    assert said.startswith("This database has accounts already (1), so no demo accounts were created.")
    assert "rehab user passwd NAME" in said
    assert list(auth.list_users(open_database(db_path))["username"]) == ["lea"]

    # The reset the note names works as written.
    close_database(db_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("a new passphrase\n"))
    assert main(["user", "passwd", "lea", "--db", str(db_path)]) == 0
    assert auth.authenticate(open_database(db_path), "lea", "a new passphrase") is not None
