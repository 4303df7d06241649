"""A seeded synthetic clinic: eight kinds of patient and four loading programmes, written as CSV logs in the
import formats."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

_PACKAGE_DIR = Path(__file__).resolve().parent
# A wheel carries the sample clinic inside the package; a checkout keeps it at the top level.
SAMPLE_DIR = next(
    (d for d in (_PACKAGE_DIR / "sample_data", _PACKAGE_DIR.parent / "sample_data") if d.is_dir()),
    _PACKAGE_DIR.parent / "sample_data",
)
SAMPLE_END = dt.date(2026, 11, 22)  # a Sunday: the sample's last complete ISO week is 2026-W47
SAMPLE_SEED = 7
SAMPLE_PATIENTS = 24
SAMPLE_DAYS = 84

ARCHETYPES = (
    "steady_improver",
    "pushing_too_hard",
    "under_adherent",
    "stops_logging",
    "load_spiker",
    "late_starter",
    "discharged",
    "isometric_low_target",
)
_FIRST_NAMES = (
    "Zoë",
    "José",
    "Aisha",
    "Liam",
    "Mei",
    "Óscar",
    "Freya",
    "Kwame",
    "Ines",
    "Tomás",
    "Hana",
    "Ravi",
)
_LAST_NAMES = (
    "Lefèvre",
    "Núñez",
    "Okafor",
    "Walsh",
    "Chen",
    "Sørensen",
    "Kowalski",
    "Mensah",
    "Duarte",
    "Byrne",
)
_CLINICIANS = ("Sam Patel", "Léa Moreau", "Tom Becker")
_CONDITIONS = (
    "proximal hamstring tendinopathy",
    "proximal hamstring tendinopathy",
    "Achilles tendinopathy",
    "patellar tendinopathy",
    "gluteal tendinopathy",
)
_NOTES = (
    "tight after a long drive",
    "sat for 3 h at work, sore after",
    'felt "pinchy" on the last set, eased by lunch',
    "good day",
    "skipped evening session, family visit",
)

# Per archetype: chance of exercising on a programme day, volume as a share of target, and pain course.
_EXERCISE_CHANCE = np.array([0.92, 0.96, 0.40, 0.88, 0.88, 0.92, 0.92, 0.88])
_VOLUME_SHARE = np.array([1.0, 1.45, 0.55, 0.95, 0.85, 1.0, 1.0, 1.0])
_PAIN_START = np.array([4.0, 3.0, 3.5, 3.0, 2.5, 4.0, 3.0, 4.5])
_PAIN_END = np.array([1.0, 3.5, 3.5, 2.5, 2.5, 3.0, 0.5, 3.0])
# The last seven mornings of each patient pushing too hard: a rising streak into a flare.
_PUSHING_LAST_WEEK = np.array([2.0, 3.0, 6.0, 7.0, 6.0, 5.0, 4.0])


def _stage_for(progress: np.ndarray) -> np.ndarray:
    """Return the programme stage reached at each share of the programme."""
    return np.select(
        [progress < 0.25, progress < 0.6, progress < 0.85],
        ["isometric", "heavy_slow", "isotonic"],
        "energy_storage",
    )


def generate_clinic(
    patients: int = SAMPLE_PATIENTS,
    days: int = SAMPLE_DAYS,
    seed: int = SAMPLE_SEED,
    end: dt.date = SAMPLE_END,
) -> dict[str, pa.Table]:
    """Return the four logs and the programme file of a synthetic clinic as Arrow tables, identical for
    identical arguments.

    The clinic's story (a flare, a load spike, a patient gone quiet) plays out in the ISO week that ends on
    the last Sunday up to `end`: the week a reviewer opens the day after `end`, whatever weekday that is.
    """
    rng = np.random.default_rng(seed)
    first_day = end - dt.timedelta(days=days - 1)
    # Days after the story's Sunday up to end (0 when end is a Sunday), logged as ordinary days.
    week_end = days - 1 - story_tail(end)
    story = week_end + 1  # the story's days count back from here, as they once counted back from `days`
    ids = np.array([f"P{index + 1:0{max(3, len(str(patients)))}d}" for index in range(patients)])
    kind = np.arange(patients) % len(ARCHETYPES)
    day = np.arange(days)

    start = rng.integers(0, min(7, days), patients)
    start[kind == ARCHETYPES.index("late_starter")] = max(0, story - 21)
    last = np.full(patients, days - 1)
    last[kind == ARCHETYPES.index("stops_logging")] = max(0, story - 10)
    discharged = kind == ARCHETYPES.index("discharged")
    last[discharged] = max(0, story - 15)
    target = np.where(kind == ARCHETYPES.index("isometric_low_target"), 30, 90)
    target = np.where((kind == 0) & (np.arange(patients) % 3 == 2), 120, target)

    in_programme = (day[None, :] >= start[:, None]) & (day[None, :] <= last[:, None])
    span = np.maximum(last - start, 1)
    progress = np.clip((day[None, :] - start[:, None]) / span[:, None], 0, 1)
    stage = _stage_for(progress)
    stage[kind == ARCHETYPES.index("isometric_low_target")] = "isometric"

    exercised = in_programme & (rng.random((patients, days)) < _EXERCISE_CHANCE[kind][:, None])
    share = _VOLUME_SHARE[kind][:, None] + rng.normal(0, 0.12, (patients, days))
    spiker = kind == ARCHETYPES.index("load_spiker")
    spike_days = (day >= story - 8) & (day <= story - 2)
    share[np.ix_(spiker, spike_days)] *= 2.4
    daily_reps = np.maximum(1, np.rint(target[:, None] * np.clip(share, 0.2, None))).astype(int)

    morning = _PAIN_START[kind][:, None] + (_PAIN_END - _PAIN_START)[kind][:, None] * progress
    morning = morning + rng.normal(0, 0.5, (patients, days))
    pushing = kind == ARCHETYPES.index("pushing_too_hard")
    story_week = day[max(0, story - 7) : story]
    if len(story_week) == 7:
        morning[np.ix_(pushing, story_week)] = _PUSHING_LAST_WEEK
    if days >= 40:
        morning[np.ix_(pushing, day[[30, 31]])] = [[2.0, 5.0]]
    half_points = rng.random((patients, days)) < 0.2
    morning = np.clip(np.where(half_points, np.rint(morning * 2) / 2, np.rint(morning)), 0, 10)
    _settle_after_holds(morning, exercised, in_programme)
    evening = np.clip(np.rint(morning + rng.normal(0.6, 0.6, (patients, days))), 0, 10)
    morning_logged = in_programme & (rng.random((patients, days)) < 0.93)
    if len(story_week) == 7:
        morning_logged[np.ix_(pushing, story_week)] = True
    evening_logged = in_programme & (rng.random((patients, days)) < 0.7)
    # The programmes' draws come from a stream of their own, so the other patients' logs stay as they were.
    plans = _programme_plans(patients, start, last, story, exercised)
    unlogged = _settle_programme_mornings(plans, story, morning, evening, morning_logged)

    # P006's first day moves after the lines are drawn, so that every other patient's draws stay as they were.
    first_days = _late_start(start, days)
    patients_table = _patients_table(ids, kind, first_day, first_days, last, discharged, target)
    pain_table = _pain_table(ids, first_day, morning, evening, morning_logged, evening_logged, rng)
    pain_table = _with_mornings(pain_table, unlogged, ids, first_day, morning)
    exercise_table = _exercise_table(ids, first_day, exercised, stage, daily_reps, rng)
    activity_table = _activity_table(ids, kind, first_day, in_programme, rng)
    activity_table = _with_aggravating_runs(
        activity_table, ids, first_day, exercised, in_programme, morning, morning_logged,
        np.random.default_rng([seed, 14]),
    )
    programme_rng = np.random.default_rng([seed, 13])
    tables = {
        "patients": patients_table,
        "pain": pain_table,
        "exercises": _with_programme_exercises(exercise_table, plans, ids, first_day, programme_rng),
        "activities": activity_table,
        "programme": _programme_table(plans, ids, first_day),
    }
    return _from_late_start(tables, ids, first_day, first_days)


# --- the loading programmes ------------------------------------------------------------------------------
# Four patients have a prescribed programme (the others are judged against their flat daily target):
#   P017, a steady improver on heavy slow resistance on Monday, Wednesday and Friday, every session done;
#   P009, a steady improver moved from isometric holds to isotonic work 9 days before the story's Sunday
#         (so still in the stage's first 14 days);
#   P008, on isometric holds all along, settled and adherent: ready to progress in the story week;
#   P024, the same but for a flare in the week before the story week: kept back by it.

# Patient index -> role; a smaller clinic has only the roles whose patient it has.
_PROGRAMME_ROLES = {16: "heavy_slow_mwf", 8: "isometric_to_isotonic", 7: "ready", 23: "flare_kept_back"}
_HOLD = ("Isometric bridge hold", "isometric", 6, 5, "daily", 45.0, None)
_ROLE_ITEMS = {
    # (exercise, stage, sets, reps, days, hold_s, load_kg), from the patient's first day unless dated
    "heavy_slow_mwf": [
        ("Single-leg bridge (weighted)", "heavy_slow", 4, 12, "mon,wed,fri", None, 20.0),
        ("Romanian deadlift", "heavy_slow", 3, 12, "mon,wed,fri", None, 40.0),
    ],
    "isometric_to_isotonic": [_HOLD],
    "ready": [_HOLD],
    "flare_kept_back": [_HOLD],
}
# Days before the story's Sunday (0 is the Sunday itself) of the later changes.
_HEAVIER_DEADLIFT = 27  # the deadlift goes heavier: 3 x 10 at 50 kg
_TO_ISOTONIC = 8  # 9 days in the isotonic stage on the Sunday
_FLARE = 9  # the Friday before the story week
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _programme_plans(patients: int, start, last, story: int, exercised) -> list[dict]:
    """Return each programme patient's plan: its items as (day offset, item) and the days it exercises."""
    plans = []
    sunday = story - 1
    for index, role in _PROGRAMME_ROLES.items():
        if index >= patients or last[index] <= start[index]:
            continue
        first = int(start[index])
        items = [(first, item) for item in _ROLE_ITEMS[role]]
        if role == "heavy_slow_mwf" and sunday - _HEAVIER_DEADLIFT > first:
            heavier = ("Romanian deadlift", "heavy_slow", 3, 10, "mon,wed,fri", None, 50.0)
            items.append((sunday - _HEAVIER_DEADLIFT, heavier))
        if role == "isometric_to_isotonic" and sunday - _TO_ISOTONIC > first:
            moved = sunday - _TO_ISOTONIC
            items += [
                (moved, ("Isometric bridge hold", "isometric", 0, 0, "none", None, None)),
                (moved, ("Hip extension machine", "isotonic", 3, 12, "tue,thu,sat", None, 25.0)),
                (moved, ("Single-leg Romanian deadlift", "isotonic", 3, 10, "tue,thu,sat", None, 12.0)),
            ]
        days = np.arange(first, int(last[index]) + 1)
        if role == "isometric_to_isotonic":
            done = days[exercised[index, days]]
        elif role == "heavy_slow_mwf":
            done = days  # every scheduled session done: the rest days are no missed days
        else:
            done = days[(days - first) % 10 != 9]  # a day in ten missed: 90 % adherent whatever the week
            if role == "flare_kept_back" and sunday - _FLARE - 1 in days:
                done = np.union1d(done, [sunday - _FLARE - 1])  # the loading day before the flare
        plans.append({"index": index, "role": role, "items": items, "done": done})
    return plans


