"""`rehab programme`: a patient's loading programme on the command line, set and audited like the app's."""

from __future__ import annotations

import argparse
import sys

# dashboard.programme (and pandas with it) is imported by the handlers that use it: see dashboard/cli.py.
from dashboard import metrics
from dashboard.access import Viewer
from dashboard.cli_metrics import _date, _fail
from dashboard.db import open_database
from dashboard.output import FORMATS, write_frame


def _set(args: argparse.Namespace) -> int:
    """Prescribe, change or stop one exercise from a date; print what changed."""
    from dashboard import programme

    stops = args.days.strip().lower() == "none"
    missing = [
        flag for flag, value in (("--stage", args.stage), ("--sets", args.sets), ("--reps", args.reps))
        if value is None
    ]
    if missing and not stops:
        given = ", ".join(missing)
        return _fail(ValueError(f"not saved: give {given} (only --days none may leave them out)"))
    try:
        change = programme.set_item(
            open_database(args.db), Viewer.system(), args.patient, args.date_from, args.exercise, args.stage,
            args.sets, args.reps, args.days, hold_s=args.hold_s, load_kg=args.load_kg, reason=args.reason,
        )
    except programme.ProgrammeRefused as refused:
        return _fail(ValueError(f"not saved: {refused}"))
    if change is None:
        print(f"nothing changed: {args.patient}'s programme from {args.date_from} already prescribes this")
        return 0
    print(f"{args.patient} from {change.effective_from}: {change.describe()}")
    return 0


def _show(args: argparse.Namespace) -> int:
    """Print the items in effect on a day."""
    from dashboard import programme

    day = args.as_of or metrics._today()
    try:
        frame = programme.items_in_effect(open_database(args.db), Viewer.system(), args.patient, day)
    except programme.ProgrammeRefused as refused:
        return _fail(ValueError(str(refused)))
    if frame.empty and args.format == "table":
        print(f"no programme items in effect for {args.patient} on {day}")
        return 0
    write_frame(frame, args.format, sys.stdout)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add `rehab programme set` and `rehab programme show`."""
    group = commands.add_parser(
        "programme", help="a patient's prescribed exercises, each effective from a date"
    )
    actions = group.add_subparsers(dest="programme_command", required=True, metavar="ACTION")

    change = actions.add_parser(
        "set", help="prescribe, change or stop (--days none) an exercise from a date; days before it keep "
        "what they had"
    )
    change.add_argument("patient", metavar="PATIENT", help="patient id")
    change.add_argument("--from", dest="date_from", type=_date, required=True,
                        help="first day the prescription holds, YYYY-MM-DD")
    change.add_argument("--exercise", required=True, metavar="NAME",
                        help="exercise name (compared trimmed and case-insensitively)")
    change.add_argument("--stage", default=None, metavar="S",
                        help="isometric, isotonic, heavy_slow, eccentric, energy_storage, plyometric or "
                        "other")
    change.add_argument("--sets", type=int, default=None, metavar="N", help="sets, 1 to 100")
    change.add_argument("--reps", type=int, default=None, metavar="N",
                        help="reps per set, 1 to 1000 (a hold is sets x 1 rep)")
    change.add_argument("--days", required=True, metavar="DAYS",
                        help="daily, weekdays like mon,wed,fri, or none to stop the exercise (then --stage, "
                        "--sets and --reps may be left out)")
    change.add_argument("--hold-s", type=float, default=None, metavar="N",
                        help="hold in seconds, more than 0")
    change.add_argument("--load-kg", type=float, default=None, metavar="X", help="load in kg, 0 or more")
    change.add_argument("--reason", default=None, help="why, for the history and the audit trail")
    change.set_defaults(handler=_set)

    show = actions.add_parser("show", help="the items in effect on a day")
    show.add_argument("patient", metavar="PATIENT", help="patient id")
    show.add_argument("--as-of", type=_date, default=None, help="the day, YYYY-MM-DD (default: today)")
    show.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    show.set_defaults(handler=_show)
