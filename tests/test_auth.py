"""Given/expect tests for accounts, hashing, lockout, disabled accounts, scoping and the demo accounts."""

from __future__ import annotations

import datetime as dt
import io
import sys
import threading

import pytest
from argon2 import PasswordHasher

from dashboard import auth
from dashboard.access import Viewer
from dashboard.cli import main
from dashboard.db import Database, close_database

PASSWORD = "correct horse battery"
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Hash with argon2's lowest costs: the production parameters take most of a second per hash here."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("dummy password"))


def _raw_users(db: Database) -> list[tuple]:
    """Return every stored users row, hashes included, straight from the table."""
    return db.session().cursor.execute("select * from users").fetchall()


def _failed(db: Database, username: str, times: int, start: dt.datetime = T0) -> list[auth.LoginOutcome]:
    """Try a wrong password `times` times, a minute apart."""
    return [
        auth.attempt_login(db, username, "not the password", now=start + dt.timedelta(minutes=i))
        for i in range(times)
    ]


# ---- hashing ---------------------------------------------------------------------------------------------


def test_password_is_stored_as_an_argon2_hash_never_in_plain_text(db):
    # Given a new account
    auth.add_user(db, "lea", PASSWORD, "clinician", clinician="Léa Moreau")
    # Expect: no column holds the password, and the hash is argon2id that verifies it
    rows = _raw_users(db)
    assert all(PASSWORD not in str(value) for row in rows for value in row)
    stored = db.rows("user_account", username="lea")[0]["password_hash"]
    assert stored.startswith("$argon2id$")
    assert PasswordHasher().verify(stored, PASSWORD)


def test_same_password_gives_different_hashes(db):
    # Given two accounts with the same password; expect different salts, hence different hashes
    auth.add_user(db, "a", PASSWORD, "admin")
    auth.add_user(db, "b", PASSWORD, "admin")
    hashes = {row["password_hash"] for name in "ab" for row in db.rows("user_account", username=name)}
    assert len(hashes) == 2


@pytest.mark.parametrize("password", ["", "short", "123456789", " " * 12])
def test_short_or_blank_passwords_are_refused_with_a_clear_message(db, password):
    with pytest.raises(auth.AccountError, match="password"):
        auth.add_user(db, "lea", password, "clinician")
    assert auth.user_count(db) == 0


def test_password_of_exactly_the_minimum_length_is_accepted(db):
    auth.add_user(db, "lea", "x" * auth.MIN_PASSWORD_LENGTH, "clinician")
    assert auth.authenticate(db, "lea", "x" * auth.MIN_PASSWORD_LENGTH, now=T0) is not None


def test_username_rules(db):
    with pytest.raises(auth.AccountError, match="empty"):
        auth.add_user(db, "   ", PASSWORD, "admin")
    with pytest.raises(auth.AccountError, match="control"):
        auth.add_user(db, "a\nb", PASSWORD, "admin")
    with pytest.raises(auth.AccountError, match="role"):
        auth.add_user(db, "a", PASSWORD, "superuser")
    auth.add_user(db, "a", PASSWORD, "admin")
    with pytest.raises(auth.AccountError, match="exists already"):
        auth.add_user(db, "a", PASSWORD, "admin")


def test_new_password_replaces_the_old_one(db):
    auth.add_user(db, "lea", PASSWORD, "clinician")
    auth.set_password(db, "lea", "a different passphrase")
    assert auth.authenticate(db, "lea", PASSWORD, now=T0) is None
    assert auth.authenticate(db, "lea", "a different passphrase", now=T0) is not None


def test_sign_in_upgrades_a_hash_made_with_weaker_parameters(db, monkeypatch):
    # Given an account hashed with cheap parameters
    auth.add_user(db, "lea", PASSWORD, "clinician")
    old = db.rows("user_account", username="lea")[0]["password_hash"]
    # When the server's parameters are stronger and lea signs in
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert auth.authenticate(db, "lea", PASSWORD, now=T0) is not None
    # Expect the stored hash rewritten with the new parameters, still verifying the same password
    new = db.rows("user_account", username="lea")[0]["password_hash"]
    assert new != old and "m=16,t=2" in new
    assert auth.authenticate(db, "lea", PASSWORD, now=T0) is not None


# ---- signing in ------------------------------------------------------------------------------------------


