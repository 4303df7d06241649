"""The `rehab` command: the server admin's tool, with full access to every patient."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from dashboard import cli_held
from dashboard.backup import BackupError, restore_to_temporary
from dashboard.db import DB_ENV_VAR, DEFAULT_DB_PATH, DatabaseError, close_database, open_database

# Every command's parser is built on each run, so the modules imported here and by each cli_* module's
# register stay light: a command's heavy dependencies (pandas, pyarrow, argon2, the importer, the sample
# generator) are imported by its handler, and `rehab alerts --format json` loads none it does not use.

DB_HELP = f"database file (default: ${DB_ENV_VAR}, else {DEFAULT_DB_PATH}); before or after the command"
_DB_AFTER = "db_after_command"


class _RehabParser(argparse.ArgumentParser):
    """The top-level parser: one --db, whether it came before the subcommand or after it."""

    def parse_known_args(self, args=None, namespace=None):
        """Parse, then fold a --db given after the subcommand into args.db; refuse two different ones."""
        parsed, extras = super().parse_known_args(args, namespace)
        after = vars(parsed).pop(_DB_AFTER, None)
        if after is not None:
            if parsed.db is not None and parsed.db != after:
                self.error(f"--db is given twice, as {parsed.db} and as {after}; give the database once")
            parsed.db = after
        return parsed, extras


def _import(args: argparse.Namespace) -> int:
    """Import log files; exit 1 if any file was refused."""
    from dashboard.importer import import_paths

    result = import_paths(open_database(args.db), args.files, replace=args.replace, dry_run=args.dry_run)
    print(result.report(), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def _demo(args: argparse.Namespace) -> int:
    """Load the sample clinic generated to end yesterday (or on --end); the same one again adds nothing."""
    from dashboard import metrics  # its today is the one seam tests move, for the CLI as for the metrics
    from dashboard.importer import import_sources
    from dashboard.sample import clinic_csv_bytes, demo_end, generate_clinic

    database = open_database(args.db)
    if args.if_empty and database.value("patient_count"):
        print(f"{database.path} already has patients; the sample clinic was not loaded")
        return 0
    end = args.end or demo_end(metrics._today())
    files = clinic_csv_bytes(generate_clinic(end=end))
    # Named for the day the sample ends: the import history tells one day's sample from another's.
    sources = [(f"sample-clinic_{end.isoformat()}_{name}", data) for name, data in files.items()]
    # Each log is written in its own transaction, so a clash is looked for first: a sample loaded on
    # another day must not get this one's exercises beside its own.
    if database.value("patient_count") and not import_sources(database, sources, dry_run=True).ok:
        print(
            f"rehab: {database.path} holds patients that differ from the sample clinic ending {end} (a "
            "sample loaded on another day, or a clinic of its own); nothing was loaded. Load the demo into a "
            "new database (--db NEW_FILE), or give --end the day the loaded sample ends.",
            file=sys.stderr,
        )
        return 1
    result = import_sources(database, sources, actor="demo")
    print(result.report(), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def _date(text: str) -> dt.date:
    """Parse a YYYY-MM-DD argument."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-22") from None


def _generate(args: argparse.Namespace) -> int:
    """Write a synthetic clinic as CSV files."""
    from dashboard.sample import write_clinic

    written = write_clinic(args.out, patients=args.patients, days=args.days, seed=args.seed, end=args.end)
    for path, rows in written.items():
        print(f"{path}: {rows} rows")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    parser = _RehabParser(
        prog="rehab",
        description="Tendon rehab dashboard: import patient logs, review the clinic, export reports. "
        "The CLI is the server admin's tool and sees every patient.",
    )
    parser.add_argument("--db", help=DB_HELP, default=None)
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=argparse.ArgumentParser
    )

    importing = commands.add_parser(
        "import", help="import CSV or XLSX logs; a file with any bad row is refused whole"
    )
    importing.add_argument("files", nargs="+", metavar="FILE")
    importing.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
    importing.add_argument(
        "--replace", action="store_true",
        help="accept pain scores and patient details that differ from stored ones "
        "(old values are kept in history)",
    )
    importing.set_defaults(handler=_import)

    demo = commands.add_parser(
        "demo", help="load the synthetic sample clinic, its last logged day yesterday: the review opens on "
        "its story"
    )
    demo.add_argument("--if-empty", action="store_true", help="only when the database has no patients yet")
    demo.add_argument(
        "--end", type=_date, default=None,
        help="last logged day, YYYY-MM-DD (default: yesterday); --end 2026-11-22 loads sample_data/ exactly",
    )
    demo.set_defaults(handler=_demo)

    generate = commands.add_parser("generate", help="write a deterministic synthetic clinic as CSV files")
    generate.add_argument("--out", required=True, help="folder to write patients.csv, pain.csv, ...")
    generate.add_argument("--patients", type=int, default=24)
    generate.add_argument("--days", type=int, default=84)
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument(
        "--end", type=_date, default=None, help="last logged day, YYYY-MM-DD (default: the sample clinic's)"
    )
    generate.set_defaults(handler=_generate)

    for register in _command_modules():
        register(commands)
    cli_held.accept_from_backup(parser)
    _accept_db_after_every_command(parser)
    return parser


def _accept_db_after_every_command(parser: argparse.ArgumentParser) -> None:
    """Let --db follow any subcommand too (`rehab report clinic ... --db copy.duckdb`), at every level."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for subparser in action.choices.values():
            if "--db" not in subparser._option_string_actions:
                # SUPPRESS: a subcommand without --db leaves the value given before it (or None) untouched.
                subparser.add_argument(
                    "--db", dest=_DB_AFTER, metavar="DB", help=DB_HELP, default=argparse.SUPPRESS
                )
            _accept_db_after_every_command(subparser)


def _command_modules():
    """Return the register functions of the other command groups."""
    from dashboard import (
        cli_backup,
        cli_metrics,
        cli_programme,
        cli_reports,
        cli_serve,
        cli_settings,
        cli_tolerance,
        cli_users,
    )

    return [
        cli_metrics.register, cli_settings.register, cli_programme.register, cli_tolerance.register,
        cli_users.register, cli_reports.register, cli_serve.register, cli_backup.register,
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the rehab command."""
    args = build_parser().parse_args(argv)
    scratch = None
    try:
        if getattr(args, "from_backup", None):
            scratch = _read_from_backup(args)
        return args.handler(args)
    except DatabaseError as error:
        said = cli_held.held_message(args, str(error)) if error.held else str(error)
        print(f"rehab: {said}", file=sys.stderr)
        return 2
    except BackupError as error:
        print(f"rehab: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `rehab review | head` closed the pipe: stop quietly, as other Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        if scratch is not None:
            close_database(scratch)
            shutil.rmtree(scratch.parent, ignore_errors=True)


def _read_from_backup(args: argparse.Namespace) -> Path:
    """Point args.db at the newest backup in --from-backup, restored into a temporary database; say which."""
    if args.db is not None:
        raise BackupError("give --db or --from-backup, not both: --from-backup reads a backup, not --db")
    path, report = restore_to_temporary(args.from_backup)
    print(f"rehab: reading {report.backup.describe()}, not the live database; anything since is not in it",
          file=sys.stderr)
    args.db = str(path)
    return path


if __name__ == "__main__":
    raise SystemExit(main())
