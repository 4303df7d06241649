"""Given a clinic with every kind of record, expect `rehab backup` then `rehab restore` to give it back."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pandas as pd
import pytest

from dashboard import alert_inbox, auth, backup, metrics, patient_settings, programme, sessions
from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.sample import SAMPLE_END
from tests.helpers import dump, rehab

ADMIN = Viewer.system()
SAM = Viewer("sam.patel", "clinician", "Sam Patel")
WEEK = "2026-W47"


def _every_kind_of_record(db: Database) -> None:
    """Add accounts, a lockout, a session, an acknowledgement, a settings change, a programme item, audit."""
    auth.add_user(db, "sam.patel", "correct horse battery", "clinician", clinician="Sam Patel")
    auth.add_user(db, "boss", "another long password", "admin", email="boss@example.org")
    for _ in range(auth.MAX_FAILED_LOGINS):
        auth.attempt_login(db, "boss", "wrong password!")
    auth.attempt_login(db, "sam.patel", "correct horse battery")
    sessions.start(db, "sam.patel", b"k" * 32)
    event = metrics.alert_events(db, ADMIN, as_of=SAMPLE_END).iloc[0]
    alert_inbox.acknowledge_alert(db, ADMIN, event["patient_id"], event["rule"], event["date"], "called them")
    patient_settings.change_settings(db, ADMIN, "P010", SAMPLE_END - dt.timedelta(days=10),
                                     {"pain_ceiling": 4.5}, reason="sore after the match")
    programme.set_item(db, ADMIN, "P010", SAMPLE_END - dt.timedelta(days=5), "Calf raise", "isotonic", 3, 12,
                       "mon,wed,fri", load_kg=10.0)
    auth.record(db, SAM, "patient_view", patient_id="P010", detail="patient page")


def _outputs(db: Database) -> dict[str, pd.DataFrame]:
    """Return what the clinic shows: the review, the alerts, the audit trail and the accounts."""
    return {
        "review": metrics.weekly_review(db, ADMIN, WEEK, as_of=SAMPLE_END),
        "alerts": metrics.alert_events(db, ADMIN, as_of=SAMPLE_END),
        "audit": auth.audit_frame(db),
        "accounts": auth.list_users(db),
    }


@pytest.fixture
def full_clinic(sample_db: Database) -> Database:
    """Return the sample clinic with every kind of record the app writes."""
    _every_kind_of_record(sample_db)
    return sample_db


def test_given_a_clinic_with_every_record_expect_backup_then_restore_to_give_it_back_exactly(
    full_clinic, tmp_path, capsys
):
    before = _outputs(full_clinic)
    source = full_clinic.path
    full_clinic.close()
    code, out, err = rehab(capsys, source, "backup", "--out", tmp_path / "backups")
    assert code == 0, err
    [folder] = backup.list_backups(tmp_path / "backups")
    assert str(folder) in out
    restored = tmp_path / "restored.duckdb"
    code, out, err = rehab(capsys, restored, "restore", folder)
    assert code == 0, err
    assert "every count and checksum as the manifest says" in out
    assert "users: 2 rows" in out
    assert dump(restored) == dump(source)
    again = Database(restored)
    try:
        after = _outputs(again)
    finally:
        again.close()
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, obj=name)
    # The restored file goes on where the clinic stopped: new rows get new ids.
    assert dump(restored)["audit_log"] and max(row[0] for row in dump(restored)["audit_log"]) > 0


def test_given_a_backup_expect_a_manifest_with_counts_checksums_and_owner_only_files(full_clinic, tmp_path):
    moment = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
    taken = backup.take_backup(full_clinic, tmp_path / "backups", now=moment)
    assert taken.path.name == "rehab-backup_20261123T020000Z"
    manifest = json.loads((taken.path / "manifest.json").read_text())
    assert manifest["created_at"] == "2026-11-23T02:00:00+00:00"
    assert manifest["schema_version"] == full_clinic.schema_version()
    assert manifest["tables"]["users"] == {"rows": 2, "files": ["users.parquet"]}
    assert manifest["tables"]["alert_acknowledgements"]["rows"] == 1
    assert manifest["tables"]["settings_changes"]["rows"] >= 1
    assert set(manifest["checksums"]) >= {"schema.sql", "load.sql", "users.parquet", "audit_log.parquet"}
    for path in [taken.path, *taken.path.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700


def test_given_two_backups_in_one_second_expect_two_folders_and_the_newest_found(db, tmp_path):
    moment = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
    first = backup.take_backup(db, tmp_path, now=moment)
    second = backup.take_backup(db, tmp_path, now=moment)
    names = [first.path.name, second.path.name]
    assert names == ["rehab-backup_20261123T020000Z", "rehab-backup_20261123T020000Z-2"]
    assert backup.newest_backup(tmp_path).path == second.path


def test_given_a_damaged_backup_expect_restore_to_name_the_file_and_restore_nothing(
    full_clinic, tmp_path, capsys
):
    taken = backup.take_backup(full_clinic, tmp_path / "backups")
    users = taken.path / "export" / "users.parquet"
    users.chmod(0o600)
    users.write_bytes(users.read_bytes()[:-10] + b"0123456789")
    target = tmp_path / "restored.duckdb"
    code, _, err = rehab(capsys, target, "restore", taken.path)
    assert code == 1
    assert "users.parquet: its checksum differs from the manifest's (changed or damaged)" in err
    assert "nothing was restored" in err
    assert not target.exists()


def test_given_a_manifest_count_that_differs_expect_restore_to_say_which_table(full_clinic, tmp_path, capsys):
    taken = backup.take_backup(full_clinic, tmp_path / "backups")
    manifest_path = taken.path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["patients"]["rows"] += 1
    manifest_path.write_text(json.dumps(manifest))
    target = tmp_path / "restored.duckdb"
    code, _, err = rehab(capsys, target, "restore", taken.path)
    assert code == 1
    assert "patients: 24 rows restored, the manifest says 25" in err
    assert not target.exists()


def test_given_an_existing_database_as_target_expect_restore_to_refuse_it(full_clinic, tmp_path, capsys):
    taken = backup.take_backup(full_clinic, tmp_path / "backups")
    code, _, err = rehab(capsys, full_clinic.path, "restore", taken.path)
    assert code == 1
    assert "exists already; restore into a new file" in err


def test_given_a_folder_that_is_not_a_backup_expect_restore_to_say_so(tmp_path, capsys):
    code, _, err = rehab(capsys, tmp_path / "new.duckdb", "restore", tmp_path)
    assert code == 1
    assert "holds no backups" in err


def test_given_a_backup_expect_its_zip_to_hold_every_file_under_its_folder(full_clinic, tmp_path):
    import io
    import zipfile

    taken = backup.take_backup(full_clinic, tmp_path / "backups")
    names = zipfile.ZipFile(io.BytesIO(backup.zip_bytes(taken))).namelist()
    assert f"{taken.path.name}/manifest.json" in names
    assert f"{taken.path.name}/export/users.parquet" in names


