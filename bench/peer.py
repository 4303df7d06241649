"""A vectorised plain-pandas peer of the version-2 rules: the benchmark's yardstick (issue 16), never shipped.

It computes every alert event and the weekly review from the raw tables with whole-array numpy and pandas
operations (bincount, ufunc.at, cumsum, shifts, reduceat, a sorting network for the 14-day medians), with no
Python loop over patients or days; the loops that remain run over the rules, the seven weekdays, the seven
stages, a sorting network's comparators, and adherence groups whose common multiple of targets could
overflow int64 (none in practice). Every patient is computed (the system viewer's view). Days are one flat
row per patient per programme day, patient by patient; the usual level is only worked out on the mornings
that could be painful, and a review reads only the days it needs.

It reads the rules from issue 11 (triage v2), issue 13 (the programme) and docs/METRICS.md, and follows the
SQL in queries/macros/metric_*.sql where the words leave room, e.g. a prescribed stage run counts days
without an item in effect as the same (unranked) rank as 'other'. It imports nothing of the dashboard's
metric SQL: dashboard.db only reads the raw tables. The alerts carry no detail sentence.

Scores and thresholds are held as integer tenths and medians as doubled tenths, so every comparison is exact;
adherence is the SQL's exact integer formula over the least common multiple of the days' targets.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from dashboard.weeks import parse_iso_week

if TYPE_CHECKING:
    import pandas as pd

# pandas and pyarrow are imported inside the functions that use them: bench/phases.py imports this module
# for every phase, and a phase's peak memory should only hold what that phase uses.

TABLE_COLUMNS = {
    "patients": [
        "patient_id", "name", "clinician", "start_date", "daily_rep_target", "pain_ceiling",
        "flare_threshold", "discharged_on", "acceptable_pain",
    ],
    "settings_changes": [
        "change_id", "patient_id", "effective_from", "daily_rep_target", "pain_ceiling", "flare_threshold",
        "sets_acceptable_pain", "acceptable_pain",
    ],
    "programme_items": [
        "item_id", "patient_id", "effective_from", "exercise", "stage", "sets", "reps", "days",
    ],
    "pain_entries": ["patient_id", "date", "time_of_day", "pain"],
    "exercise_entries": ["patient_id", "date", "stage", "sets", "reps"],
    "activity_entries": ["patient_id", "date"],
}
REVIEW_COLUMNS = [
    "patient_id", "name", "clinician", "week", "adherence_pct", "days_on_target", "total_reps",
    "mean_morning_pain", "prev_mean_morning_pain", "flare_days", "max_response", "reference_pain",
    "target_reps", "stage", "stage_source", "days_in_stage", "ready_to_progress", "next_stage", "alerts",
    "risk",
]
EVENT_COLUMNS = ["patient_id", "rule", "date", "until", "severity"]

# Stages in rehab order (a code is its index); rank 0 stands for 'other', which has none (the SQL's null
# rank, equal to itself when a run of stages is counted).
STAGES = ("isometric", "isotonic", "heavy_slow", "eccentric", "energy_storage", "plyometric", "other")
STAGE_RANK = np.array([1, 2, 2, 2, 3, 4, 0], dtype=np.int8)
# The prescribed stage of a day is its items' highest rank, ties to the earlier stage: least to most.
STAGE_PRIORITY = sorted(range(len(STAGES)), key=lambda code: int(STAGE_RANK[code]) * 100 - code)
NEXT_STAGE = np.array([None, "isotonic", "energy_storage", "plyometric", None], dtype=object)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Rule codes in alphabetical order, which is the SQL's order of alert lists and of events on one day.
RULES = ("flare", "load_spike", "low_adherence", "not_logging", "pain_above_ceiling", "rising_streak")
FLARE, LOAD_SPIKE, LOW_ADHERENCE, NOT_LOGGING, ABOVE_CEILING, RISING_STREAK = range(len(RULES))
HIGH_RULES = (FLARE, ABOVE_CEILING, RISING_STREAK)
HIGH_BITS = sum(1 << rule for rule in HIGH_RULES)
SEVERITIES = ("high", "medium")
SEVERITY_CODE = np.array([0 if rule in HIGH_RULES else 1 for rule in range(len(RULES))], dtype=np.int8)
RISKS = ("red", "amber", "green")

SAFE_ZONE_TOP = 20  # tenths: a morning of 2/10 or less never raises a flare or a rising streak
USUAL_DAYS = 14
USUAL_MIN_SCORES = 4
MISSING = np.iinfo(np.int16).max  # sorts after every score in the usual-level windows
# Events dated on or after a day are exact from days that start this long before it (as metric_days says: a
# rising run has at most 101 mornings, plus the 14 days of the usual level before them).
EVENT_LEAD_DAYS = 115
# The review also needs events dated in the 14 days up to the week's last day (readiness) exactly.
REVIEW_LEAD_DAYS = EVENT_LEAD_DAYS + 13
EPOCH = dt.date(1970, 1, 1)
FAR_FUTURE = np.int64(10**9)
SAFE_COMMON_MULTIPLE = 2.0**40  # above this, adherence falls back to exact fractions (never seen in practice)


def read_tables(db) -> dict[str, pd.DataFrame]:
    """Return the raw tables the rules read, from a dashboard.db.Database, as pandas frames.

    As a pandas user would keep them: patient_id is a categorical over the patients' ids in sorted order (the
    patients frame sorted the same way), time_of_day and stage are categoricals (stage's categories in rehab
    order), scores are floats and dates datetime64. Only the columns the rules use are read.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    cursor = db.session().cursor

    def fetch(name: str):
        return cursor.table(name).select(*TABLE_COLUMNS[name]).to_arrow_table()

    patients = fetch("patients")
    patients = patients.take(pc.sort_indices(patients, sort_keys=[("patient_id", "ascending")]))
    ids = patients["patient_id"].combine_chunks()
    id_categories = pd.Index(ids.to_pylist(), dtype=object)
    choices = {"time_of_day": ("morning", "evening"), "stage": STAGES}
    frames = {}
    for name in TABLE_COLUMNS:
        # One table at a time, column by column, so that Arrow's copy and pandas' are not all held at once.
        table = patients if name == "patients" else fetch(name)
        columns = {}
        for field in table.schema:
            column = table[field.name]
            if field.name == "patient_id":
                codes = pc.index_in(column, value_set=ids).to_numpy()
                columns[field.name] = pd.Categorical.from_codes(codes, categories=id_categories)
            elif field.name in choices and name != "programme_items":
                codes = pc.fill_null(pc.index_in(column, value_set=pa.array(choices[field.name])), -1)
                columns[field.name] = pd.Categorical.from_codes(
                    codes.to_numpy(), categories=choices[field.name]
                )
            elif pa.types.is_decimal(field.type):
                columns[field.name] = pc.cast(column, pa.float64()).to_numpy()
            elif pa.types.is_date(field.type):
                columns[field.name] = pd.Series(column.to_pandas(date_as_object=False)).to_numpy()
            else:
                columns[field.name] = pd.Series(column.to_pandas())
            table = table.drop_columns([field.name])
        frames[name] = pd.DataFrame(columns)
        del table, columns
    return frames


# ---- small helpers ------------------------------------------------------------------------------------


def _day(value: dt.date) -> int:
    """Return a date as a day number (days since 1970-01-01)."""
    return (value - EPOCH).days


