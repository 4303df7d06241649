"""Facts about this process and this machine: peak memory, CPU, RAM and library versions."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
from pathlib import Path


def peak_rss_mb(pid: int | str = "self") -> float | None:
    """Return a process's peak resident set size (VmHWM) in MiB, or None if /proc does not say."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    if pid == "self":
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return None


def current_rss_mb() -> float | None:
    """Return this process's resident set size (VmRSS) in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    """Return total RAM in GiB."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _chromium_version(path: str) -> str | None:
    """Return Debian chromium's version line, or None when it is not installed."""
    if not os.access(path, os.X_OK):
        return None
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return out.strip() or None


def describe_machine(chromium: str = "/usr/bin/chromium") -> dict:
    """Return the machine and software the figures were taken on."""
    import duckdb
    import pandas
    import pyarrow

    try:
        import streamlit

        streamlit_version = streamlit.__version__
    except ImportError:
        streamlit_version = None
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": _ram_gib(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
        "streamlit": streamlit_version,
        "chromium": _chromium_version(chromium),
        "load_average_at_start": list(os.getloadavg()),
    }