def _settle_programme_mornings(plans, story, morning, evening, morning_logged) -> list[tuple[int, int]]:
    """Keep the ready patients' last three weeks settled; give the kept-back patient one flare. Return the
    (patient, day) mornings of those weeks left unlogged, which _with_mornings logs."""
    window = np.arange(max(0, story - 21), story)
    unlogged = []
    for plan in plans:
        if plan["role"] not in ("ready", "flare_kept_back"):
            continue
        index = plan["index"]
        morning[index, window] = np.clip(morning[index, window], 2.0, 3.0)
        unlogged += [(index, int(day)) for day in window if not morning_logged[index, day]]
        evening[index, window] = np.minimum(evening[index, window], morning[index, window] + 1)
        flare = story - 1 - _FLARE
        if plan["role"] == "flare_kept_back" and flare - 2 >= window[0] and flare - 1 in plan["done"]:
            # 3, 2, then 5 the morning after a loading day: a rise of 3, painful by it; 3 again the next day.
            morning[index, flare - 2 : flare + 2] = [3.0, 2.0, 5.0, 3.0]
            evening[index, flare] = 4.0
    return unlogged


def _with_mornings(table: pa.Table, unlogged, ids, first_day: dt.date, morning) -> pa.Table:
    """Return the pain log with the given mornings logged too (added after it is drawn, so that the notes
    drawn for the other patients' lines stay as they were)."""
    if not unlogged:
        return table
    added = pa.Table.from_pylist(
        [{"patient_id": ids[index], "date": first_day + dt.timedelta(days=day), "time_of_day": "morning",
          "pain": float(morning[index, day]), "note": None} for index, day in unlogged],
        schema=table.schema,
    )
    both = pa.concat_tables([table, added])
    return _in_log_order(both, pc.equal(both.column("time_of_day"), "evening"))


