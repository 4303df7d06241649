"""Run a benchmark phase in a child process and collect its figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class PhaseFailed(RuntimeError):
    """A phase crashed or ran out of time; the message says how."""


def run_phase(name: str, args: dict, *, timeout: float | None = None, log=None) -> dict:
    """Run `bench.phases NAME` in a fresh interpreter and return its JSON figures, or raise PhaseFailed."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as handle:
        out_path = Path(handle.name)
    command = [sys.executable, "-m", "bench.phases", name, json.dumps(args), str(out_path)]
    started = time.perf_counter()
    try:
        completed = subprocess.run(
            command, cwd=REPO, capture_output=True, text=True, timeout=timeout,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
    except subprocess.TimeoutExpired:
        out_path.unlink(missing_ok=True)
        raise PhaseFailed(f"{name} did not finish within {timeout:.0f} s") from None
    try:
        if completed.returncode != 0:
            tail = (completed.stderr or completed.stdout).strip().splitlines()[-12:]
            raise PhaseFailed(f"{name} exited with {completed.returncode}: " + "\n".join(tail))
        figures = json.loads(out_path.read_text())
    finally:
        out_path.unlink(missing_ok=True)
    figures["wall_s"] = time.perf_counter() - started
    if log:
        log(f"  {name}: done in {figures['wall_s']:.1f} s, peak RSS {figures['peak_rss_mb']:.0f} MiB")
    return figures
