"""Time the clinic PDF on a database for the benchmark: wall and CPU seconds, pages, charts."""

from __future__ import annotations

import datetime as dt
import os
import re
import resource
import time

from dashboard.access import Viewer
from dashboard.db import Database
from dashboard.reports.clinic import clinic_report_pdf
from dashboard.reports.data import clinic_data


def _cpu_seconds() -> float:
    """Return the CPU seconds of this process and of its finished children (the chart workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def time_clinic_pdf(db: Database, week: str, as_of: dt.date | None = None) -> dict:
    """Build the whole clinic's PDF for an ISO week once and return how long it took and what it held."""
    viewer = Viewer.system()
    flagged = len(clinic_data(db, viewer, week, None, as_of, daily=False).flagged())
    wall, cpu = time.perf_counter(), _cpu_seconds()
    pdf = clinic_report_pdf(db, viewer, week, as_of=as_of)
    wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
    return {
        "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2), "cpus": os.cpu_count(),
        "pages": len(re.findall(rb"/Type /Page\b(?!s)", pdf)), "charts": flagged, "bytes": len(pdf),
    }