def _day_numbers(values) -> np.ndarray:
    """Return datetime64 values as int64 day numbers; NaT becomes the int64 minimum."""
    return np.asarray(values, dtype="datetime64[D]").view(np.int64)


def _tenths(values) -> np.ndarray:
    """Return one-decimal scores as int16 tenths; NaN becomes -1 (unknown)."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isnan(values), -1, np.rint(values * 10)).astype(np.int16)


def _entry_days(frame: pd.DataFrame, which: np.ndarray | slice | None = None) -> np.ndarray:
    """Return a log's dates (datetime64, never missing), or some of them, as int32 day numbers."""
    dates = frame["date"].to_numpy()
    if which is not None:
        dates = dates[which]
    per_day = np.timedelta64(1, "D") // np.timedelta64(1, np.datetime_data(dates.dtype)[0])
    return (dates.view(np.int64) // per_day).astype(np.int32)


def _log(frame: pd.DataFrame, columns: tuple[str, ...], low: int, high: int) -> dict[str, np.ndarray]:
    """Return a log's entries dated from day low to day high as numpy arrays: patient (codes as intp), day
    (int32 day numbers) and the columns asked for (categoricals as their codes).

    A log in date order, as the importer writes it, is cut by binary search, else by a mask.
    """
    dates = frame["date"].to_numpy()
    first, last = (np.datetime64(int(day), "D").astype(dates.dtype) for day in (low, high))
    if dates.size and not (dates[1:] < dates[:-1]).any():
        which = slice(int(np.searchsorted(dates, first, "left")), int(np.searchsorted(dates, last, "right")))
    else:
        which = np.flatnonzero((dates >= first) & (dates <= last))
    out = {
        "patient": frame["patient_id"].cat.codes.to_numpy()[which].astype(np.intp),
        "day": _entry_days(frame, which),
    }
    for name in columns:
        values = frame[name]
        out[name] = (values.cat.codes if values.dtype == "category" else values).to_numpy()[which]
    return out


def _codes(frame: pd.DataFrame) -> np.ndarray:
    """Return a frame's patient codes as intp (numpy would convert smaller index types on every use)."""
    return frame["patient_id"].cat.codes.to_numpy().astype(np.intp)


def _segments(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the offsets of consecutive segments of the given lengths, and each element's segment."""
    offsets = np.zeros(lengths.size, dtype=np.intp)
    np.cumsum(lengths[:-1], out=offsets[1:])
    return offsets, np.repeat(np.arange(lengths.size, dtype=np.intp), lengths)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the indices in the ranges [start, start + length), each range's offset, each index's range."""
    offsets, owner = _segments(lengths)
    return np.arange(owner.size) + np.repeat(starts - offsets, lengths), offsets, owner


def _group_starts(*keys: np.ndarray) -> np.ndarray:
    """Return where a new group starts in arrays sorted by their keys."""
    if keys[0].size == 0:
        return np.zeros(0, dtype=np.intp)
    new = np.zeros(keys[0].size, dtype=bool)
    new[0] = True
    for key in keys:
        new[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(new)


def _islands(flag: np.ndarray, first_row: np.ndarray, last_row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the first and last rows of each run of consecutive flagged rows of one patient."""
    begins = flag & first_row
    begins[1:] |= flag[1:] & ~flag[:-1]
    ends = flag & last_row
    ends[:-1] |= flag[:-1] & ~flag[1:]
    return np.flatnonzero(begins), np.flatnonzero(ends)


def _sorting_network(size: int) -> list[tuple[int, int]]:
    """Return Batcher's odd-even merge sort comparators for `size` inputs (pruned from a power of 2)."""
    width = 1 << max(size - 1, 1).bit_length()
    pairs: list[tuple[int, int]] = []
    span = 1
    while span < width:
        step = span
        while step >= 1:
            for low in range(step % span, width - step, 2 * step):
                for offset in range(min(step, width - low - step)):
                    i, j = low + offset, low + offset + step
                    if i // (2 * span) == j // (2 * span) and j < size:
                        pairs.append((i, j))
            step //= 2
        span *= 2
    return pairs


USUAL_NETWORK = _sorting_network(USUAL_DAYS)


# ---- the spine: one row per patient per programme day -------------------------------------------------


@dataclass
class Days:
    """Every patient's programme days in a range, as flat numpy arrays (rows by patient, then date)."""

    first: np.ndarray  # per patient code: the range's first day for them (int32 day number)
    length: np.ndarray  # per patient code: how many programme days they have in the range
    offset: np.ndarray  # per patient code: their first row
    start: np.ndarray  # per patient code: start_date
    pat: np.ndarray  # per row: the patient code
    date: np.ndarray  # per row: the day number
    pos: np.ndarray  # per row: days since the range's first day for the patient
    morning: np.ndarray  # per row: the highest morning score in tenths, -1 when none was logged
    reps: np.ndarray  # per row: sets x reps summed
    loading: np.ndarray  # per row: any exercise or activity logged
    target: np.ndarray  # per row: the day's target (the programme's, else daily_rep_target in effect)
    ceiling: np.ndarray  # per row: pain ceiling in effect, tenths
    threshold: np.ndarray  # per row: flare threshold in effect, tenths
    acceptable: np.ndarray  # per row: acceptable morning pain in effect, tenths, -1 for "learn it"
    on_programme: np.ndarray  # per row: any programme item in effect
    prescribed: np.ndarray  # per row: the prescribed stage code, -1 without a programme
    stage: np.ndarray  # per row: the logged stage (most reps, ties to the earlier), -1 for none (if asked)
    versions: dict  # the programme item versions (programme_versions)

    @property
    def first_row(self) -> np.ndarray:
        """Return, per row, whether it is the patient's first row in the range."""
        return self.pos == 0

    @property
    def last_row(self) -> np.ndarray:
        """Return, per row, whether it is the patient's last row in the range."""
        last = np.ones(self.pos.size, dtype=bool)
        last[:-1] = self.pos[1:] == 0
        return last


def _entry_rows(days: Days, codes: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Return the row of each entry's day, or one spare row past the last for a day not in the range."""
    relative = dates - days.first[codes]
    # One unsigned comparison: a day before the range wraps round to a huge number.
    inside = relative.view(np.uint32) < days.length.view(np.uint32)[codes]
    return np.where(inside, days.offset[codes] + relative, days.pat.size)


def _patient_rows(days: Days, patients: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the rows of some patients (sorted codes), and where each patient's rows start among them."""
    rows, offsets, _ = _ranges(days.offset[patients], days.length[patients])
    return rows, offsets


def spine(tables: dict[str, pd.DataFrame], as_of: int, day_from: int | None = None,
          day_to: int | None = None, *, stages: bool = True) -> Days:
    """Return every patient's programme days up to as_of, clipped to [day_from, day_to], with the day values.

    stages=False leaves out each day's logged stage, which only the review reads.
    """
    patients = tables["patients"]
    count = len(patients)
    code = _codes(patients)

    def by_code(values, dtype) -> np.ndarray:
        out = np.empty(count, dtype=dtype)
        out[code] = values
        return out

    start = by_code(_day_numbers(patients["start_date"]), np.int32)
    discharged = _day_numbers(patients["discharged_on"])
    discharged = np.where(discharged == np.iinfo(np.int64).min, as_of, discharged)
    last = np.minimum(by_code(discharged, np.int64), as_of)
    first = start.astype(np.int64) if day_from is None else np.maximum(start, day_from)
    if day_to is not None:
        last = np.minimum(last, day_to)
    length = np.maximum(last - first + 1, 0).astype(np.int32)
    first = first.astype(np.int32)
    offset, _ = _segments(length)
    total = int(length.sum())
    pos = (np.arange(total) - np.repeat(offset, length)).astype(np.int32)
    days = Days(
        first=first, length=length, offset=offset, start=start,
        pat=np.repeat(np.arange(count, dtype=np.int32), length), date=np.repeat(first, length) + pos, pos=pos,
        morning=np.zeros(0, dtype=np.int16), reps=np.zeros(0), loading=np.zeros(0, dtype=bool),
        target=np.zeros(0), ceiling=np.zeros(0), threshold=np.zeros(0), acceptable=np.zeros(0),
        on_programme=np.zeros(total, dtype=bool), prescribed=np.full(total, -1, dtype=np.int8),
        stage=np.zeros(0, dtype=np.int8), versions=programme_versions(tables),
    )

    # Entries on days outside the range go to a spare row past the last, cut off at the end.
    spare = total + 1
    held = length > 0
    low = int(first[held].min()) if held.any() else 0
    high = int((first + length - 1)[held].max()) if held.any() else -1
    pain = _log(tables["pain_entries"], ("time_of_day", "pain"), low, high)
    mornings = np.flatnonzero(pain["time_of_day"] == 0)
    rows = _entry_rows(days, pain["patient"][mornings], pain["day"][mornings])
    morning = np.full(spare, -1, dtype=np.int16)
    np.maximum.at(morning, rows, np.rint(pain["pain"][mornings] * 10).astype(np.int16))

    exercises = _log(tables["exercise_entries"], ("stage", "sets", "reps"), low, high)
    rows = _entry_rows(days, exercises["patient"], exercises["day"])
    amount = np.multiply(exercises["sets"], exercises["reps"], dtype=np.int64)
    loading = np.zeros(spare, dtype=bool)
    loading[rows] = True
    if stages:
        stage = exercises["stage"]
        if (stage >= 0).all():
            days.stage = _main_stages(rows, stage, lambda which: amount[which], total)
        else:
            staged = np.flatnonzero(stage >= 0)
            days.stage = _main_stages(rows[staged], stage[staged], lambda which: amount[staged[which]], total)
    activities = _log(tables["activity_entries"], (), low, high)
    loading[_entry_rows(days, activities["patient"], activities["day"])] = True
    days.morning = morning[:total]
    days.reps = np.bincount(rows, weights=amount, minlength=spare)[:total].astype(np.int32)
    days.loading = loading[:total]

    _settings(days, tables, by_code)
    _programme(days, days.versions)
    return days


def _settings(days: Days, tables: dict[str, pd.DataFrame], by_code) -> None:
    """Fill in each day's settings: per setting, the latest change dated on or before it, else the file's."""
    patients = tables["patients"]
    changes = tables["settings_changes"]
    codes = _codes(changes)
    effective = _day_numbers(changes["effective_from"])
    ids = changes["change_id"].to_numpy(np.int64)
    target = changes["daily_rep_target"]
    settings = {
        "target": (patients["daily_rep_target"].to_numpy(np.int32), target.notna().to_numpy(),
                   target.fillna(0).to_numpy(np.int32)),
        "ceiling": (_tenths(patients["pain_ceiling"]), changes["pain_ceiling"].notna().to_numpy(),
                    _tenths(changes["pain_ceiling"])),
        "threshold": (_tenths(patients["flare_threshold"]), changes["flare_threshold"].notna().to_numpy(),
                      _tenths(changes["flare_threshold"])),
        "acceptable": (_tenths(patients["acceptable_pain"]), changes["sets_acceptable_pain"].to_numpy(bool),
                       _tenths(changes["acceptable_pain"])),
    }
    for name, (base, sets, values) in settings.items():
        setattr(days, name, _effective(days, by_code(base, base.dtype), codes[sets], effective[sets],
                                       ids[sets], values[sets]))


def _effective(days: Days, base: np.ndarray, codes: np.ndarray, effective: np.ndarray, ids: np.ndarray,
               values: np.ndarray) -> np.ndarray:
    """Return one setting per row: the value of the latest (effective_from, change_id) change on or before it.

    Only the rows of patients with a change are worked on: each change marks the row it starts on with a key
    that grows with (patient, effective_from, change_id), each patient's first row gets a key just below its
    own changes', and a running maximum carries the latest key forward.
    """
    out = np.repeat(base, days.length)
    inside = (days.length[codes] > 0) & (effective < days.first[codes].astype(np.int64) + days.length[codes])
    if not inside.any():
        return out
    order = np.lexsort((ids[inside], effective[inside], codes[inside]))
    codes, effective, values = codes[inside][order], effective[inside][order], values[inside][order]
    patients = np.unique(codes)
    rows, offsets = _patient_rows(days, patients)
    marker = np.zeros(rows.size, dtype=np.int64)
    marker[offsets] = 2 * np.searchsorted(codes, patients) + 1
    starts = offsets[np.searchsorted(patients, codes)] + np.maximum(effective - days.first[codes], 0)
    np.maximum.at(marker, starts, 2 * np.arange(1, codes.size + 1))
    np.maximum.accumulate(marker, out=marker)
    changed = (marker & 1) == 0
    out[rows[changed]] = values[(marker[changed] >> 1) - 1]
    return out


def programme_versions(tables: dict[str, pd.DataFrame]) -> dict[str, np.ndarray]:
    """Return the programme item versions in effect: per item, from effective_from until the next version.

    Items are matched by exercise name trimmed of spaces and lower-cased; of two rows on one date the higher
    item_id holds; a 'none' row ends an item and is left out. Arrays: code, effective, until (FAR_FUTURE
    while it holds), stage, amount (sets x reps) and weekdays (bit 0 = Monday).
    """
    import pandas as pd

    items = tables["programme_items"]
    if items.empty:
        empty = np.zeros(0, dtype=np.int64)
        return {name: empty for name in ("code", "effective", "until", "stage", "amount", "weekdays")}
    names, written = pd.factorize(items["exercise"].astype(object))
    _, key = np.unique(np.array([name.strip(" ").lower() for name in written], dtype=object),
                       return_inverse=True)
    key = key[names] if names.size else names
    patterns, distinct = pd.factorize(items["days"].astype(object))
    pattern_bits = np.array(
        [127 if days == "daily" else sum(1 << bit for bit, name in enumerate(WEEKDAYS) if name in days)
         for days in distinct] + [0], dtype=np.int64,
    )
    pattern_none = np.array([days == "none" for days in distinct] + [False])
    code = _codes(items).astype(np.int64)
    effective = _day_numbers(items["effective_from"])
    item_id = items["item_id"].to_numpy(np.int64)
    order = np.lexsort((item_id, effective, key, code))
    code, key, effective, patterns = code[order], key[order], effective[order], patterns[order]
    # Of rows for one item on one date the last in this order (the highest item_id) holds.
    last_of_date = np.append(_group_starts(code, key, effective)[1:], code.size) - 1
    code, key, effective = code[last_of_date], key[last_of_date], effective[last_of_date]
    chosen = order[last_of_date]
    until = np.full(code.size, FAR_FUTURE, dtype=np.int64)
    same_item = (code[1:] == code[:-1]) & (key[1:] == key[:-1])
    until[:-1][same_item] = effective[1:][same_item]
    kept = ~pattern_none[patterns[last_of_date]]
    stage = pd.Index(STAGES).get_indexer(items["stage"].astype(object))
    amount = np.multiply(items["sets"].to_numpy(), items["reps"].to_numpy(), dtype=np.int64)
    return {
        "code": code[kept], "effective": effective[kept], "until": until[kept], "stage": stage[chosen][kept],
        "amount": amount[chosen][kept], "weekdays": pattern_bits[patterns[last_of_date]][kept],
    }


def _programme(days: Days, versions: dict[str, np.ndarray]) -> None:
    """Fill in the programme: the items in effect, the weekday's prescribed reps, the prescribed stage."""
    codes = versions["code"]
    first, length = days.first[codes], days.length[codes]
    begin = np.clip(versions["effective"] - first, 0, length)
    end = np.clip(versions["until"] - first, 0, length)
    kept = begin < end
    if kept.any():
        codes, begin, end = codes[kept], begin[kept], end[kept]
        stage, amount = versions["stage"][kept], versions["amount"][kept]
        weekdays = versions["weekdays"][kept]
        patients = np.unique(codes)
        rows, offsets = _patient_rows(days, patients)
        where = offsets[np.searchsorted(patients, codes)]
        begin, end = where + begin, where + end

        def covering(weights: np.ndarray) -> np.ndarray:
            change = np.zeros(rows.size + 1, dtype=np.int64)
            np.add.at(change, begin, weights)
            np.add.at(change, end, -weights)
            return np.cumsum(change[:-1])

        in_effect = covering(np.ones(codes.size, dtype=np.int64)) > 0
        weekday = (days.date[rows] + 3) % 7
        prescribed = np.zeros(rows.size, dtype=np.int64)
        for bit in range(len(WEEKDAYS)):
            on_day = weekday == bit
            prescribed[on_day] = covering(amount * ((weekdays >> bit) & 1))[on_day]
        stage_of_day = np.full(rows.size, -1, dtype=np.int8)
        for code in STAGE_PRIORITY:
            if (stage == code).any():
                stage_of_day[covering((stage == code).astype(np.int64)) > 0] = code
        days.on_programme[rows] = in_effect
        days.prescribed[rows] = stage_of_day
        days.target[rows[in_effect]] = prescribed[in_effect]


# ---- usual level, reference level, adherence ----------------------------------------------------------


def usual_doubled(days: Days, rows: np.ndarray) -> np.ndarray:
    """Return 2 x U(d) in tenths at some rows (the sum of the two middle mornings), -1 when unknown.

    U(d) is the median of the logged mornings of the 14 programme days before d, known with at least 4.
    The 14 columns go through a sorting network as whole arrays; unlogged days sort last.
    """
    back = np.arange(1, USUAL_DAYS + 1)
    index = rows[None, :] - back[:, None]
    window = days.morning[np.maximum(index, 0)]
    window[(back[:, None] > days.pos[rows][None, :]) | (window < 0)] = MISSING
    for i, j in USUAL_NETWORK:
        low = np.minimum(window[i], window[j])
        np.maximum(window[i], window[j], out=window[j])
        window[i] = low
    scores = (window != MISSING).sum(axis=0)
    columns = np.arange(rows.size)
    middle = (window[np.maximum(scores - 1, 0) // 2, columns].astype(np.int32)
              + window[scores // 2, columns].astype(np.int32))
    return np.where(scores >= USUAL_MIN_SCORES, middle, -1)


def reference_doubled(days: Days, rows: np.ndarray) -> np.ndarray:
    """Return 2 x Ref(d) in tenths at some rows: acceptable_pain in effect if set, else U(d); -1 unknown."""
    acceptable = days.acceptable[rows].astype(np.int32)
    out = np.where(acceptable >= 0, 2 * acceptable, -1)
    learn = np.flatnonzero(acceptable < 0)
    out[learn] = usual_doubled(days, rows[learn])
    return out


def _painful(days: Days, rows: np.ndarray, rise: np.ndarray) -> np.ndarray:
    """Return whether each morning is painful by its rise: above 2, the threshold reached, Ref + threshold."""
    score = days.morning[rows].astype(np.int32)
    threshold = days.threshold[rows].astype(np.int32)
    candidate = np.flatnonzero((rise >= threshold) & (score > SAFE_ZONE_TOP))
    painful = np.zeros(rows.size, dtype=bool)
    reference = reference_doubled(days, rows[candidate])
    painful[candidate] = (reference < 0) | (2 * score[candidate] >= reference + 2 * threshold[candidate])
    return painful


def adherence_tenths(starts: np.ndarray, reps: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Return 10 x the adherence percentage, rounded half up, of groups of contiguous rows; -1 for none.

    Rest days (target 0) are left out. The SQL's exact formula: floor((2000 x sum(min(reps, t) x L / t)
    + L x n) / (2 x L x n)) over the n other days, L the least common multiple of their targets. A group with
    one target throughout (the usual case) needs no division per day; only groups in which the target
    changes take the common-multiple path. Groups hold at most a few weeks' days.
    """
    if starts.size == 0:
        return np.zeros(0, dtype=np.int64)
    lengths = np.diff(np.append(starts, target.size))
    common = target[starts].astype(np.int64)
    counts = np.where(common > 0, lengths, 0)
    total = np.add.reduceat(np.minimum(reps, target), starts, dtype=np.int64)
    changes = np.flatnonzero(target[1:] != target[:-1]) + 1
    group = np.searchsorted(starts, changes, side="right") - 1
    varying = np.unique(group[starts[group] != changes])
    overflow = np.zeros(0, dtype=np.intp)
    if varying.size:
        rows, _, owner = _ranges(starts[varying], lengths[varying])
        counted = target[rows] > 0
        rows, owner = rows[counted], owner[counted]
        counts[varying] = np.bincount(owner, minlength=varying.size)
        order = np.lexsort((target[rows], owner))
        groups, targets = owner[order], target[rows][order].astype(np.int64)
        distinct = _group_starts(groups, targets)
        bounds = _group_starts(groups[distinct])
        common[varying] = np.lcm.reduceat(targets[distinct], bounds)
        product = np.multiply.reduceat(targets[distinct].astype(np.float64), bounds)
        overflow = varying[product > SAFE_COMMON_MULTIPLE]
        common[overflow] = 1
        multiple = common[varying][owner] // target[rows]
        share = np.minimum(reps[rows], target[rows]).astype(np.int64) * multiple
        total[varying] = np.bincount(owner, weights=share, minlength=varying.size).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        tenths = np.where(
            counts > 0, (2000 * total + common * counts) // np.maximum(2 * common * counts, 1), -1
        )
    for index in overflow:  # exact fractions for the rare groups whose common multiple could overflow int64
        begin = starts[index]
        shares = [Fraction(int(min(done, due)), int(due)) for done, due in zip(
            reps[begin:begin + lengths[index]], target[begin:begin + lengths[index]], strict=True) if due > 0]
        tenths[index] = math.floor(1000 * sum(shares) / len(shares) + Fraction(1, 2))
    return tenths


def _adherence_by_group(starts: np.ndarray, reps: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Return the adherence percentage of each group of contiguous rows; NaN when every day is a rest day."""
    tenths = adherence_tenths(starts, reps, target)
    return np.where(tenths >= 0, tenths / 10.0, np.nan)


# ---- alert events -------------------------------------------------------------------------------------


@dataclass
class Events:
    """Every alert event of the days' range, plus the 24-hour responses the review reads."""

    pat: np.ndarray
    rule: np.ndarray
    date: np.ndarray
    until: np.ndarray
    has_response: np.ndarray  # per row: the morning after a loading day, both mornings logged
    response: np.ndarray  # per row: M(d) - M(d-1) in tenths (meaningful where has_response)
    flare_rows: np.ndarray  # rows whose response is a flare


def events(days: Days, as_of: int) -> Events:
    """Return every alert event of the days, dated on or before as_of, with its until."""
    morning = days.morning
    first_row, last_row = days.first_row, days.last_row
    found: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []  # (rule, date, until, patient code)

    # rising_streak: runs of strict rises; the run's first morning is the row before its first rise; dated on
    # the first rise from the second on (the run's third morning on) that is painful by its rise over it.
    previous = np.empty_like(morning)
    previous[1:] = morning[:-1]
    previous[first_row] = -1
    rises = (previous >= 0) & (morning > previous)
    run_first, run_last = _islands(rises, first_row, last_row)
    later = np.flatnonzero(rises[1:] & rises[:-1] & (morning[1:] > SAFE_ZONE_TOP)) + 1
    run = np.searchsorted(run_first, later, side="right") - 1
    painful = _painful(days, later, morning[later].astype(np.int32) - morning[run_first[run] - 1])
    dated, run = later[painful], run[painful]
    once = _group_starts(run)
    dated, run = dated[once], run[once]
    found.append((RISING_STREAK, days.date[dated], days.date[run_last[run]], days.pat[dated]))

    # flare: the response R = M(d+1) - M(d) after a loading day d, dated d+1, when d+1 is painful by R.
    has_response = previous >= 0
    has_response[1:] &= days.loading[:-1]
    has_response &= morning >= 0
    response = morning - previous
    candidates = np.flatnonzero(has_response & (response >= days.threshold) & (morning > SAFE_ZONE_TOP))
    flare_rows = candidates[_painful(days, candidates, response[candidates].astype(np.int32))]
    found.append((FLARE, days.date[flare_rows], days.date[flare_rows], days.pat[flare_rows]))

    # pain_above_ceiling: a run of mornings above the ceiling in effect, dated on its first.
    begin, end = _islands(morning > days.ceiling, first_row, last_row)
    found.append((ABOVE_CEILING, days.date[begin], days.date[end], days.pat[begin]))

    # load_spike: acute (7 days) above 1.5 x chronic (28 days / 4), from the 27th day on, kept in integers.
    # The 27th day of the range is at least the 27th since start_date, so both windows lie in the range.
    # 8 x acute > 3 x chronic is 5 x sum(..d) - 8 x sum(..d-7) + 3 x sum(..d-28) > 0, over running sums.
    total = np.zeros(morning.size + 1, dtype=np.int64)
    np.cumsum(days.reps, out=total[1:])
    spiking = days.pos >= 27
    excess = total[28:] * 5
    excess -= total[21:-7] * 8
    excess += total[:-28] * 3
    spiking[27:] &= (excess > 0) & (total[28:] > total[:-28])
    begin, end = _islands(spiking, first_row, last_row)
    found.append((LOAD_SPIKE, days.date[begin], days.date[end], days.pat[begin]))

    # not_logging: three or more programme days in a row without a morning score, dated on the third.
    begin, end = _islands(morning < 0, first_row, last_row)
    long = end - begin >= 2
    begin, end = begin[long], end[long]
    found.append((NOT_LOGGING, days.date[begin] + 2, days.date[end], days.pat[begin]))

    # low_adherence: a finished ISO week (Sunday on or before as_of) whose adherence rounds below 50 %.
    starts = np.flatnonzero(first_row | ((days.date + 3) % 7 == 0))
    tenths = adherence_tenths(starts, days.reps, days.target)
    sunday = days.date[starts] + 6 - (days.date[starts] + 3) % 7
    low = (sunday <= as_of) & (tenths >= 0) & (tenths < 500)
    found.append((LOW_ADHERENCE, sunday[low], sunday[low], days.pat[starts[low]]))

    return Events(
        pat=np.concatenate([pat for _, _, _, pat in found]).astype(np.intp),
        rule=np.concatenate([np.full(date.size, rule, dtype=np.int8) for rule, date, _, _ in found]),
        date=np.concatenate([date for _, date, _, _ in found]),
        until=np.concatenate([until for _, _, until, _ in found]),
        has_response=has_response, response=response, flare_rows=flare_rows,
    )


def _event_frame(tables: dict[str, pd.DataFrame], found: Events, date_from: int | None,
                 date_to: int) -> pd.DataFrame:
    """Return the events dated in [date_from, date_to], sorted by date, patient_id and rule as the SQL is."""
    import pandas as pd

    keep = found.date <= date_to
    if date_from is not None:
        keep &= found.date >= date_from
    pat, rule, date, until = found.pat[keep], found.rule[keep], found.date[keep], found.until[keep]
    categories = tables["patients"]["patient_id"].cat.categories
    order = np.argsort((date * len(categories) + pat) * len(RULES) + rule, kind="stable")
    pat, rule, date, until = pat[order], rule[order], date[order], until[order]
    return pd.DataFrame({
        "patient_id": pd.Categorical.from_codes(pat, categories=categories),
        "rule": pd.Categorical.from_codes(rule, categories=RULES),
        "date": date.astype("datetime64[D]"),
        "until": until.astype("datetime64[D]"),
        "severity": pd.Categorical.from_codes(SEVERITY_CODE[rule], categories=SEVERITIES),
    })


def alert_events(tables: dict[str, pd.DataFrame], date_from: dt.date | None, date_to: dt.date | None,
                 as_of: dt.date) -> pd.DataFrame:
    """Return the alert events dated from date_from to date_to (None: as_of), as of as_of.

    Columns patient_id, rule, date, until and severity; no detail sentence (the comparison with the SQL is on
    (patient_id, rule, date, until)). Sorted by date, patient_id and rule, as the SQL is.
    """
    today = _day(as_of)
    start = None if date_from is None else _day(date_from)
    days = spine(tables, today, None if start is None else start - EVENT_LEAD_DAYS, stages=False)
    return _event_frame(tables, events(days, today), start, today if date_to is None else _day(date_to))


# ---- weekly review ------------------------------------------------------------------------------------


def _week_rows(days: Days, first_day: int, last_day: int) -> tuple[np.ndarray, ...]:
    """Return the patients with rows in [first_day, last_day], their rows, where each one's rows start among
    them, and each row's patient (an index into the patients returned)."""
    begin = np.maximum(first_day, days.first)
    end = np.minimum(last_day, days.first + days.length - 1)
    patients = np.flatnonzero(begin <= end)
    rows, offsets, owner = _ranges(days.offset[patients] + (begin - days.first)[patients],
                                   (end - begin + 1)[patients])
    return patients, rows, offsets, owner


def _mean_morning(days: Days, rows: np.ndarray, owner: np.ndarray, size: int) -> np.ndarray:
    """Return each group's mean morning score over the rows with one, NaN when none has one."""
    morning = days.morning[rows]
    logged = morning >= 0
    scores = np.bincount(owner[logged], minlength=size)
    total = np.bincount(owner[logged], weights=morning[logged] / 10.0, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scores > 0, total / scores, np.nan)


def _main_stages(rows: np.ndarray, stage: np.ndarray, amount, size: int) -> np.ndarray:
    """Return each of `size` rows' logged stage: the stage with most reps that day, ties to the earlier; -1
    for none. rows and stage describe staged exercise lines (row `size` for a line outside the rows);
    amount(which) returns the sets x reps of some of them.
    """
    main = np.full(size + 1, -1, dtype=np.int8)
    main[rows] = stage  # any one of a day's stages; the days where another stage was logged too are redone
    mixed = np.zeros(size + 1, dtype=bool)
    mixed[rows[main[rows] != stage]] = True
    mixed[size] = False
    if mixed.any():
        on_mixed = np.flatnonzero(mixed[rows])
        keys, inverse = np.unique(rows[on_mixed] * 8 + stage[on_mixed], return_inverse=True)
        reps = np.bincount(inverse, weights=amount(on_mixed)).astype(np.int64)
        mixed_rows, mixed_stages = keys >> 3, keys & 7
        order = np.lexsort((reps * 100 - mixed_stages, mixed_rows))
        last = np.append(_group_starts(mixed_rows[order])[1:], order.size) - 1
        main[mixed_rows[order][last]] = mixed_stages[order][last]
    return main[:size]


def _stage_runs(staged: np.ndarray, stage: np.ndarray, owner: np.ndarray,
                count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return, per patient slot, the latest logged stage, the first row of its rank's run, and whether a
    logged day of another rank came before it (-1 and False without any logged stage).

    staged holds the rows with a logged stage, sorted, stage their stages and owner their slots.
    """
    stage_now = np.full(count, -1, dtype=np.int64)
    run_from = np.full(count, -1, dtype=np.int64)
    last_other = np.full(count, -1, dtype=np.int64)
    if staged.size:
        rank = STAGE_RANK[stage]
        starts = _group_starts(owner)
        ends = np.append(starts[1:], staged.size) - 1
        who = owner[starts]
        latest_rank = np.zeros(count, dtype=np.int8)
        latest_rank[who] = rank[ends]
        stage_now[who] = stage[ends]
        other = np.flatnonzero(rank != latest_rank[owner])
        np.maximum.at(last_other, owner[other], other)
        first = np.full(count, -1, dtype=np.int64)
        first[who] = starts
        run_from = np.where(last_other >= 0, last_other + 1, first)
        run_from = np.where(run_from >= 0, staged[np.maximum(run_from, 0)], -1)
    return stage_now, run_from, last_other >= 0


def _logged_stages(tables: dict[str, pd.DataFrame], days: Days, patients: np.ndarray,
                   judged_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return, per patient, the logged stage on the judged day and the days of its rank's run (-1: none).

    A day's logged stage is the stage with the most reps that day (ties to the earlier stage), over the
    programme days from start to the judged day; the run starts after the last logged day of another rank.
    It reads the days' stages; a patient whose days start after start_date and hold no logged day of
    another rank is worked out again with their exercise lines before those days (_logged_history).
    """
    count = patients.size
    index = np.full(days.first.size, -1, dtype=np.intp)
    index[patients] = np.arange(count)
    staged = np.flatnonzero(days.stage >= 0)
    owner = index[days.pat[staged]]
    kept = owner >= 0
    kept[kept] &= staged[kept] <= judged_rows[owner[kept]]
    staged, owner = staged[kept], owner[kept]
    stage_now, run_from, other_before = _stage_runs(staged, days.stage[staged], owner, count)
    judged = days.date[judged_rows]
    days_in = np.where(run_from >= 0, judged - days.date[np.maximum(run_from, 0)] + 1, -1)
    again = np.flatnonzero(~other_before & (days.first[patients] > days.start[patients]))
    if again.size:
        stage_now[again], days_in[again] = _logged_history(tables, days, patients[again], judged_rows[again])
    return stage_now, days_in


def _logged_history(tables: dict[str, pd.DataFrame], days: Days, patients: np.ndarray,
                    judged_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return _logged_stages' figures for some patients from start_date on: the exercise lines dated before
    the days' range, then the days' own stages up to the judged day."""
    count = patients.size
    start, first = days.start[patients], days.first[patients]
    before = first - start
    lengths = before + (judged_rows - days.offset[patients]) + 1
    offsets, owner = _segments(lengths)
    main = np.full(int(lengths.sum()), -1, dtype=np.int8)
    in_range, _, range_owner = _ranges(offsets + before, lengths - before)
    spine_rows = days.offset[patients] - offsets - before
    main[in_range] = days.stage[spine_rows[range_owner] + in_range]
    index = np.full(days.first.size, -1, dtype=np.intp)
    index[patients] = np.arange(count)
    exercises = _log(tables["exercise_entries"], ("stage", "sets", "reps"), int(start.min()),
                     int(first.max()) - 1)
    slot = index[exercises["patient"]]
    inside = np.flatnonzero((slot >= 0) & (exercises["stage"] >= 0))
    slot = slot[inside]
    relative = exercises["day"][inside] - start[slot]
    within = np.flatnonzero(relative.view(np.uint32) < before.view(np.uint32)[slot])
    inside, rows = inside[within], offsets[slot[within]] + relative[within]
    history = _main_stages(rows, exercises["stage"][inside], lambda which: np.multiply(
        exercises["sets"][inside[which]], exercises["reps"][inside[which]], dtype=np.int64), main.size)
    earlier = history >= 0
    main[earlier] = history[earlier]
    staged = np.flatnonzero(main >= 0)
    stage_now, run_from, _ = _stage_runs(staged, main[staged], owner[staged], count)
    days_in = np.where(run_from >= 0, lengths - (run_from - offsets), -1)
    return stage_now, days_in


def _programme_stage_days(days: Days, versions: dict[str, np.ndarray], patients: np.ndarray,
                          judged: np.ndarray) -> np.ndarray:
    """Return, per patient on a programme, the days of the prescribed rank's run up to the judged day.

    The rank changes only where an item starts or ends; the rank between two such points is that of the
    items in effect at the earlier one (no item in effect counts as the unranked rank of 'other').
    """
    order = np.argsort(versions["code"], kind="stable")
    item_code, item_from = versions["code"][order], versions["effective"][order]
    item_until, item_rank = versions["until"][order], STAGE_RANK[versions["stage"][order]]
    index = np.full(days.first.size, -1, dtype=np.int64)
    index[patients] = np.arange(patients.size)
    point_code = np.concatenate([item_code, item_code])
    point_day = np.concatenate([item_from, item_until])
    keep = (index[point_code] >= 0) & (point_day < FAR_FUTURE)
    keep[keep] &= point_day[keep] <= judged[index[point_code[keep]]]
    order = np.lexsort((point_day[keep], point_code[keep]))
    point_code, point_day = point_code[keep][order], point_day[keep][order]
    distinct = _group_starts(point_code, point_day)
    point_code, point_day = point_code[distinct], point_day[distinct]
    low = np.searchsorted(item_code, point_code, side="left")
    high = np.searchsorted(item_code, point_code, side="right")
    pairs, _, point = _ranges(low, high - low)
    in_effect = (item_from[pairs] <= point_day[point]) & (point_day[point] < item_until[pairs])
    rank = np.zeros(point_code.size, dtype=np.int8)
    np.maximum.at(rank, point[in_effect], item_rank[pairs[in_effect]])
    owner = index[point_code]
    starts = _group_starts(owner)
    ends = np.append(starts[1:], owner.size) - 1
    latest = np.zeros(patients.size, dtype=np.int8)
    latest[owner[ends]] = rank[ends]
    other = np.flatnonzero(rank != latest[owner])
    run_from = np.zeros(patients.size, dtype=np.int64)
    run_from[owner[starts]] = starts
    last_other = np.full(patients.size, -1, dtype=np.int64)
    np.maximum.at(last_other, owner[other], other)
    after = last_other >= 0
    run_from[after] = last_other[after] + 1
    begins = np.maximum(point_day[run_from], days.start[patients])
    return judged - begins + 1


def review_frame(tables: dict[str, pd.DataFrame], days: Days, found: Events, week: str,
                 as_of: int) -> pd.DataFrame:
    """Return the weekly review of an ISO week from the days and events, red first as the SQL sorts it."""
    import pandas as pd

    monday_date, _ = parse_iso_week(week)
    monday = _day(monday_date)
    sunday = monday + 6
    patients, rows, starts, owner = _week_rows(days, monday, sunday)
    size = patients.size
    if size == 0:
        return pd.DataFrame({column: [] for column in REVIEW_COLUMNS})
    index = np.full(days.first.size, -1, dtype=np.intp)
    index[patients] = np.arange(size)
    judged_rows = rows[np.append(starts[1:], rows.size) - 1]
    judged = days.date[judged_rows]

    reps, target = days.reps[rows], days.target[rows]
    adherence = _adherence_by_group(starts, reps, target)
    on_target = np.bincount(owner[(target > 0) & (reps >= target)], minlength=size)
    total_reps = np.bincount(owner, weights=reps, minlength=size).astype(np.int64)
    target_reps = np.bincount(owner, weights=target, minlength=size).astype(np.int64)
    mean_morning = _mean_morning(days, rows, owner, size)
    before, before_rows, _, before_owner = _week_rows(days, monday - 7, monday - 1)
    previous_mean = np.full(size, np.nan)
    inside = index[before] >= 0
    means = _mean_morning(days, before_rows, before_owner, before.size)
    previous_mean[index[before[inside]]] = means[inside]

    in_week = (days.date[found.flare_rows] >= monday) & (days.date[found.flare_rows] <= sunday)
    flare_days = np.bincount(index[days.pat[found.flare_rows[in_week]]], minlength=size)
    responded = found.has_response[rows]
    largest = np.full(size, -np.inf)
    np.maximum.at(largest, owner[responded], found.response[rows[responded]] / 10.0)
    max_response = np.where(np.isfinite(largest), largest, np.nan)
    reference = reference_doubled(days, judged_rows)
    reference_pain = np.where(reference >= 0, reference / 20.0, np.nan)

    active = (found.date <= min(sunday, as_of)) & (found.until >= monday) & (index[found.pat] >= 0)
    rule_bits = np.zeros(size, dtype=np.int64)
    np.bitwise_or.at(rule_bits, index[found.pat[active]], 1 << found.rule[active].astype(np.int64))
    risk = np.where(rule_bits & HIGH_BITS, 0, np.where(rule_bits > 0, 1, 2))
    rule_lists = np.empty(1 << len(RULES), dtype=object)
    rule_lists[:] = [[rule for bit, rule in enumerate(RULES) if bits >> bit & 1]
                     for bits in range(rule_lists.size)]

    # Stage: prescribed on the judged day with an item in effect, else the logged one.
    on_programme = days.on_programme[judged_rows]
    prescribed = days.prescribed[judged_rows]
    logged_stage, logged_days = _logged_stages(tables, days, patients, judged_rows)
    stage_code = np.where(on_programme, prescribed, logged_stage)
    days_in_stage = logged_days.astype(np.float64)
    days_in_stage[logged_days < 0] = np.nan
    programme_patients = np.flatnonzero(on_programme)
    ready = np.zeros(size, dtype=bool)
    next_stage = np.full(size, None, dtype=object)
    if programme_patients.size:
        stage_days = _programme_stage_days(days, days.versions, patients[programme_patients],
                                           judged[programme_patients])
        days_in_stage[programme_patients] = stage_days
        ready[programme_patients] = _ready(days, found, patients[programme_patients],
                                           judged_rows[programme_patients], prescribed[programme_patients],
                                           stage_days)
        next_stage[ready] = NEXT_STAGE[STAGE_RANK[prescribed[ready]]]
    ready_to_progress = pd.array(ready, dtype="boolean")
    ready_to_progress[~on_programme] = pd.NA  # judged only with a programme item in effect

    stage_names = np.array(STAGES + (None,), dtype=object)
    frame = pd.DataFrame({
        "patient_id": tables["patients"]["patient_id"].cat.categories[patients],
        "name": _by_code(tables, "name")[patients],
        "clinician": _by_code(tables, "clinician")[patients],
        "week": week,
        "adherence_pct": adherence,
        "days_on_target": on_target,
        "total_reps": total_reps,
        "mean_morning_pain": mean_morning,
        "prev_mean_morning_pain": previous_mean,
        "flare_days": flare_days,
        "max_response": max_response,
        "reference_pain": reference_pain,
        "target_reps": target_reps,
        "stage": stage_names[stage_code],
        "stage_source": np.where(on_programme, "programme", "logs"),
        "days_in_stage": pd.array(days_in_stage, dtype="Int64"),
        "ready_to_progress": ready_to_progress,
        "next_stage": next_stage,
        "alerts": rule_lists[rule_bits],
        "risk": np.array(RISKS)[risk],
    })
    return frame.iloc[np.lexsort((patients, risk))].reset_index(drop=True)


def _by_code(tables: dict[str, pd.DataFrame], column: str) -> np.ndarray:
    """Return a patients column as an object array indexed by patient code."""
    patients = tables["patients"]
    out = np.empty(len(patients), dtype=object)
    out[_codes(patients)] = patients[column].astype(object).where(patients[column].notna(), None).to_numpy()
    return out


def _ready(days: Days, found: Events, patients: np.ndarray, judged_rows: np.ndarray, prescribed: np.ndarray,
           stage_days: np.ndarray) -> np.ndarray:
    """Return whether each patient on a programme is ready to progress on the judged day (all 5 criteria)."""
    size = patients.size
    window_start = np.maximum(judged_rows - 13, days.offset[patients])
    rows, starts, owner = _ranges(window_start, judged_rows - window_start + 1)
    morning = days.morning[rows]
    logged = morning >= 0
    mornings_logged = np.bincount(owner[logged], minlength=size)
    reference = reference_doubled(days, rows[logged])
    limit = np.where(reference >= 0, reference + 20, 60)
    settled = np.bincount(owner[logged][2 * morning[logged] <= limit], minlength=size)
    adherence = _adherence_by_group(starts, days.reps[rows], days.target[rows])

    index = np.full(days.first.size, -1, dtype=np.int64)
    index[patients] = np.arange(size)
    high = np.isin(found.rule, HIGH_RULES) & (index[found.pat] >= 0)
    who = index[found.pat[high]]
    day = days.date[judged_rows][who]
    dated, until = found.date[high], found.until[high]
    unsettled = ((dated >= day - 13) & (dated <= day)) | ((dated <= day) & (until >= day))
    calm = np.bincount(who[unsettled], minlength=size) == 0

    rank = STAGE_RANK[prescribed]
    return (
        (rank >= 1) & (rank < 4) & (stage_days >= 14)
        & (mornings_logged >= 10)
        & calm
        & (np.nan_to_num(adherence, nan=-1.0) >= 80)
        & (5 * settled >= 4 * mornings_logged)
    )


def weekly_review(tables: dict[str, pd.DataFrame], week: str, as_of: dt.date) -> pd.DataFrame:
    """Return the weekly review of an ISO week as of a date: REVIEW_COLUMNS, sorted as the SQL sorts it
    (red, amber, green, then patient_id); alerts are lists of rule ids in alphabetical order.

    It reads only the days from REVIEW_LEAD_DAYS before the Monday to the week's last counted day: later days
    change nothing in the week's review.
    """
    monday, sunday = parse_iso_week(week)
    if as_of < monday:
        raise ValueError(f"as-of date {as_of} is before week {week} starts ({monday}); nothing to review yet")
    today = _day(as_of)
    days = spine(tables, today, _day(monday) - REVIEW_LEAD_DAYS, min(_day(sunday), today))
    return review_frame(tables, days, events(days, today), week, today)


def alerts_and_review(tables: dict[str, pd.DataFrame], date_from: dt.date, as_of: dt.date,
                      week: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return every alert dated from date_from to as_of and the week's review, computed from one spine."""
    monday, _ = parse_iso_week(week)
    if as_of < monday:
        raise ValueError(f"as-of date {as_of} is before week {week} starts ({monday}); nothing to review yet")
    today = _day(as_of)
    start = _day(date_from)
    days = spine(tables, today, min(start - EVENT_LEAD_DAYS, _day(monday) - REVIEW_LEAD_DAYS))
    found = events(days, today)
    return _event_frame(tables, found, start, today), review_frame(tables, days, found, week, today)


# ---- comparison with the SQL --------------------------------------------------------------------------


def _plain(value):
    """Return a cell with every kind of missing as None and numpy scalars as Python values."""
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(sorted(str(item) for item in value))
    if value is None or value is np.nan:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[D]").item()
    return value.item() if hasattr(value, "item") else value


def event_keys(frame: pd.DataFrame) -> set[tuple]:
    """Return the (patient_id, rule, date, until) of each event."""
    dates = [_plain(value) for value in frame["date"].to_numpy()]
    untils = [_plain(value) for value in frame["until"].to_numpy()]
    return set(zip(frame["patient_id"].astype(str), frame["rule"].astype(str), dates, untils, strict=True))


def alert_differences(sql: pd.DataFrame, peer: pd.DataFrame, limit: int = 5) -> list[str]:
    """Return what differs between two sets of events (patient, rule, date, until), a few of each kind."""
    expected, actual = event_keys(sql), event_keys(peer)
    messages = []
    if len(peer) != len(actual):
        messages.append(f"the peer gives {len(peer) - len(actual)} duplicate events")
    for label, keys in (("only in the SQL", expected - actual), ("only in the peer", actual - expected)):
        if keys:
            messages.append(f"{len(keys)} events {label}, e.g. {sorted(keys, key=str)[:limit]}")
    return messages


def review_differences(sql: pd.DataFrame, peer: pd.DataFrame, limit: int = 5,
                       tolerance: float = 1e-9) -> list[str]:
    """Return what differs between two weekly reviews, row by row in order and field by field."""
    lacking = [column for column in REVIEW_COLUMNS if column not in peer.columns]
    if lacking:
        return [f"the peer has no column {', '.join(lacking)}"]
    left = [str(value) for value in sql["patient_id"]]
    right = [str(value) for value in peer["patient_id"]]
    messages = []
    if left != right:
        only = sorted(set(left) ^ set(right))
        if only or len(left) != len(right):
            return [f"rows differ: SQL {len(left)}, peer {len(right)}; only in one: {only[:limit]}"]
        at = next(index for index, (a, b) in enumerate(zip(left, right, strict=True)) if a != b)
        messages.append(f"rows in another order: row {at} is {left[at]} in the SQL, {right[at]} in the peer")
        position = {patient: index for index, patient in enumerate(right)}
        peer = peer.iloc[[position[patient] for patient in left]]
    for column in REVIEW_COLUMNS[1:]:
        wrong = []
        for patient, a, b in zip(left, sql[column].to_numpy(), peer[column].to_numpy(), strict=True):
            a, b = _plain(a), _plain(b)
            same = a == b or (isinstance(a, float) and isinstance(b, int | float) and abs(a - b) <= tolerance)
            if not same:
                wrong.append((patient, a, b))
        if wrong:
            messages.append(f"{column}: {len(wrong)} rows differ (patient, SQL, peer), e.g. {wrong[:limit]}")
    return messages


# ---- the benchmark phase ------------------------------------------------------------------------------


def _timed_peer(tables: dict[str, pd.DataFrame], alerts_from: dt.date, as_of: dt.date, week: str,
                runs: int, warmup: int) -> tuple[dict, dict]:
    """Return the seconds of each timed run of the three peer computations, and their last results."""
    from bench.phases import _timed_runs

    seconds, results = {}, {}
    for name, action in (
        ("alerts_all", lambda: alerts_and_review(tables, alerts_from, as_of, week)),
        ("review", lambda: weekly_review(tables, week, as_of)),
        ("alerts", lambda: alert_events(tables, alerts_from, as_of, as_of)),
    ):
        seconds[name], results[name] = _timed_runs(action, runs, warmup)
    return seconds, results


def peer_phase(args: dict) -> dict:
    """Time the peer on an imported clinic (alerts and review together, the review, the alerts) vs the SQL.

    The raw tables are read once (read_s, not counted); each computation starts from them. The SQL runs
    once afterwards for the check: agrees_alerts compares (patient_id, rule, date, until) as sets, for the
    combined and the alerts-alone results; agrees_review compares every field of every row, in order.
    """
    import time

    from bench.phases import _summary
    from dashboard import metrics
    from dashboard.access import Viewer
    from dashboard.db import Database

    # Opened as the metric phases open it, so that the SQL it is checked against runs with today's macros.
    database = Database(args["db_path"])
    as_of = dt.date.fromisoformat(args["as_of"])
    alerts_from = dt.date.fromisoformat(args["alerts_from"])
    week = args["week"]
    started = time.perf_counter()
    tables = read_tables(database)
    read_s = time.perf_counter() - started
    seconds, results = _timed_peer(tables, alerts_from, as_of, week, args["runs"], args["warmup"])
    # The raw tables go before the SQL runs, so that the phase's peak memory is the larger of the two.
    del tables
    viewer = Viewer.system()
    started = time.perf_counter()
    sql_alerts = metrics.alert_events(database, viewer, alerts_from, as_of, as_of=as_of)
    sql_alerts_s = time.perf_counter() - started
    started = time.perf_counter()
    sql_review = metrics.weekly_review(database, viewer, week, as_of=as_of)
    sql_review_s = time.perf_counter() - started
    database.close()
    alerts, review = results["alerts_all"]
    alert_problems = alert_differences(sql_alerts, alerts) + alert_differences(sql_alerts, results["alerts"])
    review_problems = (review_differences(sql_review, review)
                       + review_differences(sql_review, results["review"]))
    return {
        "read_s": read_s,
        **{name: _summary(runs) for name, runs in seconds.items()},
        "result_rows": {"alerts": len(alerts), "review": len(review)},
        "agrees_alerts": not alert_problems,
        "agrees_review": not review_problems,
        "alert_differences": alert_problems[:4],
        "review_differences": review_problems[:6],
        # One cold run each, for orientation only: the metric phases time the SQL properly.
        "sql_once_s": {"alerts": sql_alerts_s, "review": sql_review_s},
    }