def test_correct_password_signs_in_as_the_linked_clinician(db):
    auth.add_user(db, "lea", PASSWORD, "clinician", clinician="Léa Moreau")
    viewer = auth.authenticate(db, "lea", PASSWORD, now=T0)
    assert viewer == Viewer("lea", "clinician", "Léa Moreau")
    assert viewer.clinician_scope == "Léa Moreau"


def test_clinician_defaults_to_the_username_and_admins_see_everyone(db):
    auth.add_user(db, "Tom Becker", PASSWORD, "clinician")
    auth.add_user(db, "boss", PASSWORD, "admin")
    assert auth.authenticate(db, "Tom Becker", PASSWORD, now=T0).clinician_scope == "Tom Becker"
    assert auth.authenticate(db, "boss", PASSWORD, now=T0).clinician_scope is None


def test_wrong_password_and_unknown_user_get_the_same_message(db):
    auth.add_user(db, "lea", PASSWORD, "clinician")
    wrong = auth.attempt_login(db, "lea", "not the password", now=T0)
    unknown = auth.attempt_login(db, "nobody", PASSWORD, now=T0)
    assert wrong.viewer is None and unknown.viewer is None
    assert wrong.message == unknown.message == auth.WRONG_CREDENTIALS


def test_four_failures_then_the_right_password_still_signs_in_and_resets_the_count(db):
    auth.add_user(db, "lea", PASSWORD, "clinician")
    _failed(db, "lea", 4)
    assert auth.authenticate(db, "lea", PASSWORD, now=T0 + dt.timedelta(minutes=5)) is not None
    # Given the count was reset, expect four more failures not to lock
    outcomes = _failed(db, "lea", 4, T0 + dt.timedelta(minutes=6))
    assert all(outcome.status == "wrong" for outcome in outcomes)
    assert auth.authenticate(db, "lea", PASSWORD, now=T0 + dt.timedelta(minutes=11)) is not None


def test_fifth_consecutive_failure_locks_for_15_minutes_even_against_the_right_password(db):
    auth.add_user(db, "lea", PASSWORD, "clinician")
    outcomes = _failed(db, "lea", 5)  # the fifth at T0 + 4 min
    assert [outcome.status for outcome in outcomes] == ["wrong"] * 4 + ["locked"]
    locked_at = T0 + dt.timedelta(minutes=4)
    # Expect the right password refused while locked, with a message that says so
    during = auth.attempt_login(db, "lea", PASSWORD, now=locked_at + dt.timedelta(minutes=14, seconds=59))
    assert during.viewer is None and during.status == "locked"
    assert "locked" in during.message and "1 minute" in during.message
    # Expect it accepted once the 15 minutes are over
    after = auth.attempt_login(db, "lea", PASSWORD, now=locked_at + dt.timedelta(minutes=15))
    assert after.viewer is not None


def test_attempts_while_locked_do_not_extend_the_lock(db):
    auth.add_user(db, "lea", PASSWORD, "clinician")
    _failed(db, "lea", 5)
    locked_at = T0 + dt.timedelta(minutes=4)
    _failed(db, "lea", 10, locked_at + dt.timedelta(minutes=1))
    assert auth.authenticate(db, "lea", PASSWORD, now=locked_at + dt.timedelta(minutes=15)) is not None


def test_after_a_lock_expires_five_more_failures_lock_again(db):
    auth.add_user(db, "lea", PASSWORD, "clinician")
    _failed(db, "lea", 5)
    later = T0 + dt.timedelta(hours=1)
    assert [o.status for o in _failed(db, "lea", 5, later)] == ["wrong"] * 4 + ["locked"]
    assert auth.authenticate(db, "lea", PASSWORD, now=later + dt.timedelta(minutes=5)) is None


def test_new_password_from_the_admin_ends_a_lockout(db):
    auth.add_user(db, "lea", PASSWORD, "clinician")
    _failed(db, "lea", 5)
    auth.set_password(db, "lea", "a fresh passphrase")
    assert auth.authenticate(db, "lea", "a fresh passphrase", now=T0 + dt.timedelta(minutes=5)) is not None


def test_lockout_of_one_account_leaves_others_alone(db):
    auth.add_user(db, "lea", PASSWORD, "clinician")
    auth.add_user(db, "tom", PASSWORD, "clinician")
    _failed(db, "lea", 5)
    assert auth.authenticate(db, "tom", PASSWORD, now=T0 + dt.timedelta(minutes=5)) is not None


