"""How figures are rounded and written, one way for the app, the PDF, the XLSX and the CSV.

Rounding is half up on the decimal a person reads (70.5 % is 71 %, a mean pain of 2.25 is 2.3), never
Python's half to even (70) nor a JavaScript printf's binary rounding, so one figure reads the same everywhere.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# Decimal places of each kind of figure: adherence in whole percent, pain scores and rises in tenths.
PERCENT_PLACES = 0
PAIN_PLACES = 1
COUNT_PLACES = 0


def missing(value: Any) -> bool:
    """Return whether a figure is absent: None, NaN, pandas' NA or NaT."""
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):  # pandas.NA refuses to be a bool
        return True


def rounded(value: Any, places: int) -> float | None:
    """Return a figure rounded half up to places decimals (70.5 -> 71.0), None when missing."""
    if missing(value):
        return None
    try:
        # repr gives the shortest decimal that reads back as the float: the number a person was shown.
        exact = Decimal(repr(float(value)))
    except (InvalidOperation, ValueError, TypeError, OverflowError):
        return None
    if not exact.is_finite():
        return None
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def number(value: Any, places: int, *, blank: str = "") -> str:
    """Return a figure as text rounded half up to places decimals ('70.5' at 1, '71' at 0), or blank."""
    figure = rounded(value, places)
    if figure is None:
        return blank
    return f"{figure:.{places}f}"


def percent(value: Any, *, blank: str = "") -> str:
    """Return an adherence percentage as '71%'; blank if missing."""
    text = number(value, PERCENT_PLACES)
    return f"{text}%" if text else blank


def pain(value: Any, *, blank: str = "") -> str:
    """Return a pain score or mean as '2.3'; blank if missing."""
    return number(value, PAIN_PLACES, blank=blank)


def count(value: Any, *, blank: str = "") -> str:
    """Return a count (reps, days) as '738'; blank if missing."""
    return number(value, COUNT_PLACES, blank=blank)
