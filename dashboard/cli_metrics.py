"""`rehab review`, `rehab alerts` and `rehab response`: the clinical metrics on the command line.

JSON and CSV are written by DuckDB from the query's relation, without pandas or a Python object per row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from dashboard import metrics
from dashboard.access import Viewer
from dashboard.db import open_database
from dashboard.output import FORMATS, write_relation
from dashboard.weeks import iso_week_of, parse_iso_week


def _date(text: str) -> dt.date:
    """Parse a YYYY-MM-DD argument."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-23") from None


def _week(text: str) -> str:
    """Check an ISO week argument like 2026-W46."""
    try:
        parse_iso_week(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text.strip()


def _fail(error: Exception) -> int:
    """Print why a command cannot answer and return its exit status."""
    message = error.args[0] if isinstance(error, LookupError) and error.args else error
    print(f"rehab: {message}", file=sys.stderr)
    return 1


def _review(args: argparse.Namespace) -> int:
    """Print the weekly review."""
    as_of = args.as_of or metrics._today()
    week = args.week or iso_week_of(as_of)
    try:
        rows = metrics.weekly_review_relation(open_database(args.db), Viewer.system(), week, as_of=as_of)
    except ValueError as error:
        return _fail(error)
    write_relation(rows, args.format, sys.stdout)
    return 0


def _alerts(args: argparse.Namespace) -> int:
    """Print the alert events dated in a range."""
    try:
        rows = metrics.alert_events_relation(
            open_database(args.db), Viewer.system(), date_from=args.date_from, date_to=args.date_to,
            patient_id=args.patient, as_of=args.as_of,
        )
    except (ValueError, metrics.UnknownPatient) as error:
        return _fail(error)
    write_relation(rows, args.format, sys.stdout)
    return 0


def _response(args: argparse.Namespace) -> int:
    """Print one patient's 24-hour responses, one row per loading day."""
    try:
        rows = metrics.responses_relation(
            open_database(args.db), Viewer.system(), args.patient, date_from=args.date_from,
            date_to=args.date_to, as_of=args.as_of,
        )
    except (ValueError, metrics.UnknownPatient) as error:
        return _fail(error)
    write_relation(rows, args.format, sys.stdout)
    return 0


def _add_common(parser: argparse.ArgumentParser, *, as_of_help: str) -> None:
    """Add --as-of and --format."""
    parser.add_argument("--as-of", dest="as_of", type=_date, default=None, help=as_of_help)
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the metric subcommands."""
    review = commands.add_parser(
        "review", help="weekly review: adherence, pain, responses, alerts and risk per patient, red first"
    )
    review.add_argument(
        "--week", type=_week, default=None,
        help="ISO week like 2026-W46 (default: the week of the as-of date, i.e. this week)",
    )
    _add_common(review, as_of_help="count data up to this day, YYYY-MM-DD (default: today)")
    review.set_defaults(handler=_review)

    alerts = commands.add_parser("alerts", help="list alert events dated in a range")
    alerts.add_argument("--from", dest="date_from", type=_date, default=None,
                        help="first day, YYYY-MM-DD (default: the start of every programme)")
    alerts.add_argument("--to", dest="date_to", type=_date, default=None,
                        help="last day, YYYY-MM-DD (default: the as-of date)")
    alerts.add_argument("--patient", default=None, help="only this patient id")
    _add_common(alerts, as_of_help="compute events from data up to this day, YYYY-MM-DD (default: today)")
    alerts.set_defaults(handler=_alerts)

    response = commands.add_parser(
        "response", help="one patient's 24-hour pain responses, one row per loading day"
    )
    response.add_argument("--patient", required=True, help="patient id")
    response.add_argument("--from", dest="date_from", type=_date, default=None,
                          help="first loading day, YYYY-MM-DD (default: the programme start)")
    response.add_argument("--to", dest="date_to", type=_date, default=None,
                          help="last loading day, YYYY-MM-DD (default: the as-of date)")
    _add_common(response, as_of_help="use data up to this day, YYYY-MM-DD (default: today)")
    response.set_defaults(handler=_response)
