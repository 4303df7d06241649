"""`rehab tolerance`: what each patient tolerates, and the clinic's loads that most often precede flares."""

from __future__ import annotations

import argparse
import sys

# dashboard.tolerance (and pandas with it) is imported by the handlers that use it: see dashboard/cli.py.
from dashboard import metrics
from dashboard.access import Viewer
from dashboard.cli_metrics import _date, _fail
from dashboard.db import open_database
from dashboard.output import FORMATS, write_frame


def _tolerance(args: argparse.Namespace) -> int:
    """Print one patient's load kinds with their next-morning responses, or the clinic view."""
    from dashboard import tolerance

    database = open_database(args.db)
    try:
        if args.clinic:
            frame = tolerance.clinic_tolerance(
                database, Viewer.system(), args.date_from, args.date_to, as_of=args.as_of
            )
        else:
            frame = tolerance.patient_tolerance(
                database, Viewer.system(), args.patient, args.date_from, args.date_to, as_of=args.as_of
            )
    except (ValueError, metrics.UnknownPatient) as error:
        return _fail(error)
    write_frame(frame, args.format, sys.stdout)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add `rehab tolerance`."""
    parser = commands.add_parser(
        "tolerance",
        help="what a patient tolerates: the next-morning response with and without each exercise and "
        "activity (an association, not proof of cause); --clinic for the clinic view",
    )
    whose = parser.add_mutually_exclusive_group(required=True)
    whose.add_argument("--patient", default=None, help="patient id")
    whose.add_argument("--clinic", action="store_true", help="every patient's kinds, one row per kind")
    parser.add_argument("--from", dest="date_from", type=_date, default=None,
                        help="first loading day, YYYY-MM-DD (default: 8 weeks before --to)")
    parser.add_argument("--to", dest="date_to", type=_date, default=None,
                        help="last loading day, YYYY-MM-DD (default: the as-of date)")
    parser.add_argument("--as-of", dest="as_of", type=_date, default=None,
                        help="use data up to this day, YYYY-MM-DD (default: today)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.set_defaults(handler=_tolerance)
