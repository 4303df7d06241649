"""Reports: the weekly clinic report (PDF, XLSX, CSV) and the patient progress report (PDF), as bytes."""

from __future__ import annotations

from dashboard.reports.clinic import clinic_report_csv, clinic_report_pdf, clinic_report_xlsx
from dashboard.reports.output import write_atomically
from dashboard.reports.patient import patient_report_pdf

__all__ = [
    "clinic_report_csv", "clinic_report_pdf", "clinic_report_xlsx", "patient_report_pdf", "write_atomically",
]