def test_disabled_account_is_refused_and_said_so_only_with_the_right_password(db):
    auth.add_user(db, "lea", PASSWORD, "clinician")
    auth.set_disabled(db, "lea")
    right = auth.attempt_login(db, "lea", PASSWORD, now=T0)
    wrong = auth.attempt_login(db, "lea", "not the password", now=T0)
    assert right.viewer is None and right.status == "disabled" and "disabled" in right.message
    assert wrong.viewer is None and wrong.message == auth.WRONG_CREDENTIALS
    assert auth.current_viewer(db, "lea") is None
    auth.set_disabled(db, "lea", False)
    assert auth.authenticate(db, "lea", PASSWORD, now=T0) is not None


def test_naive_now_is_taken_as_utc(db):
    auth.add_user(db, "lea", PASSWORD, "clinician")
    _failed(db, "lea", 5)
    naive = (T0 + dt.timedelta(minutes=20)).replace(tzinfo=None)
    assert auth.authenticate(db, "lea", PASSWORD, now=naive) is not None


def test_megabyte_password_is_refused_without_hashing_it(db):
    auth.add_user(db, "lea", PASSWORD, "clinician")
    assert auth.authenticate(db, "lea", "x" * 1_000_000, now=T0) is None


# ---- single sign-on --------------------------------------------------------------------------------------


def test_oidc_email_maps_to_an_enabled_account_only(db):
    auth.add_user(db, "lea", PASSWORD, "clinician", clinician="Léa Moreau", email="lea@clinic.example")
    auth.add_user(db, "tom@clinic.example", PASSWORD, "clinician", clinician="Tom Becker")
    assert auth.viewer_for_email(db, "LEA@clinic.example", now=T0).viewer.username == "lea"
    assert auth.viewer_for_email(db, "tom@clinic.example", now=T0).viewer.clinician == "Tom Becker"
    assert auth.viewer_for_email(db, "eve@elsewhere.example", now=T0).viewer is None
    assert auth.viewer_for_email(db, None, now=T0).viewer is None
    assert auth.viewer_for_email(db, "lea@clinic.example", email_verified=False, now=T0).viewer is None
    auth.set_disabled(db, "lea")
    assert auth.viewer_for_email(db, "lea@clinic.example", now=T0).status == "disabled"


def test_two_accounts_cannot_share_an_email(db):
    auth.add_user(db, "lea", PASSWORD, "clinician", email="lea@clinic.example")
    with pytest.raises(auth.AccountError, match="email"):
        auth.add_user(db, "lea2", PASSWORD, "clinician", email="LEA@clinic.example")


# ---- scoping ---------------------------------------------------------------------------------------------


def test_signed_in_clinician_is_scoped_to_their_patients(sample_db):
    auth.add_user(sample_db, "sam", PASSWORD, "clinician", clinician="Sam Patel")
    viewer = auth.authenticate(sample_db, "sam", PASSWORD, now=T0)
    cursor = sample_db.session().cursor
    clinicians = {row[0] for row in cursor.execute("select distinct clinician from patients").fetchall()}
    assert {"Sam Patel", "Léa Moreau", "Tom Becker"} <= clinicians
    scoped = cursor.execute(
        "select distinct clinician from patients where $scope is null or clinician = $scope",
        {"scope": viewer.clinician_scope},
    ).fetchall()
    assert scoped == [("Sam Patel",)]


# ---- demo accounts ---------------------------------------------------------------------------------------


def test_demo_accounts_are_created_once_with_random_passwords(db):
    created = auth.create_demo_accounts(db)
    assert [name for name, _ in created] == [auth.DEMO_ADMIN, auth.DEMO_CLINICIAN]
    assert all(len(password) >= auth.MIN_PASSWORD_LENGTH for _, password in created)
    passwords = dict(created)
    admin = auth.authenticate(db, auth.DEMO_ADMIN, passwords[auth.DEMO_ADMIN], now=T0)
    clinician = auth.authenticate(db, auth.DEMO_CLINICIAN, passwords[auth.DEMO_CLINICIAN], now=T0)
    assert admin.clinician_scope is None
    assert clinician.clinician_scope == "Sam Patel"
    assert auth.create_demo_accounts(db) == []
    assert auth.user_count(db) == 2


