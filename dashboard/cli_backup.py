"""`rehab backup` and `rehab restore`: a consistent copy of the clinic, and a new database made from one."""

from __future__ import annotations

import argparse
import sys

from dashboard import backup
from dashboard.db import open_database


def _backup(args: argparse.Namespace) -> int:
    """Write a backup folder under --out."""
    try:
        taken = backup.take_backup(open_database(args.db), args.out)
    except backup.BackupError as error:
        print(f"rehab: {error}", file=sys.stderr)
        return 1
    rows = sum(taken.tables.values())
    print(f"backed up {len(taken.tables)} tables ({rows} rows) to {taken.path}")
    if args.keep:
        for path in backup.prune_backups(args.out, args.keep):
            print(f"removed the older backup {path}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    """Rebuild a new database from a backup folder and check it against the manifest."""
    if not args.db:
        print("rehab: name the new database to restore into: rehab restore DIR --db NEW.duckdb",
              file=sys.stderr)
        return 2
    try:
        report = backup.restore_backup(args.backup, args.db)
    except backup.BackupError as error:
        print(f"rehab: {error}", file=sys.stderr)
        return 1
    print(report.report(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def register(commands: argparse._SubParsersAction) -> None:
    """Add the backup and restore commands."""
    taking = commands.add_parser(
        "backup", help="write a consistent snapshot of every table, with a manifest, to a new folder in --out"
    )
    taking.add_argument("--out", required=True, metavar="DIR", help="folder that holds the backups")
    taking.add_argument("--keep", type=int, default=None, metavar="N",
                        help="then remove the oldest backups in DIR beyond the newest N")
    taking.set_defaults(handler=_backup)

    restoring = commands.add_parser(
        "restore", help="rebuild a new database (--db NEW.duckdb) from a backup folder and check its manifest"
    )
    restoring.add_argument(
        "backup", metavar="DIR", help="a backup folder, or a folder of backups (the newest is restored)"
    )
    restoring.set_defaults(handler=_restore)