def _in_log_order(table: pa.Table, within_day=None) -> pa.Table:
    """Return log lines sorted by patient and date (then within_day, if given), keeping their order
    otherwise."""
    keyed = table.append_column("_sequence", pa.array(np.arange(table.num_rows)))
    keys = [("patient_id", "ascending"), ("date", "ascending")]
    if within_day is not None:
        keyed = keyed.append_column("_within_day", within_day)
        keys.append(("_within_day", "ascending"))
    order = pc.sort_indices(keyed, sort_keys=[*keys, ("_sequence", "ascending")])
    return table.take(order)


def _scheduled(days: str, weekday: int) -> bool:
    """Return whether an item's days include a weekday (0 Monday)."""
    return days == "daily" or _WEEKDAYS[weekday] in days.split(",")


def _with_programme_exercises(table: pa.Table, plans, ids, first_day: dt.date, rng) -> pa.Table:
    """Return the exercise log with each programme patient's lines replaced by the prescribed exercises."""
    if not plans:
        return table
    programme_ids = [ids[plan["index"]] for plan in plans]
    kept = table.filter(pc.invert(pc.is_in(table.column("patient_id"), pa.array(programme_ids))))
    rows = []
    for plan in plans:
        for offset in plan["done"]:
            weekday = (first_day + dt.timedelta(days=int(offset))).weekday()
            in_effect: dict[str, tuple] = {}
            for starts, item in plan["items"]:
                if starts <= offset:
                    in_effect[item[0].lower()] = item
            for exercise, stage, sets, reps, days, hold_s, load_kg in in_effect.values():
                if days != "none" and _scheduled(days, weekday):
                    rows.append({
                        "patient_id": ids[plan["index"]], "date": first_day + dt.timedelta(days=int(offset)),
                        "exercise": exercise, "stage": stage, "sets": sets, "reps": reps, "hold_s": hold_s,
                        "load_kg": load_kg, "pain_during": float(np.clip(np.rint(rng.normal(2, 1)), 0, 10)),
                        "note": None,
                    })
    return _in_log_order(pa.concat_tables([kept, pa.Table.from_pylist(rows, schema=table.schema)]))


