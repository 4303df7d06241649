"""What the CLI says when the running dashboard holds the database: the page in the app that does the same."""

from __future__ import annotations

import argparse

# The commands that only read, and so can read the newest backup instead (--from-backup DIR).
READ_ONLY_COMMANDS = ("review", "alerts", "response", "report", "audit")
BACKUP_HINT = (
    "The running server takes backups itself when started with --backup-dir DIR --backup-every 24h "
    "--keep 14, and an admin can take one and download it on the Accounts page."
)

# The page of the app doing each command's job, by command (and action, where the group has several).
COMMAND_PAGES = {
    "import": "the Import logs page (admins)",
    "review": "the Weekly review page",
    "alerts": "the Alerts inbox page",
    "response": "the Patient detail page",
    "report": "the downloads on the Weekly review and Patient detail pages",
    "tolerance": "the Loads and flares page",
    "settings": "the Patient settings page",
    "programme": "the Patient settings page",
    "user": "the Accounts page (admins)",
    "audit": "the Audit trail page (admins)",
}


def command_words(args: argparse.Namespace) -> str:
    """Return the command as typed: rehab user disable, rehab audit."""
    words = [args.command]
    for group in ("user_command", "settings_command", "programme_command", "report"):
        if getattr(args, group, None):
            words.append(getattr(args, group))
    return "rehab " + " ".join(words)


def held_message(args: argparse.Namespace, reason: str) -> str:
    """Return what to tell an admin whose command found the database held by the running dashboard."""
    command = command_words(args)
    said = f"{reason} So `{command}` cannot run while the dashboard serves this file."
    if args.command == "backup":
        return f"{said} {BACKUP_HINT}"
    if args.command == "serve":
        return f"{said} The dashboard is already running on it; stop that server first to start another."
    page = COMMAND_PAGES.get(args.command)
    if page is None:
        return f"{said} Run it on another database (--db NEW_FILE), or with the dashboard stopped."
    said += f" Sign in to the dashboard as an admin and use {page}, which does the same while it runs."
    if args.command in READ_ONLY_COMMANDS:
        said += f" Or read the newest backup: {command} --from-backup DIR ..."
    return said


def accept_from_backup(parser: argparse.ArgumentParser) -> None:
    """Give the read-only commands (every level of them) --from-backup DIR."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for name, subparser in action.choices.items():
            if name in READ_ONLY_COMMANDS:
                _add_from_backup(subparser)


def _add_from_backup(parser: argparse.ArgumentParser) -> None:
    """Add --from-backup to a parser and to each of its subcommands."""
    parser.add_argument(
        "--from-backup", dest="from_backup", metavar="DIR", default=argparse.SUPPRESS,
        help="read the newest backup in DIR (restored into a temporary database) instead of --db: works "
        "while the dashboard serves the database",
    )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                _add_from_backup(subparser)
