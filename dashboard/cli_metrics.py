"""`rehab review`, `rehab alerts` and `rehab response`: the clinical metrics on the command line."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add the metric subcommands."""
    del commands  # the metrics issue adds review, alerts and response here
