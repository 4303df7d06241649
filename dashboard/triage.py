"""The weekly review shaped for the triage page: filtering, key figures, table rows and sparklines."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import formatting
from dashboard.vocabulary import RISK_LABELS, RISK_ORDER, STAGE_LABELS, alert_words, reference_words


def trend_arrow(mean: float | None, previous: float | None, *, steady_within: float = 0.25) -> str:
    """Return ↑, ↓ or → for this week's mean morning pain against last week's ('' if either is missing)."""
    if mean is None or previous is None or pd.isna(mean) or pd.isna(previous):
        return ""
    if mean - previous > steady_within:
        return "↑"
    if previous - mean > steady_within:
        return "↓"
    return "→"


def pain_with_trend(mean: float | None, previous: float | None) -> str:
    """Return mean morning pain with its trend arrow, e.g. '4.3 ↑', or 'no scores'."""
    if mean is None or pd.isna(mean):
        return "no scores"
    arrow = trend_arrow(mean, previous)
    return f"{formatting.pain(mean)} {arrow}".strip()


# Letters that Unicode does not decompose into a base letter and an accent, spelled as a search types them.
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def folded(text: str) -> str:
    """Return text as search compares it: case and accents ignored ('Zoë Sørensen' -> 'zoe sorensen')."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.translate(_UNDECOMPOSED)


def filter_review(
    review: pd.DataFrame, clinician: str | None = None, search: str = "", ready_only: bool = False
) -> pd.DataFrame:
    """Return the review rows of one clinician (None for all) whose id or name contains the search text;
    with ready_only, only the patients ready to progress.

    Case and accents are ignored: "zoe" finds Zoë, "sorensen" finds Sørensen.
    """
    rows = review
    if clinician:
        rows = rows[rows["clinician"] == clinician]
    if ready_only:
        rows = rows[is_ready(rows["ready_to_progress"])]
    needle = folded(search.strip())
    if needle:
        text = [
            folded(f"{patient_id} {name}")
            for patient_id, name in zip(rows["patient_id"].fillna(""), rows["name"].fillna(""), strict=True)
        ]
        rows = rows[[needle in haystack for haystack in text]]
    return rows


@dataclass(frozen=True)
class KeyFigures:
    """The strip above the triage table."""

    active: int
    red: int
    amber: int
    green: int
    mean_adherence_pct: float | None
    ready: int = 0


def is_ready(ready: pd.Series) -> pd.Series:
    """Return whether each row is ready to progress (null, for a patient without a programme, is not)."""
    return ready.astype("boolean").fillna(False).astype(bool)


def key_figures(review: pd.DataFrame) -> KeyFigures:
    """Return patient counts per risk, the mean of the patients' adherence and how many are ready to progress
    for the shown review rows."""
    counts = review["risk"].value_counts()
    adherence = review["adherence_pct"].dropna()
    ready = int(is_ready(review["ready_to_progress"]).sum()) if "ready_to_progress" in review else 0
    return KeyFigures(
        active=len(review),
        red=int(counts.get("red", 0)),
        amber=int(counts.get("amber", 0)),
        green=int(counts.get("green", 0)),
        mean_adherence_pct=float(adherence.mean()) if len(adherence) else None,
        ready=ready,
    )


def stage_words(stage: str | None, source: str | None, days: int | None) -> str:
    """Return a patient's stage for the review: 'Isometric, 83 days' or 'Isotonic (from logs), 1 day'."""
    if stage is None or pd.isna(stage):
        return ""
    words = STAGE_LABELS.get(stage, str(stage).replace("_", " "))
    if source == "logs":
        words += " (from logs)"
    if days is not None and not pd.isna(days):
        words += f", {int(days)} day{'s' if int(days) != 1 else ''}"
    return words


def progress_words(ready: bool | None, next_stage: str | None) -> str:
    """Return the ready-to-progress marker: 'ready → isotonic', 'not yet', or blank when not judged (no
    programme)."""
    if ready is None or pd.isna(ready):
        return ""
    if not ready:
        return "not yet"
    if next_stage is None or pd.isna(next_stage):
        return "ready"
    return f"ready → {STAGE_LABELS.get(next_stage, str(next_stage)).lower()}"


def figures_scope(shown: int, caseload: int, narrowed: bool) -> str:
    """Return what the headline figures count: the rows a search or filter left, or the whole caseload."""
    if not narrowed:
        return f"Figures count the whole caseload: {caseload} patients in the programme this week."
    return (
        f"Figures count the {shown} patient{'s' if shown != 1 else ''} matching the filters, "
        f"not the whole caseload of {caseload}."
    )


def reps_of_target_pct(reps: float | None, target: float | None) -> float | None:
    """Return reps against the week's summed target in percent (154.3), uncapped; None without a target."""
    if reps is None or target is None or pd.isna(reps) or pd.isna(target) or target <= 0:
        return None
    return round(100.0 * float(reps) / float(target), 1)


