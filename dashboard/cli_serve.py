"""`rehab serve`: start the dashboard with its code and database loaded before the first visit."""

from __future__ import annotations

import argparse
import os
import tomllib

from dashboard import backup
from dashboard.db import open_database, resolve_db_path

# Where the running server keeps its scheduled backups; the Accounts page takes its own there too.
BACKUP_DIR_ENV_VAR = "REHAB_BACKUP_DIR"


def streamlit_options(args: argparse.Namespace) -> list[str]:
    """Return the options after `--`: Streamlit's own, as `streamlit run` spells them."""
    return args.streamlit_options[1:] if args.streamlit_options[:1] == ["--"] else args.streamlit_options


def _option_value(text: str) -> object:
    """Return an option's value typed as config.toml would read it (true, 8501), else the text itself."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def streamlit_config(options: list[str]) -> dict[str, object]:
    """Return `--section.name value` (or `--section.name=value`) options as Streamlit config overrides."""
    config: dict[str, object] = {}
    remaining = list(options)
    while remaining:
        option = remaining.pop(0)
        name, equals, value = option.partition("=")
        if not name.startswith("--") or "." not in name:
            raise SystemExit(f"rehab serve: {option!r} is not a Streamlit option like --server.headless true")
        if not equals:
            if not remaining:
                raise SystemExit(f"rehab serve: the Streamlit option {name} has no value")
            value = remaining.pop(0)
        config[name[2:]] = _option_value(value)
    return config


def backup_schedule(args: argparse.Namespace) -> backup.BackupSchedule | None:
    """Return the backups --backup-dir, --backup-every and --keep ask for, or None without a folder."""
    if args.backup_dir is None:
        if args.backup_every is not None or args.keep is not None:
            raise SystemExit("rehab serve: --backup-every and --keep need --backup-dir, the backups folder")
        return None
    try:
        interval = backup.parse_interval(args.backup_every or "24h")
        keep = 14 if args.keep is None else args.keep
        if keep < 1:
            raise ValueError(f"--keep {keep}: keep at least one backup")
    except ValueError as error:
        raise SystemExit(f"rehab serve: {error}") from None
    # The server's own connection (the app's cache gets the same object): backups run on cursors of it.
    database = open_database(resolve_db_path(args.db).resolve())
    return backup.BackupSchedule(database, args.backup_dir, interval, keep,
                                 log=lambda line: print(line, flush=True))


def _serve(args: argparse.Namespace) -> int:
    """Run the Streamlit server in this process until it is stopped."""
    from dashboard import auth
    from dashboard.app import serve  # the app layer owns everything that touches Streamlit

    # Made before the first visit: an unknown name at the first sign-in then costs what a wrong password does.
    auth.dummy_hash()
    schedule = backup_schedule(args)
    if schedule is not None:
        os.environ[BACKUP_DIR_ENV_VAR] = str(schedule.out_dir.resolve())
        schedule.start()
        print(f"rehab: backing up to {schedule.out_dir} every {backup.describe_age(schedule.interval)}, "
              f"keeping the newest {schedule.keep}", flush=True)
    return serve(
        args.db, port=args.port, address=args.address,
        streamlit_config=streamlit_config(streamlit_options(args)), idle_limit=args.idle_limit,
    )


def register(commands: argparse._SubParsersAction) -> None:
    """Add the serve command."""
    serve = commands.add_parser(
        "serve", help="run the dashboard, its database and first pages loaded before the first visit"
    )
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--address", default=None, help="address to listen on (default: Streamlit's)")
    serve.add_argument(
        "--idle-limit", default=None, metavar="DURATION",
        help="sign a browser out after this long without activity, like 8h, 30m or 90s "
        "(default: $REHAB_IDLE_LIMIT, else 8h)",
    )
    serve.add_argument("--backup-dir", default=None, metavar="DIR",
                       help="take scheduled backups into DIR while serving (see rehab backup)")
    serve.add_argument("--backup-every", default=None, metavar="INTERVAL",
                       help="how often, like 24h, 6h or 7d (default: 24h); needs --backup-dir")
    serve.add_argument("--keep", type=int, default=None, metavar="N",
                       help="keep the newest N backups, removing the older (default: 14); needs --backup-dir")
    serve.add_argument(
        "streamlit_options", nargs=argparse.REMAINDER, metavar="-- STREAMLIT_OPTION",
        help="Streamlit config options after --, e.g. -- --server.headless true",
    )
    serve.set_defaults(handler=_serve)
