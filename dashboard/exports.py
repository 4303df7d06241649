"""Downloads from the app: clinic and patient reports, named for what they hold and audited."""

from __future__ import annotations

import datetime as dt

from dashboard import auth
from dashboard.access import Viewer
from dashboard.caseload import require_patient
from dashboard.db import Database
from dashboard.triage import folded

EXPORT_MIME = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}

def _slug(text: str) -> str:
    """Return text safe for a file name: letters, digits and dashes."""
    kept = "".join(char if char.isalnum() else "-" for char in text)
    return "-".join(part for part in kept.split("-") if part) or "all"

def clinic_export_name(week: str, clinician: str | None, fmt: str, clinician_scope: str | None = None) -> str:
    """Return the download's file name for a clinic report: whose patients, the week and the format.

    E.g. clinic-report_lea-moreau_2026-W47.pdf (the extension names the format); a clinician's own export
    is named for them, never 'all'.
    """
    if fmt not in EXPORT_MIME:
        raise ValueError(f"unknown export format {fmt!r}")
    whose = clinician or clinician_scope
    return f"clinic-report_{_slug(folded(whose)) if whose else 'all-clinicians'}_{week}.{fmt}"

def patient_export_name(patient_id: str, date_from: dt.date, date_to: dt.date) -> str:
    """Return the download's file name for a patient report (the id only, never the name)."""
    return f"patient-report_{_slug(patient_id)}_{date_from.isoformat()}_{date_to.isoformat()}.pdf"

def export_viewer(db: Database, viewer: Viewer) -> Viewer:
    """Return the viewer as the account stands now; a disabled or removed account may not export."""
    if viewer == Viewer.system():
        return viewer
    fresh = auth.current_viewer(db, viewer.username)
    if fresh is None:
        raise PermissionError(f"the account {viewer.username} is no longer active")
    return fresh

def clinic_export(
    db: Database, viewer: Viewer, fmt: str, week: str, clinician: str | None = None,
    as_of: dt.date | None = None,
) -> bytes:
    """Build the weekly clinic report (pdf, xlsx or csv) for the viewer's patients and audit the export."""
    from dashboard import reports  # fpdf and chart rendering load only when someone exports

    builders = {"pdf": reports.clinic_report_pdf, "xlsx": reports.clinic_report_xlsx}
    build = builders.get(fmt, reports.clinic_report_csv) if fmt in EXPORT_MIME else None
    if build is None:
        raise ValueError(f"unknown export format {fmt!r}")
    viewer = export_viewer(db, viewer)
    data = build(db, viewer, week, clinician=clinician, as_of=as_of)
    auth.record(db, viewer, "export", detail=clinic_export_detail(db, viewer, fmt, week, clinician, as_of))
    return data

def clinic_export_detail(
    db: Database, viewer: Viewer, fmt: str, week: str, clinician: str | None = None,
    as_of: dt.date | None = None,
) -> str:
    """Return the audit's words for a clinic report: format, week, whose patients and how many it holds."""
    from dashboard import metrics

    # The same rows the report is built from: the viewer's scope, then the clinician chosen.
    review = metrics.weekly_review(db, viewer, week, as_of=as_of)
    if clinician:
        review = review[review["clinician"] == clinician]
    whose = clinician or viewer.clinician_scope
    holds = f"{whose}'s patients" if whose else "all clinicians' patients"
    if clinician and viewer.clinician_scope and clinician != viewer.clinician_scope:
        holds += f" among {viewer.clinician_scope}'s"
    detail = f"clinic report {fmt}, week {week}, {holds} ({len(review)})"
    return detail + (f", as of {as_of.isoformat()}" if as_of else "")

def patient_export(
    db: Database, viewer: Viewer, patient_id: str, date_from: dt.date, date_to: dt.date, *,
    pseudonymous: bool = False, as_of: dt.date | None = None,
) -> bytes:
    """Build a patient's progress report PDF for a patient the viewer may see and audit the export."""
    from dashboard import reports  # fpdf and chart rendering load only when someone exports

    viewer = export_viewer(db, viewer)
    require_patient(db, viewer, patient_id)
    data = reports.patient_report_pdf(
        db, viewer, patient_id, date_from, date_to, pseudonymous=pseudonymous, as_of=as_of
    )
    detail = f"patient report pdf, {date_from.isoformat()} to {date_to.isoformat()}" + (
        ", pseudonymous" if pseudonymous else ""
    )
    auth.record(db, viewer, "export", patient_id=patient_id, detail=detail)
    return data
