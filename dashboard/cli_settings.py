"""`rehab settings`: a patient's effective-dated settings on the command line, audited like the app's."""

from __future__ import annotations

import argparse
import sys

# dashboard.patient_settings (and pandas with it) is imported by the handlers that use it (see cli.py).
from dashboard.access import Viewer
from dashboard.cli_metrics import _date, _fail
from dashboard.db import open_database
from dashboard.output import FORMATS, write_frame


def _acceptable(text: str) -> float | None:
    """Parse --acceptable-pain: a score, or none for 'learn from the patient's mornings'."""
    if text.strip().lower() == "none":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a score like 3.5, or none") from None


def _set(args: argparse.Namespace) -> int:
    """Record a settings change from a date; print what changed."""
    from dashboard import patient_settings

    proposed = {
        field: value
        for field, value in (
            ("daily_rep_target", args.daily_rep_target),
            ("pain_ceiling", args.pain_ceiling),
            ("flare_threshold", args.flare_threshold),
        )
        if value is not None
    }
    if args.acceptable_pain is not _UNSET:
        proposed["acceptable_pain"] = args.acceptable_pain
    if not proposed:
        return _fail(ValueError("name at least one setting to change (see rehab settings set --help)"))
    try:
        changes = patient_settings.change_settings(
            open_database(args.db), Viewer.system(), args.patient, args.date_from, proposed,
            reason=args.reason,
        )
    except patient_settings.SettingsRefused as refused:
        return _fail(ValueError(f"not saved: {refused}"))
    if not changes:
        print(f"nothing changed: {args.patient}'s settings on {args.date_from} are already these")
        return 0
    print(f"{args.patient} from {args.date_from}: " + "; ".join(change.describe() for change in changes))
    return 0


def _history(args: argparse.Namespace) -> int:
    """Print a patient's settings history."""
    from dashboard import patient_settings

    database = open_database(args.db)
    try:
        patient_settings.settings_on(database, Viewer.system(), args.patient, args.date_today)
    except patient_settings.SettingsRefused as refused:
        return _fail(ValueError(str(refused)))
    history = patient_settings.settings_history(database, Viewer.system(), args.patient)
    write_frame(history, args.format, sys.stdout)
    return 0


_UNSET = object()


def register(commands: argparse._SubParsersAction) -> None:
    """Add `rehab settings set` and `rehab settings history`."""
    import datetime as dt

    settings = commands.add_parser(
        "settings", help="a patient's settings, effective from a date, with history"
    )
    actions = settings.add_subparsers(dest="settings_command", required=True, metavar="ACTION")

    change = actions.add_parser(
        "set", help="change settings from a date; days before it keep the settings they had"
    )
    change.add_argument("patient", metavar="PATIENT", help="patient id")
    change.add_argument("--from", dest="date_from", type=_date, required=True,
                        help="first day the change holds, YYYY-MM-DD")
    change.add_argument("--daily-rep-target", type=int, default=None)
    change.add_argument("--pain-ceiling", type=float, default=None)
    change.add_argument("--flare-threshold", type=float, default=None)
    change.add_argument("--acceptable-pain", type=_acceptable, default=_UNSET,
                        help="the morning level this patient is comfortable with, or none to learn it "
                        "from their own mornings")
    change.add_argument("--reason", default=None, help="why, for the history and the audit trail")
    change.set_defaults(handler=_set)

    history = actions.add_parser("history", help="every settings version in words, with who, when and why")
    history.add_argument("patient", metavar="PATIENT", help="patient id")
    history.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    history.set_defaults(handler=_history, date_today=dt.date.today())
