"""`rehab serve`: start the dashboard with its code and database loaded before the first visit."""

from __future__ import annotations

import argparse


def streamlit_options(args: argparse.Namespace) -> list[str]:
    """Return the options after `--` that go to `streamlit run` unchanged."""
    return args.streamlit_options[1:] if args.streamlit_options[:1] == ["--"] else args.streamlit_options


def _serve(args: argparse.Namespace) -> int:
    """Run the Streamlit server in this process until it is stopped."""
    from dashboard.app import serve  # the app layer owns everything that touches Streamlit

    return serve(args.db, port=args.port, address=args.address, streamlit_options=streamlit_options(args))


def register(commands: argparse._SubParsersAction) -> None:
    """Add the serve command."""
    serve = commands.add_parser(
        "serve", help="run the dashboard, its database and first pages loaded before the first visit"
    )
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--address", default=None, help="address to listen on (default: Streamlit's)")
    serve.add_argument(
        "streamlit_options", nargs=argparse.REMAINDER, metavar="-- STREAMLIT_OPTION",
        help="further `streamlit run` options after --, e.g. -- --server.headless true",
    )
    serve.set_defaults(handler=_serve)