def test_demo_accounts_are_not_created_when_any_account_exists(db):
    auth.add_user(db, "lea", PASSWORD, "clinician")
    assert auth.create_demo_accounts(db) == []
    assert auth.user_count(db) == 1


def test_demo_passwords_differ_between_databases(tmp_path):
    first, second = Database(tmp_path / "a.duckdb"), Database(tmp_path / "b.duckdb")
    try:
        assert dict(auth.create_demo_accounts(first)) != dict(auth.create_demo_accounts(second))
    finally:
        first.close()
        second.close()


# ---- command line ----------------------------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    """Return the path of a database the rehab command uses, closed after the test."""
    path = tmp_path / "cli.duckdb"
    yield path
    close_database(path)


def _rehab(monkeypatch, capsys, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    """Run the rehab command with stdin text; return status, stdout, stderr."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_user_lifecycle(cli_db, monkeypatch, capsys):
    db = str(cli_db)
    status, out, _ = _rehab(monkeypatch, capsys, "--db", db, "user", "add", "sam", "--role", "clinician",
                            "--clinician", "Sam Patel", stdin=PASSWORD + "\n")
    assert status == 0 and "Sam Patel" in out
    status, _, err = _rehab(monkeypatch, capsys, "--db", db, "user", "add", "tom", "--role", "clinician",
                            stdin="short\n")
    assert status == 1 and "at least 10" in err
    status, out, _ = _rehab(monkeypatch, capsys, "--db", db, "user", "list", "--format", "json")
    assert status == 0 and '"sam"' in out and "argon2" not in out and PASSWORD not in out
    assert '"tom"' not in out
    status, _, _ = _rehab(monkeypatch, capsys, "--db", db, "user", "passwd", "sam",
                          stdin="another passphrase\n")
    assert status == 0
    status, _, _ = _rehab(monkeypatch, capsys, "--db", db, "user", "disable", "sam")
    assert status == 0
    status, _, err = _rehab(monkeypatch, capsys, "--db", db, "user", "disable", "nobody")
    assert status == 1 and "no account" in err
    from dashboard.db import open_database

    database = open_database(db)
    assert auth.attempt_login(database, "sam", "another passphrase", now=T0).status == "disabled"
    status, out, _ = _rehab(monkeypatch, capsys, "--db", db, "audit", "--user", "cli", "--format", "csv")
    assert status == 0
    assert "added clinician account sam" in out and "disabled account sam" in out
    assert "argon2" not in out and "another passphrase" not in out


def test_cli_demo_accounts_prints_credentials_once(cli_db, monkeypatch, capsys):
    status, out, _ = _rehab(monkeypatch, capsys, "--db", str(cli_db), "user", "demo-accounts")
    assert status == 0 and auth.DEMO_ADMIN in out and auth.DEMO_CLINICIAN in out
    status, out, _ = _rehab(monkeypatch, capsys, "--db", str(cli_db), "user", "demo-accounts")
    assert status == 0 and "exist already" in out and "rehab user passwd NAME" in out  # no password again


def test_cli_password_from_stdin_keeps_inner_spaces(cli_db, monkeypatch, capsys):
    _rehab(monkeypatch, capsys, "--db", str(cli_db), "user", "add", "a", "--role", "admin",
           stdin="  spaced  pass  phrase \r\n")
    from dashboard.db import open_database

    assert auth.authenticate(open_database(str(cli_db)), "a", "  spaced  pass  phrase ", now=T0) is not None


def test_concurrent_wrong_passwords_neither_crash_nor_lose_the_lockout(db):
    # Given eight browser sessions hammering one account at once (Streamlit runs each in its own thread)
    auth.add_user(db, "lea", PASSWORD, "clinician")
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            for _ in range(3):
                auth.attempt_login(db, "lea", "not the password", now=T0)
        except BaseException as error:  # collected: an exception in a thread would not fail the test
            errors.append(error)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Expect no transaction conflict escaping, every attempt audited, and the account locked
    assert errors == []
    assert len(auth.audit_rows(db, user="lea")) == 24
    assert auth.attempt_login(db, "lea", PASSWORD, now=T0 + dt.timedelta(minutes=1)).status == "locked"
