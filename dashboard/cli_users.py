"""`rehab user ...` and `rehab audit`: manage dashboard accounts and read the audit trail."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys

# dashboard.auth (and pandas with it) is imported by the handlers that use it: see dashboard/cli.py.
from dashboard.access import ROLES
from dashboard.db import open_database
from dashboard.output import FORMATS, write_frame, write_relation
from dashboard.relations import named_relation


def _read_password(confirm: bool) -> str:
    """Return a new password: prompted twice on a terminal, else the first line of stdin."""
    from dashboard import auth

    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    first = getpass.getpass("Password: ")
    if confirm and getpass.getpass("Repeat the password: ") != first:
        raise auth.AccountError("the two passwords differ")
    return first


def _fail(error: Exception) -> int:
    """Print a refused change and return the exit status for it."""
    print(f"rehab: {error}", file=sys.stderr)
    return 1


def _add(args: argparse.Namespace) -> int:
    """Create an account."""
    from dashboard import auth

    try:
        name = auth.add_user(
            open_database(args.db), args.name, _read_password(confirm=True), args.role,
            clinician=args.clinician, email=args.email,
        )
    except auth.AccountError as error:
        return _fail(error)
    viewer = auth.current_viewer(open_database(args.db), name)
    scope = viewer.clinician_scope
    scope = "every patient" if scope is None else f"the patients of clinician {scope!r}"
    print(f"added {args.role} {name}: sees {scope}")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    """Set a new password."""
    from dashboard import auth

    try:
        auth.set_password(open_database(args.db), args.name, _read_password(confirm=True))
    except auth.AccountError as error:
        return _fail(error)
    print(f"changed the password of {args.name}")
    return 0


def _disable(args: argparse.Namespace) -> int:
    """Disable an account."""
    from dashboard import auth

    try:
        auth.set_disabled(open_database(args.db), args.name, True)
    except auth.AccountError as error:
        return _fail(error)
    print(f"disabled {args.name}: it can no longer sign in")
    return 0


def _enable(args: argparse.Namespace) -> int:
    """Enable an account again."""
    from dashboard import auth

    try:
        auth.set_disabled(open_database(args.db), args.name, False)
    except auth.AccountError as error:
        return _fail(error)
    print(f"enabled {args.name}")
    return 0


def _list(args: argparse.Namespace) -> int:
    """List accounts, never their password hashes."""
    from dashboard import auth

    frame = auth.list_users(open_database(args.db))
    # Blank, not "NaT", for accounts that were never locked.
    write_frame(frame.astype(object).where(frame.notna(), None), args.format, sys.stdout)
    return 0


def _demo_accounts(args: argparse.Namespace) -> int:
    """Create the demo accounts on a database with none, and print their passwords once."""
    from dashboard import auth

    database = open_database(args.db)
    created = auth.create_demo_accounts(database)
    if not created:
        print(_existing_accounts_note(set(auth.list_users(database)["username"])))
        return 0
    print("Demo accounts (shown once; change them with `rehab user passwd NAME`):")
    for username, password in created:
        print(f"  {username:<12} {password}")
    return 0


def _existing_accounts_note(usernames: set[str]) -> str:
    """Return what a second run says: which accounts exist already and how to reset a password."""
    from dashboard import auth

    demo = [name for name in (auth.DEMO_ADMIN, auth.DEMO_CLINICIAN) if name in usernames]
    if demo:
        said = f"The demo accounts exist already ({', '.join(demo)}); their passwords were shown once, "
        said += "when they were created."
    else:
        said = f"This database has accounts already ({len(usernames)}), so no demo accounts were created."
    return (
        f"{said} To set a new password: rehab user passwd NAME (it also ends a lockout). "
        "To see every account: rehab user list."
    )


def _date(text: str) -> dt.date:
    """Parse a YYYY-MM-DD argument."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-23") from None


def _audit(args: argparse.Namespace) -> int:
    """Print the audit trail, the rows and columns of auth.audit_frame, written by DuckDB for json and csv."""
    rows = named_relation(
        open_database(args.db), "audit_trail", date_from=args.date_from, date_to=args.date_to,
        actor=args.user, patient_id=args.patient,
    )
    write_relation(rows, args.format, sys.stdout)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add `rehab user ...` and `rehab audit`."""
    user = commands.add_parser("user", help="manage dashboard accounts")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="add an account; the password is prompted for, or read from stdin")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument(
        "--clinician", default=None,
        help="the patients.clinician value this clinician may see (default: NAME), e.g. \"Sam Patel\"",
    )
    add.add_argument("--email", default=None, help="the address the sign-on provider reports for this person")
    add.set_defaults(handler=_add)

    passwd = actions.add_parser("passwd", help="set a new password (also ends a lockout)")
    passwd.add_argument("name")
    passwd.set_defaults(handler=_passwd)

    disable = actions.add_parser("disable", help="stop an account from signing in")
    disable.add_argument("name")
    disable.set_defaults(handler=_disable)

    enable = actions.add_parser("enable", help="let a disabled account sign in again")
    enable.add_argument("name")
    enable.set_defaults(handler=_enable)

    listing = actions.add_parser("list", help="list accounts (never their password hashes)")
    listing.add_argument("--format", choices=FORMATS, default="table")
    listing.set_defaults(handler=_list)

    demo = actions.add_parser("demo-accounts", help="on a database with no accounts, create demo accounts")
    demo.set_defaults(handler=_demo_accounts)

    audit = commands.add_parser("audit", help="show the audit trail: sign-ins, patient views, exports, ...")
    audit.add_argument("--from", dest="date_from", type=_date, default=None, help="first UTC day, YYYY-MM-DD")
    audit.add_argument("--to", dest="date_to", type=_date, default=None, help="last day, YYYY-MM-DD (UTC)")
    audit.add_argument("--user", default=None, help="only this actor (a username, or cli)")
    audit.add_argument("--patient", default=None, help="only this patient id")
    audit.add_argument("--format", choices=FORMATS, default="table")
    audit.set_defaults(handler=_audit)