def _programme_table(plans, ids, first_day: dt.date) -> pa.Table:
    """Return the programme file: every item version, by patient and date."""
    rows = [
        {"patient_id": ids[plan["index"]], "effective_from": first_day + dt.timedelta(days=int(starts)),
         "exercise": item[0], "stage": item[1], "sets": item[2], "reps": item[3], "days": item[4],
         "hold_s": item[5], "load_kg": item[6]}
        for plan in sorted(plans, key=lambda plan: plan["index"])
        for starts, item in plan["items"]
    ]
    schema = pa.schema([
        ("patient_id", pa.string()), ("effective_from", pa.date32()), ("exercise", pa.string()),
        ("stage", pa.string()), ("sets", pa.int64()), ("reps", pa.int64()), ("days", pa.string()),
        ("hold_s", pa.float64()), ("load_kg", pa.float64()),
    ])
    return pa.Table.from_pylist(rows, schema=schema)


# --- what three patients tolerate ------------------------------------------------------------------------
# Three patients show the tolerance section's three verdicts (an association in a log, not a cause):
#   P010, pushing too hard: runs on the loading days after which the next morning rose by a point or
#         more, and on no others, so runs read as likely aggravating (the red review row: "after: run");
#   P016, on isometric holds and nothing else: a morning after a hold day is never worse than the hold
#         day's, so the hold reads as well tolerated and the pain settles over the weeks;
#   P006, a late starter who began 4 days before the clinic's last day: too few loading days to judge.
# Only those patients' lines change (P010's runs from a stream of their own); the others stay as they were.
_RUNS_AGGRAVATE = 9
_HOLD_SETTLES = 15
_TOO_LITTLE_DATA = 5
_TOO_LITTLE_DATA_DAYS = 4  # the last days, up to the clinic's end: 3 loading days with a next morning at most


