"""The five log formats the clinic imports, and how a header tells them apart."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.vocabulary import STAGES as _STAGES

STAGES = tuple(stage.stage for stage in _STAGES)
TIMES_OF_DAY = ("morning", "evening")


@dataclass(frozen=True)
class LogFormat:
    """One kind of log: its columns in canonical order and which of them are required."""

    kind: str
    columns: tuple[str, ...]
    required: frozenset[str]

    def describe(self) -> str:
        """Return the columns as a reader expects them, required ones marked with *."""
        return ", ".join(f"{name}*" if name in self.required else name for name in self.columns)


FORMATS: dict[str, LogFormat] = {
    fmt.kind: fmt
    for fmt in (
        LogFormat(
            "patients",
            ("patient_id", "name", "clinician", "condition", "start_date", "daily_rep_target",
             "pain_ceiling", "flare_threshold", "discharged_on", "acceptable_pain"),
            frozenset({"patient_id", "start_date"}),
        ),
        LogFormat(
            "pain",
            ("patient_id", "date", "time_of_day", "pain", "note"),
            frozenset({"patient_id", "date", "time_of_day", "pain"}),
        ),
        LogFormat(
            "exercises",
            ("patient_id", "date", "exercise", "stage", "sets", "reps", "hold_s", "load_kg",
             "pain_during", "note"),
            frozenset({"patient_id", "date", "exercise", "sets", "reps"}),
        ),
        LogFormat(
            "activities",
            ("patient_id", "date", "activity", "duration_min", "rpe", "pain_during", "note"),
            frozenset({"patient_id", "date", "activity", "duration_min"}),
        ),
        LogFormat(
            "programme",
            ("patient_id", "effective_from", "exercise", "stage", "sets", "reps", "days", "hold_s",
             "load_kg"),
            frozenset({"patient_id", "effective_from", "exercise", "stage", "sets", "reps", "days"}),
        ),
    )
}

# Patients come first so that logs in the same import can refer to them; the programme (what is prescribed)
# comes before the logs of what was done.
IMPORT_ORDER = ("patients", "programme", "pain", "exercises", "activities")


class HeaderError(ValueError):
    """A header that names no known log format, or names a column twice."""


_WORD_BREAKS = re.compile(r"[\s-]+")
_COLUMN_NAMES = frozenset(column for fmt in FORMATS.values() for column in fmt.columns)


def normalise_header(raw: list[object]) -> list[str]:
    """Return header names trimmed and lower-cased (trailing empty cells dropped), known names canonical."""
    names = ["" if cell is None else str(cell).strip().lstrip("\ufeff").strip().lower() for cell in raw]
    # Spreadsheets are often headed "Patient ID" or "Time of day": those are patient_id and time_of_day.
    # Other names stay as written, so a message about an unknown column quotes what the file says.
    names = [
        joined if (joined := _WORD_BREAKS.sub("_", name)) in _COLUMN_NAMES else name for name in names
    ]
    while names and not names[-1]:
        names.pop()
    return names


def expected_formats() -> str:
    """Return every format's columns, one per line, for error messages."""
    return "\n".join(f"  {fmt.kind}: {fmt.describe()}" for fmt in FORMATS.values())


def detect_format(header: list[str]) -> LogFormat:
    """Return the one format whose columns this header names, or raise HeaderError saying why."""
    if not header:
        raise HeaderError(
            f"the file is empty: no header line. Expected one of these headers:\n{expected_formats()}"
        )
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            raise HeaderError(f"header column {position} is empty")
        if name in seen:
            raise HeaderError(f"header names column {name!r} twice")
        seen.add(name)
    matches = [fmt for fmt in FORMATS.values() if fmt.required <= seen and seen <= set(fmt.columns)]
    if len(matches) == 1:
        return matches[0]
    closest = max(FORMATS.values(), key=lambda fmt: (len(fmt.required & seen), -len(seen - set(fmt.columns))))
    missing = [name for name in closest.columns if name in closest.required - seen]
    unknown = [name for name in header if name not in closest.columns]
    reasons = []
    if missing:
        reasons.append(f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if unknown:
        listed = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
        reasons.append(f"unknown column{'s' if len(unknown) > 1 else ''} {listed}")
    return_hint = f"closest is a {closest.kind} log ({'; '.join(reasons)})" if reasons else ""
    shown = ", ".join(header[:20]) + (f", ... ({len(header)} columns)" if len(header) > 20 else "")
    raise HeaderError(
        f"header not recognised: {shown[:2000]}"
        + (f"; {return_hint}" if return_hint else "")
        + f". Expected one of these headers (* = required):\n{expected_formats()}"
    )
