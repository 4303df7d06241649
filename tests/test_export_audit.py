"""Given clinic report exports, expect the audit to name what each file holds: whose patients, how many."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from dashboard import auth, exports
from dashboard.access import Viewer
from dashboard.db import Database

WEEK = "2026-W47"  # the sample clinic's last complete week
AS_OF = dt.date(2026, 11, 23)
PASSWORD = "test-only password"


def export_audit(db: Database) -> list[tuple[str, str | None, str]]:
    """Return the export rows of the audit trail, oldest first."""
    return (
        db.session()
        .cursor.execute(
            "select actor, patient_id, detail from audit_log where action = 'export' order by audit_id"
        )
        .fetchall()
    )


def listed(csv_bytes: bytes) -> set[str]:
    """Return the patient ids a clinic report CSV holds."""
    return {row["Patient ID"] for row in csv.DictReader(csv_bytes.decode("utf-8-sig").splitlines())}


@pytest.fixture
def sam(sample_db: Database) -> Viewer:
    """Return Sam Patel's clinician account, who sees only their own patients."""
    auth.add_user(sample_db, "sam", PASSWORD, "clinician", clinician="Sam Patel")
    return auth.current_viewer(sample_db, "sam")


def test_given_a_clinicians_export_without_a_filter_expect_their_patients_named_not_all_clinicians(
    sample_db: Database, sam: Viewer
) -> None:
    theirs = listed(exports.clinic_export(sample_db, sam, "csv", WEEK, None, as_of=AS_OF))
    exports.clinic_export(sample_db, sam, "pdf", WEEK, None)
    assert 0 < len(theirs) < 24
    holds = f"Sam Patel's patients ({len(theirs)})"
    assert export_audit(sample_db) == [
        ("sam", None, f"clinic report csv, week {WEEK}, {holds}, as of 2026-11-23"),
        ("sam", None, f"clinic report pdf, week {WEEK}, {holds}"),
    ]
    assert not any("all clinicians" in detail for _, _, detail in export_audit(sample_db))


def test_given_an_admins_exports_expect_the_whole_clinic_or_the_chosen_clinician_counted(
    sample_db: Database,
) -> None:
    admin = Viewer.system()
    everyone = listed(exports.clinic_export(sample_db, admin, "csv", WEEK, None, as_of=AS_OF))
    leas = listed(exports.clinic_export(sample_db, admin, "csv", WEEK, "Léa Moreau", as_of=AS_OF))
    assert len(everyone) >= 20 and 0 < len(leas) < len(everyone)
    assert [detail for _, _, detail in export_audit(sample_db)] == [
        f"clinic report csv, week {WEEK}, all clinicians' patients ({len(everyone)}), as of 2026-11-23",
        f"clinic report csv, week {WEEK}, Léa Moreau's patients ({len(leas)}), as of 2026-11-23",
    ]


def test_given_a_clinician_asking_for_another_clinicians_patients_expect_the_empty_file_said_so(
    sample_db: Database, sam: Viewer
) -> None:
    held = listed(exports.clinic_export(sample_db, sam, "csv", WEEK, "Tom Becker", as_of=AS_OF))
    assert held == set()
    assert export_audit(sample_db)[-1][2] == (
        f"clinic report csv, week {WEEK}, Tom Becker's patients among Sam Patel's (0), as of 2026-11-23"
    )