def _late_start(start: np.ndarray, days: int) -> np.ndarray:
    """Return the patients' first days with P006's moved to the last 4 days."""
    if _TOO_LITTLE_DATA >= len(start):
        return start
    moved = start.copy()
    moved[_TOO_LITTLE_DATA] = max(start[_TOO_LITTLE_DATA], days - _TOO_LITTLE_DATA_DAYS)
    return moved


def _from_late_start(tables: dict[str, pa.Table], ids, first_day: dt.date, start) -> dict[str, pa.Table]:
    """Return the logs without P006's lines before the (moved) first day."""
    if _TOO_LITTLE_DATA >= len(ids):
        return tables
    patient = ids[_TOO_LITTLE_DATA]
    begins = pa.scalar(first_day + dt.timedelta(days=int(start[_TOO_LITTLE_DATA])), pa.date32())
    for name in ("pain", "exercises", "activities"):
        table = tables[name]
        before = pc.and_(pc.equal(table.column("patient_id"), patient), pc.less(table.column("date"), begins))
        tables[name] = table.filter(pc.invert(before))
    return tables


def _settle_after_holds(morning, exercised, in_programme) -> None:
    """Keep each of P016's mornings after a hold day at or below the hold day's morning."""
    index = _HOLD_SETTLES
    if index >= len(morning):
        return
    for day in range(morning.shape[1] - 1):
        if exercised[index, day] and in_programme[index, day + 1]:
            morning[index, day + 1] = min(morning[index, day + 1], morning[index, day])


def _with_aggravating_runs(
    table: pa.Table, ids, first_day: dt.date, exercised, in_programme, morning, morning_logged, rng
) -> pa.Table:
    """Return the activity log with P010's runs on just the loading days the next morning rose by 1+."""
    index = _RUNS_AGGRAVATE
    if index >= len(ids):
        return table
    both_logged = morning_logged[index, :-1] & morning_logged[index, 1:] & in_programme[index, 1:]
    rose = (morning[index, 1:] - morning[index, :-1]) >= 1
    days = np.nonzero(exercised[index, :-1] & both_logged & rose)[0]
    # P016 does the holds and nothing else, so that the hold is what the mornings are compared on.
    others = [ids[index]] + ([ids[_HOLD_SETTLES]] if _HOLD_SETTLES < len(ids) else [])
    kept = table.filter(pc.invert(pc.is_in(table.column("patient_id"), pa.array(others))))
    runs = pa.Table.from_pylist(
        [{"patient_id": ids[index], "date": first_day + dt.timedelta(days=int(day)), "activity": "run",
          "duration_min": int(rng.integers(30, 50)), "rpe": int(rng.integers(5, 8)),
          "pain_during": float(np.clip(np.rint(rng.normal(3, 1)), 0, 10)), "note": None}
         for day in days],
        schema=table.schema,
    )
    return _in_log_order(pa.concat_tables([kept, runs]))


def story_tail(end: dt.date) -> int:
    """Return how many days end is after the last Sunday up to it (0 for a Sunday, 6 for a Saturday)."""
    return end.isoweekday() % 7


def demo_end(today: dt.date) -> dt.date:
    """Return the last day the demo's sample clinic logs when loaded today: yesterday."""
    return today - dt.timedelta(days=1)


