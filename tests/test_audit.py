"""Given/expect tests for the audit trail: a row for every action, filters, and `rehab audit`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from argon2 import PasswordHasher

from dashboard import auth
from dashboard.access import Viewer
from dashboard.cli import main
from dashboard.db import close_database, open_database

PASSWORD = "correct horse battery"
DAY1 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
DAY2 = dt.datetime(2026, 11, 3, 23, 59, tzinfo=dt.UTC)
DAY3 = dt.datetime(2026, 11, 4, 0, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Hash with argon2's lowest costs so the suite stays fast."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("dummy password"))


def _actions(db) -> list[tuple[str, str, str | None]]:
    """Return (actor, action, patient) for every audit row except account changes made by the CLI."""
    return [
        (row["actor"], row["action"], row["patient_id"])
        for row in auth.audit_rows(db)
        if row["action"] != "settings_change" or row["actor"] != "cli"
    ]


def test_sign_in_outcomes_each_leave_a_row(db):
    auth.add_user(db, "lea", PASSWORD, "clinician")
    auth.attempt_login(db, "lea", PASSWORD, now=DAY1)
    auth.attempt_login(db, "lea", "wrong password", now=DAY1)
    auth.attempt_login(db, "ghost", PASSWORD, now=DAY1)
    rows = auth.audit_rows(db, user=None, date_from=DAY1.date(), date_to=DAY1.date())
    assert [(row["actor"], row["action"], row["detail"]) for row in rows] == [
        ("lea", "login", "password"),
        ("lea", "failed_login", "wrong password"),
        ("ghost", "failed_login", "unknown username"),
    ]


def test_no_password_ever_reaches_the_audit_trail(db):
    auth.add_user(db, "lea", PASSWORD, "clinician")
    auth.attempt_login(db, "lea", PASSWORD, now=DAY1)
    auth.attempt_login(db, "lea", "typo " + PASSWORD, now=DAY1)
    auth.set_password(db, "lea", "another passphrase")
    text = json.dumps(auth.audit_rows(db), default=str)
    assert PASSWORD not in text and "another passphrase" not in text and "argon2" not in text


@pytest.mark.parametrize("action", auth.AUDIT_ACTIONS)
def test_record_writes_one_row_per_action(db, action):
    viewer = Viewer("lea", "clinician", "Léa Moreau")
    auth.record(db, viewer, action, patient_id="P001", detail=f"{action} detail", now=DAY1)
    assert auth.audit_rows(db) == [{
        "audit_id": auth.audit_rows(db)[0]["audit_id"],
        "occurred_at": DAY1,
        "actor": "lea",
        "action": action,
        "patient_id": "P001",
        "detail": f"{action} detail",
    }]


def test_record_takes_a_plain_actor_name_and_refuses_unknown_actions(db):
    auth.record(db, "cli", "export", detail="weekly.pdf", now=DAY1)
    assert _actions(db) == [("cli", "export", None)]
    with pytest.raises(ValueError, match="unknown audit action"):
        auth.record(db, "cli", "delete_everything")


def test_logout_is_recorded(db):
    viewer = Viewer("lea", "clinician", "Léa Moreau")
    auth.record(db, viewer, "logout")
    assert _actions(db) == [("lea", "logout", None)]


def test_account_changes_are_recorded_as_settings_changes(db):
    auth.add_user(db, "lea", PASSWORD, "clinician", clinician="Léa Moreau")
    auth.set_password(db, "lea", "another passphrase")
    auth.set_disabled(db, "lea")
    auth.set_disabled(db, "lea", False)
    details = [row["detail"] for row in auth.audit_rows(db, user="cli")]
    assert details == [
        "added clinician account lea seeing Léa Moreau's patients",
        "changed the password of lea",
        "disabled account lea",
        "enabled account lea",
    ]
    assert {row["action"] for row in auth.audit_rows(db, user="cli")} == {"settings_change"}


def test_imports_are_in_the_same_trail(sample_db):
    rows = auth.audit_rows(sample_db, user="test")
    assert rows and {row["action"] for row in rows} == {"import"}


def test_filters_by_utc_day_inclusive_user_and_patient(db):
    auth.record(db, "lea", "patient_view", patient_id="P001", now=DAY1)
    auth.record(db, "lea", "patient_view", patient_id="P002", now=DAY2)
    auth.record(db, "tom", "export", patient_id="P001", now=DAY3)
    assert len(auth.audit_rows(db)) == 3
    assert [r["patient_id"] for r in auth.audit_rows(db, date_from=DAY2.date())] == ["P002", "P001"]
    assert [r["patient_id"] for r in auth.audit_rows(db, date_to=DAY2.date())] == ["P001", "P002"]
    assert [r["actor"] for r in auth.audit_rows(db, date_from=DAY2.date(), date_to=DAY2.date())] == ["lea"]
    assert [r["action"] for r in auth.audit_rows(db, user="tom")] == ["export"]
    assert [r["actor"] for r in auth.audit_rows(db, patient_id="P001")] == ["lea", "tom"]
    assert auth.audit_rows(db, user="lea", patient_id="P001", date_from=DAY2.date()) == []
    assert len(auth.audit_frame(db, user="lea")) == 2


def test_day_filter_uses_utc_whatever_the_callers_zone(db):
    # Given a moment that is 4 Nov in Auckland but still 3 Nov in UTC
    auckland = dt.timezone(dt.timedelta(hours=13))
    auth.record(db, "lea", "login", now=dt.datetime(2026, 11, 4, 9, 0, tzinfo=auckland))
    assert len(auth.audit_rows(db, date_from=dt.date(2026, 11, 3), date_to=dt.date(2026, 11, 3))) == 1


@pytest.fixture
def cli_db(tmp_path):
    """Return the path of a database holding three audit rows, for the rehab command."""
    path = tmp_path / "cli.duckdb"
    db = open_database(path)
    auth.record(db, "lea", "patient_view", patient_id="P001", detail='said "hi", then <script>', now=DAY1)
    auth.record(db, "lea", "export", patient_id="P002", now=DAY2)
    auth.record(db, "tom", "acknowledge", patient_id="P001", now=DAY3)
    yield str(path)
    close_database(path)


def test_rehab_audit_json_with_filters(cli_db, capsys):
    assert main(["--db", cli_db, "audit", "--patient", "P001", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["actor"], r["action"]) for r in rows] == [("lea", "patient_view"), ("tom", "acknowledge")]
    assert rows[0]["detail"] == 'said "hi", then <script>'
    day = ["--from", "2026-11-03", "--to", "2026-11-03"]
    assert main(["--db", cli_db, "audit", *day, "--format", "json"]) == 0
    assert [row["action"] for row in json.loads(capsys.readouterr().out)] == ["export"]


def test_rehab_audit_csv_and_table(cli_db, capsys):
    assert main(["--db", cli_db, "audit", "--user", "lea", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["action"] for row in rows] == ["patient_view", "export"]
    assert rows[0]["detail"] == 'said "hi", then <script>'
    assert main(["--db", cli_db, "audit"]) == 0
    table = capsys.readouterr().out
    assert "acknowledge" in table and "patient_view" in table


def test_rehab_audit_refuses_a_bad_date(cli_db, capsys):
    with pytest.raises(SystemExit):
        main(["--db", cli_db, "audit", "--from", "yesterday"])
    assert "not a date" in capsys.readouterr().err