def triage_table(
    review: pd.DataFrame, sparklines: dict[str, list[float | None]],
    aggravating: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """Return review rows shaped for the triage table: worst risk first, alerts in words, sparklines.

    The reps against the week's target (target_reps, rest days included) show what the capped adherence
    cannot. aggravating names each patient's likely aggravating load kinds; a red patient's alerts end with
    them ("after: run").
    """
    rows = review.assign(_order=review["risk"].map(RISK_ORDER).fillna(3))
    rows = rows.sort_values(["_order", "patient_id"], kind="stable")
    loads = aggravating or {}
    return pd.DataFrame(
        {
            "risk": rows["risk"].map(lambda risk: RISK_LABELS.get(risk, risk)),
            "patient_id": rows["patient_id"],
            "patient": rows["name"].fillna(rows["patient_id"]),
            "clinician": rows["clinician"],
            # Rounded here as the reports round it, so the grid's "%.0f%%" shows the same whole percent.
            "adherence_pct": [
                formatting.rounded(value, formatting.PERCENT_PLACES) for value in rows["adherence_pct"]
            ],
            "reps_of_target_pct": [
                reps_of_target_pct(reps, target)
                for reps, target in zip(rows["total_reps"], _column(rows, "target_reps"), strict=True)
            ],
            "total_reps": rows["total_reps"],
            "morning_pain": [
                pain_with_trend(mean, previous)
                for mean, previous in zip(
                    rows["mean_morning_pain"], rows["prev_mean_morning_pain"], strict=True
                )
            ],
            "reference": [
                reference_words(None if pd.isna(level) else level, bool(is_set))
                for level, is_set in zip(
                    rows.get("reference_pain", pd.Series([None] * len(rows), dtype=object)),
                    rows.get("reference_set", pd.Series([False] * len(rows))),
                    strict=True,
                )
            ],
            "flare_days": rows["flare_days"],
            "stage": [
                stage_words(stage, source, days)
                for stage, source, days in zip(
                    _column(rows, "stage"), _column(rows, "stage_source"), _column(rows, "days_in_stage"),
                    strict=True,
                )
            ],
            "progress": [
                progress_words(ready, next_stage)
                for ready, next_stage in zip(
                    _column(rows, "ready_to_progress"), _column(rows, "next_stage"), strict=True
                )
            ],
            # A red patient's row names the loads their mornings were worse after (an association).
            "alerts": [
                alerts_with_loads(alert_words(alerts), loads.get(patient_id) if risk == "red" else None)
                for alerts, patient_id, risk in zip(
                    rows["alerts"], rows["patient_id"], rows["risk"], strict=True
                )
            ],
            # The grid's line chart cannot draw a gap (a list with a missing value shows as text), so the
            # sparkline joins the logged mornings; missing days are never drawn as zero.
            "last_28_mornings": [
                [score for score in sparklines.get(pid, []) if score is not None]
                for pid in rows["patient_id"]
            ],
        }
    ).reset_index(drop=True)


def alerts_with_loads(words: str, kinds: list[str] | None) -> str:
    """Return a row's alerts in words followed by the loads its mornings were worse after: '…; after: run'."""
    if not kinds:
        return words
    after = "after: " + ", ".join(kinds)
    return f"{words}; {after}" if words else after


def _column(rows: pd.DataFrame, name: str) -> pd.Series:
    """Return a review column, or nulls when the review has none (a review read without it)."""
    return rows[name] if name in rows else pd.Series([None] * len(rows), index=rows.index, dtype=object)


def nothing_logged(days: pd.DataFrame, activities: pd.DataFrame) -> bool:
    """Return whether a patient's days hold no pain score, no exercise and no activity at all."""
    scored = days[["morning_pain", "evening_pain"]].notna().any(axis=None)
    return not (scored or days["loading_day"].fillna(False).any() or len(activities))


def compact_lines(lines: pd.Series) -> pd.Series:
    """Return sparkline lists as float32 arrays (Arrow list<float>): one-decimal scores in half the bytes."""
    return pd.Series([np.asarray(line, dtype=np.float32) for line in lines], index=lines.index, dtype=object)


def sparklines(recent: pd.DataFrame, end: dt.date, days: int = 28) -> dict[str, list[float | None]]:
    """Return each patient's morning scores up to end, one value per day, None on days without one."""
    start = pd.Timestamp(end - dt.timedelta(days=days - 1))
    scored = recent[recent["morning_pain"].notna()]
    offset = (pd.to_datetime(scored["date"]) - start).dt.days.to_numpy()
    inside = (offset >= 0) & (offset < days)
    scored, offset = scored[inside], offset[inside]
    # Whole columns at once: a Python loop over every patient-day took a noticeable share of the page's run.
    ids, row = np.unique(scored["patient_id"].to_numpy(dtype=object), return_inverse=True)
    grid = np.full((len(ids), days), None, dtype=object)
    grid[row, offset] = scored["morning_pain"].astype(float).to_numpy()
    return dict(zip(ids.tolist(), grid.tolist(), strict=True))