def _dates(first_day: dt.date, offsets: np.ndarray) -> pa.Array:
    """Return day offsets from first_day as an Arrow date array."""
    epoch_days = (first_day - dt.date(1970, 1, 1)).days
    return pa.array(offsets.astype(np.int32) + epoch_days, pa.date32())


def _patients_table(ids, kind, first_day, start, last, discharged, target) -> pa.Table:
    """Return the patients log."""
    count = len(ids)
    first_names = [_FIRST_NAMES[i % len(_FIRST_NAMES)] for i in range(count)]
    last_names = [_LAST_NAMES[(i * 7 + i // len(_FIRST_NAMES)) % len(_LAST_NAMES)] for i in range(count)]
    names = [f"{first} {last}" for first, last in zip(first_names, last_names, strict=True)]
    discharged_on = [
        (first_day + dt.timedelta(days=int(last[i]))) if discharged[i] else None for i in range(count)
    ]
    return pa.table(
        {
            "patient_id": ids,
            "name": names,
            "clinician": [_CLINICIANS[i % len(_CLINICIANS)] for i in range(count)],
            "condition": [_CONDITIONS[i % len(_CONDITIONS)] for i in range(count)],
            "start_date": _dates(first_day, start),
            "daily_rep_target": target,
            "pain_ceiling": np.full(count, 5),
            "flare_threshold": np.full(count, 2),
            "discharged_on": pa.array(discharged_on, pa.date32()),
        }
    )


def _pain_table(ids, first_day, morning, evening, morning_logged, evening_logged, rng) -> pa.Table:
    """Return the pain log: morning and evening scores, a missing score simply absent."""
    rows_m = np.nonzero(morning_logged)
    rows_e = np.nonzero(evening_logged)
    patient = np.concatenate([rows_m[0], rows_e[0]])
    offset = np.concatenate([rows_m[1], rows_e[1]])
    score = np.concatenate([morning[rows_m], evening[rows_e]])
    time_of_day = np.concatenate([np.full(len(rows_m[0]), "morning"), np.full(len(rows_e[0]), "evening")])
    order = np.lexsort((time_of_day == "evening", offset, patient))
    return pa.table(
        {
            "patient_id": ids[patient[order]],
            "date": _dates(first_day, offset[order]),
            "time_of_day": time_of_day[order],
            "pain": score[order],
            "note": _sparse_notes(len(order), rng, 0.03),
        }
    )


def _sparse_notes(count: int, rng: np.random.Generator, chance: float) -> pa.Array:
    """Return mostly-empty notes, a few of them with commas and quotes."""
    picks = rng.integers(0, len(_NOTES), count)
    present = rng.random(count) < chance
    return pa.array(np.where(present, np.array(_NOTES, dtype=object)[picks], None), pa.string())


def _exercise_table(ids, first_day, exercised, stage, daily_reps, rng) -> pa.Table:
    """Return the exercise log: isometric holds as one line, loaded work as two exercises of three sets."""
    patient, offset = np.nonzero(exercised)
    day_stage = stage[patient, offset]
    reps = daily_reps[patient, offset]
    isometric = day_stage == "isometric"
    # Loaded days split their volume over two exercises of three sets each.
    per_set = np.maximum(1, np.rint(reps / 6)).astype(int)
    loaded_names = {
        "heavy_slow": ("Single-leg bridge (weighted)", "Romanian deadlift"),
        "isotonic": ("Hip extension machine", "Single-leg Romanian deadlift"),
        "energy_storage": ("Skater bounds", "A-skips"),
    }
    first_name = np.array([loaded_names.get(s, ("", ""))[0] for s in day_stage], dtype=object)
    second_name = np.array([loaded_names.get(s, ("", ""))[1] for s in day_stage], dtype=object)
    # Clipped like every other drawn score: five standard deviations below 40 kg happen at 30,000 patients.
    load = np.where(
        day_stage == "energy_storage", np.nan, np.clip(np.rint(rng.normal(40, 8, len(patient))), 0, None)
    )

    iso = np.nonzero(isometric)[0]
    loaded = np.nonzero(~isometric)[0]
    pieces = [
        {  # isometric holds: 45 s each, one hold counted as one rep
            "row": iso,
            "exercise": np.full(len(iso), "Isometric bridge hold", dtype=object),
            "sets": np.maximum(1, np.rint(reps[iso] / 5)).astype(int),
            "reps": np.full(len(iso), 5),
            "hold_s": np.full(len(iso), 45.0),
            "load_kg": np.full(len(iso), np.nan),
            "order": 0,
        },
        {
            "row": loaded,
            "exercise": first_name[loaded],
            "sets": np.full(len(loaded), 3),
            "reps": per_set[loaded],
            "hold_s": np.full(len(loaded), np.nan),
            "load_kg": load[loaded],
            "order": 1,
        },
        {
            "row": loaded,
            "exercise": second_name[loaded],
            "sets": np.full(len(loaded), 3),
            "reps": per_set[loaded],
            "hold_s": np.full(len(loaded), np.nan),
            "load_kg": np.rint(load[loaded] * 0.8),
            "order": 2,
        },
    ]
    row = np.concatenate([p["row"] for p in pieces])
    order_key = np.concatenate([np.full(len(p["row"]), p["order"]) for p in pieces])
    order = np.lexsort((order_key, offset[row], patient[row]))
    row = row[order]
    pain_during = np.clip(np.rint(rng.normal(2, 1, len(row))), 0, 10)
    return pa.table(
        {
            "patient_id": ids[patient[row]],
            "date": _dates(first_day, offset[row]),
            "exercise": pa.array(np.concatenate([p["exercise"] for p in pieces])[order], pa.string()),
            "stage": day_stage[row],
            "sets": np.concatenate([p["sets"] for p in pieces])[order],
            "reps": np.concatenate([p["reps"] for p in pieces])[order],
            "hold_s": pa.array(
                np.concatenate([p["hold_s"] for p in pieces])[order], pa.float64(), from_pandas=True
            ),
            "load_kg": pa.array(
                np.concatenate([p["load_kg"] for p in pieces])[order], pa.float64(), from_pandas=True
            ),
            "pain_during": pain_during,
            "note": _sparse_notes(len(row), rng, 0.02),
        }
    )


def _activity_table(ids, kind, first_day, in_programme, rng) -> pa.Table:
    """Return runs and rides: improvers, over-loaders and spikers run; the others ride now and then."""
    runner = np.isin(kind, [0, 1, 4])
    chance = np.where(runner, 0.3, 0.12)
    done = in_programme & (rng.random(in_programme.shape) < chance[:, None])
    patient, offset = np.nonzero(done)
    is_run = runner[patient]
    return pa.table(
        {
            "patient_id": ids[patient],
            "date": _dates(first_day, offset),
            "activity": np.where(is_run, "run", "ride"),
            "duration_min": np.where(
                is_run, rng.integers(20, 50, len(patient)), rng.integers(30, 90, len(patient))
            ),
            "rpe": rng.integers(3, 8, len(patient)),
            "pain_during": np.clip(np.rint(rng.normal(2, 1.2, len(patient))), 0, 10),
            "note": _sparse_notes(len(patient), rng, 0.05),
        }
    )


def clinic_csv_bytes(tables: dict[str, pa.Table]) -> dict[str, bytes]:
    """Return each log as CSV bytes: a plain header line, then the rows."""
    files = {}
    for kind, table in tables.items():
        buffer = io.BytesIO()
        buffer.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(table, buffer, write_options=pacsv.WriteOptions(include_header=False))
        files[f"{kind}.csv"] = buffer.getvalue()
    return files


def write_clinic(
    out_dir: str | Path,
    patients: int = SAMPLE_PATIENTS,
    days: int = SAMPLE_DAYS,
    seed: int = SAMPLE_SEED,
    end: str | dt.date | None = None,
) -> dict[Path, int]:
    """Write a synthetic clinic's CSV logs into out_dir and return each file's row count."""
    last_day = dt.date.fromisoformat(end) if isinstance(end, str) else (end or SAMPLE_END)
    tables = generate_clinic(patients, days, seed, last_day)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, content in clinic_csv_bytes(tables).items():
        path = folder / name
        path.write_bytes(content)
        written[path] = tables[name.removesuffix(".csv")].num_rows
    return written
