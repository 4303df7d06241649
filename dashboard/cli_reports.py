"""`rehab report clinic` and `rehab report patient`: write report files (PDF, XLSX, CSV)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from dashboard.access import Viewer
from dashboard.db import open_database

CLINIC_FORMATS = (".pdf", ".xlsx", ".csv")
PATIENT_FORMATS = (".pdf",)


def _date(text: str) -> dt.date:
    """Parse a YYYY-MM-DD argument."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it like 2026-11-22") from None


def _format(out: str, allowed: tuple[str, ...], what: str) -> str:
    """Return the format the output file's extension names, or raise ValueError listing the formats."""
    suffix = Path(out).suffix.lower()
    if suffix not in allowed:
        given = f"{suffix!r}" if suffix else "no extension"
        raise ValueError(f"cannot write a {what} to {out}: {given} is not a report format; "
                         f"end the file name with {', '.join(allowed)}")
    return suffix


def _clinic(args: argparse.Namespace) -> int:
    """Write the weekly clinic report."""
    from dashboard.reports import clinic_report_csv, clinic_report_pdf, clinic_report_xlsx, write_atomically

    builders = {".pdf": clinic_report_pdf, ".xlsx": clinic_report_xlsx, ".csv": clinic_report_csv}
    try:
        suffix = _format(args.out, CLINIC_FORMATS, "clinic report")
        data = builders[suffix](
            open_database(args.db), Viewer.system(), args.week, clinician=args.clinician, as_of=args.as_of
        )
    except (ValueError, LookupError) as error:
        print(f"rehab: {error}", file=sys.stderr)
        return 2
    print(write_atomically(args.out, data))
    return 0


def _patient(args: argparse.Namespace) -> int:
    """Write a patient progress report."""
    from dashboard.reports import patient_report_pdf, write_atomically

    try:
        _format(args.out, PATIENT_FORMATS, "patient report")
        data = patient_report_pdf(
            open_database(args.db), Viewer.system(), args.patient, args.date_from, args.date_to,
            pseudonymous=args.pseudonymous, as_of=args.as_of,
        )
    except LookupError as error:
        print(f"rehab: {error.args[0] if error.args else error}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"rehab: {error}", file=sys.stderr)
        return 2
    print(write_atomically(args.out, data))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add `rehab report clinic` and `rehab report patient`."""
    report = commands.add_parser("report", help="write a clinic or patient report (PDF, XLSX, CSV)")
    kinds = report.add_subparsers(dest="report", required=True, metavar="REPORT")

    clinic = kinds.add_parser(
        "clinic", help="weekly clinic report: triage of every patient for an ISO week",
        description="Weekly clinic report. The format follows --out: .pdf (cover, triage, a page per red or "
        "amber patient), .xlsx (Summary, Alerts, Daily sheets) or .csv (the triage table).",
    )
    clinic.add_argument("--week", required=True, help="ISO week, like 2026-W46")
    clinic.add_argument("--clinician", default=None, help="only this clinician's patients")
    clinic.add_argument("--as-of", type=_date, default=None, help="compute as of this date (default: today)")
    clinic.add_argument("--out", required=True, help="file to write: .pdf, .xlsx or .csv")
    clinic.set_defaults(handler=_clinic)

    patient = kinds.add_parser(
        "patient", help="patient progress report (PDF) over a date range",
        description="Patient progress report: pain, reps against target, 24-hour responses, stage timeline, "
        "alerts and weekly adherence.",
    )
    patient.add_argument("--patient", required=True, help="patient id, like P007")
    patient.add_argument("--from", dest="date_from", type=_date, default=None,
                         help="first day, YYYY-MM-DD (default: 12 weeks before --to, or the programme start)")
    patient.add_argument("--to", dest="date_to", type=_date, default=None,
                         help="last day, YYYY-MM-DD (default: today, or the discharge date)")
    patient.add_argument("--as-of", type=_date, default=None, help="compute as of this date (default: today)")
    patient.add_argument(
        "--pseudonymous", action="store_true", help="print the patient id only, not the name"
    )
    patient.add_argument("--out", required=True, help="file to write: .pdf")
    patient.set_defaults(handler=_patient)
