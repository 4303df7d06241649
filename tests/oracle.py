"""An independent plain-Python reading of the clinical metrics rules (version 2), used only by the tests.

Written from the rules in words (docs/METRICS.md for version 1, issue 11 for version 2, issue 13 for the
loading programme, issue 14 for tolerance), without looking at the SQL, so that the differential tests
compare two independent readings of the same rules. Clarity beats speed here: loops over calendar days.
Pain scores and thresholds are decimals with one place; they are held as integer tenths (and medians as
Fractions of tenths) so that every comparison is exact and nothing is rounded inside the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

import pandas as pd

TABLES = (
    "patients", "settings_changes", "pain_entries", "exercise_entries", "activity_entries", "programme_items",
)
HIGH_RULES = ("rising_streak", "flare", "pain_above_ceiling")
MEDIUM_RULES = ("low_adherence", "load_spike", "not_logging")
SEVERITY = {**{rule: "high" for rule in HIGH_RULES}, **{rule: "medium" for rule in MEDIUM_RULES}}
RISK_ORDER = {"red": 0, "amber": 1, "green": 2}
ONE_DAY = timedelta(days=1)
SAFE_ZONE_TOP = 20  # tenths: a morning of 2/10 or less is in Silbernagel's safe zone
USUAL_WINDOW_DAYS = 14
USUAL_MIN_SCORES = 4

REVIEW_COLUMNS = [
    "patient_id", "name", "clinician", "week", "adherence_pct", "days_on_target", "total_reps",
    "mean_morning_pain", "prev_mean_morning_pain", "flare_days", "max_response", "reference_pain",
    "target_reps", "stage", "stage_source", "days_in_stage", "ready_to_progress", "next_stage", "alerts",
    "risk",
]
EVENT_COLUMNS = ["patient_id", "rule", "date", "until", "severity", "detail"]
RESPONSE_COLUMNS = ["date", "morning_before", "morning_after", "response", "status", "settled_36h"]
TOLERANCE_COLUMNS = [
    "kind", "name", "days_done", "mean_response_with", "days_without", "mean_response_without", "difference",
    "flares_with", "dose", "verdict",
]
CLINIC_TOLERANCE_COLUMNS = ["kind", "name", "patients", "days_done", "patients_aggravated", "mean_difference"]

# Issue 13. The stage order breaks ties between stages of equal rank (the team's choice: the earlier wins).
STAGE_ORDER = ("isometric", "isotonic", "heavy_slow", "eccentric", "energy_storage", "plyometric", "other")
STAGE_RANK = {"isometric": 1, "isotonic": 2, "heavy_slow": 2, "eccentric": 2, "energy_storage": 3,
              "plyometric": 4, "other": None}
NEXT_STAGE = {1: "isotonic", 2: "energy_storage", 3: "plyometric"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
READY_WINDOW_DAYS = 14
READY_MIN_MORNINGS = 10
READY_RULES = ("flare", "rising_streak", "pain_above_ceiling")

# Issue 14.
TOLERANCE_DAYS = 56  # the default range: the 8 weeks ending on the as-of date
VERDICT_ORDER = {"likely aggravating": 0, "no clear signal": 1, "well tolerated": 2, "not enough data": 3}


def read_tables(db) -> dict[str, pd.DataFrame]:
    """Return the clinic tables the rules read, from a dashboard.db.Database, as pandas frames."""
    cursor = db.session().cursor
    return {name: cursor.execute(f"select * from {name}").df() for name in TABLES}


def missing(value) -> bool:
    """Return whether a table cell is null (None, NaN, NaT, pd.NA); a list (an alerts cell) never is."""
    if value is None:
        return True
    if isinstance(value, (list, tuple)):
        return False
    return bool(pd.isna(value))


def tenths(value) -> int:
    """Return a one-decimal score as an integer number of tenths."""
    return int(round(float(value) * 10))


def as_date(value) -> date | None:
    """Return a pandas/NumPy/Python date-like value as a date, or None when missing."""
    if value is None or pd.isna(value):
        return None
    if isinstance(value, datetime):  # includes pandas Timestamps
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def iso_week_label(day: date) -> str:
    """Return the ISO week of a date as '2026-W46'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(week: str) -> date:
    """Return the Monday of an ISO week written '2026-W46'."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def days_between(first: date, last: date) -> list[date]:
    """Return every calendar date from first to last inclusive (empty when last < first)."""
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def round_half_up(value: Fraction, places: int = 1) -> float:
    """Return an exact fraction rounded half away from zero (values here are never negative)."""
    scale = 10**places
    scaled = value * scale
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return whole / scale


def median(values: list[int]) -> Fraction:
    """Return the exact median; for an even count, the mean of the two middle values."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[middle])
    return Fraction(ordered[middle - 1] + ordered[middle], 2)


def tenths_text(value: Fraction | int) -> str:
    """Return tenths as a decimal for an event's detail text."""
    return f"{float(Fraction(value) / 10):g}"


@dataclass(frozen=True)
class Settings:
    """The settings version in effect on one day."""

    target: int
    ceiling: int  # tenths
    flare: int  # tenths
    acceptable: int | None  # tenths; None means "learn it from the patient's own mornings"


@dataclass(frozen=True)
class SettingsChange:
    """One row of settings_changes: None leaves that setting alone; acceptable only counts when it sets it."""

    change_id: int
    effective_from: date
    target: int | None
    ceiling: int | None
    flare: int | None
    sets_acceptable: bool
    acceptable: int | None


def settings_on(day: date, base: Settings, changes: list[SettingsChange]) -> Settings:
    """Return the settings in effect on a day: per setting, the latest change dated on or before it.

    "Latest" is the highest (effective_from, change_id); with no such change the patients table's value holds.
    """

    def latest(changes_it) -> SettingsChange | None:
        dated = [change for change in changes if change.effective_from <= day and changes_it(change)]
        return max(dated, key=lambda change: (change.effective_from, change.change_id), default=None)

    target = latest(lambda change: change.target is not None)
    ceiling = latest(lambda change: change.ceiling is not None)
    flare = latest(lambda change: change.flare is not None)
    acceptable = latest(lambda change: change.sets_acceptable)
    return Settings(
        target=base.target if target is None else target.target,
        ceiling=base.ceiling if ceiling is None else ceiling.ceiling,
        flare=base.flare if flare is None else flare.flare,
        acceptable=base.acceptable if acceptable is None else acceptable.acceptable,
    )


@dataclass(frozen=True)
class ProgrammeItem:
    """One row of programme_items: a version of one exercise's prescription, from effective_from on."""

    item_id: int
    effective_from: date
    exercise: str  # trimmed and lower-cased: the name items are matched on
    stage: str
    sets: int
    reps: int
    days: str  # 'daily', 'none' or weekdays like 'mon,wed,fri'

    def scheduled(self, day: date) -> bool:
        """Return whether the item's days include the weekday of a day."""
        return self.days == "daily" or WEEKDAYS[day.weekday()] in self.days.split(",")


@dataclass(frozen=True)
class LoadEntry:
    """One logged exercise or activity line: the kind it is, the name as written and its dose."""

    kind: str  # 'exercise' or 'activity'
    day: date
    entry_id: int
    written: str  # the name trimmed, in its case as written
    stage: str | None
    amount: Fraction  # sets x reps (exercise) or minutes (activity)

    @property
    def key(self) -> tuple[str, str]:
        """Return the load kind: (kind, name trimmed and case-insensitive)."""
        return (self.kind, self.written.lower())


def name_key(name: str) -> str:
    """Return a name as compared: trimmed and case-insensitive."""
    return name.strip().lower()


def stage_sort(stages) -> str | None:
    """Return the highest-ranked of some stages, ties to the earlier in STAGE_ORDER; unranked ones last."""
    stages = list(stages)
    if not stages:
        return None
    return min(stages, key=lambda stage: (-(STAGE_RANK[stage] or 0), STAGE_ORDER.index(stage)))


@dataclass
class Response:
    """The 24-hour response to loading day d, dated d+1."""

    date: date
    morning_before: int
    morning_after: int
    response: int
    status: str
    settled_36h: bool | None


@dataclass
class PatientView:
    """One patient's programme days, daily values and settings, as seen on the as-of date."""

    patient_id: str
    name: str | None
    clinician: str | None
    start: date
    end: date  # last programme day: the earlier of discharge and the as-of date; end < start means none yet
    settings: dict[date, Settings] = field(default_factory=dict)  # one entry per programme day
    morning: dict[date, int] = field(default_factory=dict)
    evening: dict[date, int] = field(default_factory=dict)
    reps: dict[date, int] = field(default_factory=dict)
    loading: set[date] = field(default_factory=set)
    items: list[ProgrammeItem] = field(default_factory=list)
    entries: list[LoadEntry] = field(default_factory=list)  # exercise and activity lines on programme days
    _in_effect: dict[date, list[ProgrammeItem]] = field(default_factory=dict, repr=False)
    _main_stages: dict[date, str] | None = field(default=None, repr=False)

    def programme_days(self) -> list[date]:
        """Return the programme days up to the as-of date."""
        return days_between(self.start, self.end)

    def in_programme(self, day: date) -> bool:
        """Return whether a day is a programme day (on or before the as-of date)."""
        return self.start <= day <= self.end

    def daily_reps(self, day: date) -> int:
        """Return the reps done on a day, 0 when no exercise was logged."""
        return self.reps.get(day, 0)

    # ---- the loading programme (issue 13) ---------------------------------------------------------------

    def items_in_effect(self, day: date) -> list[ProgrammeItem]:
        """Return the items in effect on a day: per exercise, its latest version by then, unless 'none'.

        "Latest" is the highest (effective_from, item_id): a later row replaces an item, and of two rows on
        one date the higher item_id wins.
        """
        if day in self._in_effect:
            return self._in_effect[day]
        latest: dict[str, ProgrammeItem] = {}
        for item in self.items:
            if item.effective_from <= day:
                held = latest.get(item.exercise)
                if held is None or (item.effective_from, item.item_id) > (held.effective_from, held.item_id):
                    latest[item.exercise] = item
        self._in_effect[day] = [item for item in latest.values() if item.days != "none"]
        return self._in_effect[day]

    def on_programme(self, day: date) -> bool:
        """Return whether the patient has any programme item in effect on a day."""
        return bool(self.items_in_effect(day))

    def target(self, day: date) -> int:
        """Return the target on a programme day: P(d) with any item in effect, else daily_rep_target."""
        items = self.items_in_effect(day)
        if items:
            return sum(item.sets * item.reps for item in items if item.scheduled(day))
        return self.settings[day].target

    def prescribed_stage(self, day: date) -> str | None:
        """Return the highest-ranked stage among the items in effect on a day (None without items)."""
        return stage_sort(item.stage for item in self.items_in_effect(day))

    def main_stage(self, day: date) -> str | None:
        """Return a day's logged main stage: the stage with the most reps, ties to the earlier stage."""
        if self._main_stages is None:
            reps: dict[date, dict[str, Fraction]] = {}
            for entry in self.entries:
                if entry.kind == "exercise" and entry.stage is not None:
                    by_stage = reps.setdefault(entry.day, {})
                    by_stage[entry.stage] = by_stage.get(entry.stage, 0) + entry.amount
            self._main_stages = {
                logged: min(by_stage, key=lambda stage, b=by_stage: (-b[stage], STAGE_ORDER.index(stage)))
                for logged, by_stage in reps.items()
            }
        return self._main_stages.get(day)

    def logged_stage(self, day: date) -> str | None:
        """Return the main stage of the latest programme day on or before a day with a staged exercise."""
        for back in days_between(self.start, day)[::-1]:
            stage = self.main_stage(back)
            if stage is not None:
                return stage
        return None

    def usual(self, day: date) -> Fraction | None:
        """Return U(d) in tenths: the median morning of the 14 days before d, when at least 4 have one."""
        window = [day - timedelta(days=back) for back in range(1, USUAL_WINDOW_DAYS + 1)]
        scores = [self.morning[x] for x in window if x in self.morning]
        return median(scores) if len(scores) >= USUAL_MIN_SCORES else None

    def reference(self, day: date) -> Fraction | None:
        """Return Ref(d) in tenths: acceptable_pain in effect on d when set, else U(d), else unknown."""
        acceptable = self.settings[day].acceptable
        return Fraction(acceptable) if acceptable is not None else self.usual(day)

    def painful(self, day: date, rise: int) -> bool:
        """Return whether morning d is "painful by a rise of R" (R in tenths), with d's settings."""
        flare = self.settings[day].flare
        reference = self.reference(day)
        score = self.morning[day]
        return (
            rise >= flare
            and score > SAFE_ZONE_TOP
            and (reference is None or score >= reference + flare)
        )


def runs(days: list[date], holds) -> list[list[date]]:
    """Return the maximal runs of consecutive days (from a list of consecutive days) on which holds(day)."""
    found: list[list[date]] = []
    current: list[date] = []
    for day in days:
        if holds(day):
            current.append(day)
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


class Oracle:
    """The metrics computed directly from the clinic tables."""

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self.patients = tables["patients"]
        self.changes = tables["settings_changes"]
        self.pain = tables["pain_entries"]
        self.exercises = tables["exercise_entries"]
        self.activities = tables["activity_entries"]
        self.programme = tables["programme_items"]
        self._views: dict[date, list[PatientView]] = {}
        self._events: dict[tuple[str, date], list[dict]] = {}

    # ---- per-patient daily values -------------------------------------------------------------------

    def settings_history(self, patient_id: str) -> list[SettingsChange]:
        """Return one patient's settings changes as recorded."""
        rows = self.changes[self.changes.patient_id == patient_id]
        return [
            SettingsChange(
                change_id=int(row.change_id),
                effective_from=as_date(row.effective_from),
                target=None if missing(row.daily_rep_target) else int(row.daily_rep_target),
                ceiling=None if missing(row.pain_ceiling) else tenths(row.pain_ceiling),
                flare=None if missing(row.flare_threshold) else tenths(row.flare_threshold),
                sets_acceptable=bool(row.sets_acceptable_pain),
                acceptable=None if missing(row.acceptable_pain) else tenths(row.acceptable_pain),
            )
            for row in rows.itertuples(index=False)
        ]

    def view(self, row, as_of: date) -> PatientView:
        """Return one patient's programme days, daily values and daily settings as of a date."""
        start = as_date(row.start_date)
        discharged = as_date(row.discharged_on)
        end = min(discharged, as_of) if discharged is not None else as_of
        patient = PatientView(
            patient_id=row.patient_id,
            name=None if missing(row.name) else row.name,
            clinician=None if missing(row.clinician) else row.clinician,
            start=start,
            end=end,
        )
        base = Settings(
            target=int(row.daily_rep_target),
            ceiling=tenths(row.pain_ceiling),
            flare=tenths(row.flare_threshold),
            acceptable=None if missing(row.acceptable_pain) else tenths(row.acceptable_pain),
        )
        changes = self.settings_history(row.patient_id)
        for day in patient.programme_days():
            patient.settings[day] = settings_on(day, base, changes)
        pain = self.pain[self.pain.patient_id == row.patient_id]
        for entry in pain.itertuples(index=False):
            day = as_date(entry.date)
            if not patient.in_programme(day):
                continue
            scores = patient.morning if entry.time_of_day == "morning" else patient.evening
            scores[day] = max(scores.get(day, -1), tenths(entry.pain))
        exercises = self.exercises[self.exercises.patient_id == row.patient_id]
        for entry in exercises.itertuples(index=False):
            day = as_date(entry.date)
            if not patient.in_programme(day):
                continue
            patient.reps[day] = patient.reps.get(day, 0) + int(entry.sets) * int(entry.reps)
            patient.loading.add(day)
            patient.entries.append(LoadEntry(
                "exercise", day, int(entry.entry_id), entry.exercise.strip(),
                None if missing(entry.stage) else entry.stage, Fraction(int(entry.sets) * int(entry.reps)),
            ))
        activities = self.activities[self.activities.patient_id == row.patient_id]
        for entry in activities.itertuples(index=False):
            day = as_date(entry.date)
            if patient.in_programme(day):
                patient.loading.add(day)
                patient.entries.append(LoadEntry(
                    "activity", day, int(entry.entry_id), entry.activity.strip(), None,
                    Fraction(entry.duration_min),
                ))
        items = self.programme[self.programme.patient_id == row.patient_id]
        patient.items = [
            ProgrammeItem(int(item.item_id), as_date(item.effective_from), name_key(item.exercise),
                          item.stage, int(item.sets), int(item.reps), item.days)
            for item in items.itertuples(index=False)
        ]
        return patient

    def views(self, as_of: date) -> list[PatientView]:
        """Return every patient's view as of a date, ordered by patient_id."""
        if as_of not in self._views:
            ordered = self.patients.sort_values("patient_id")
            self._views[as_of] = [self.view(row, as_of) for row in ordered.itertuples(index=False)]
        return self._views[as_of]

    def patient_view(self, patient_id: str, as_of: date) -> PatientView:
        """Return one patient's view as of a date."""
        return next(patient for patient in self.views(as_of) if patient.patient_id == patient_id)

    # ---- 24-hour response ---------------------------------------------------------------------------

    @staticmethod
    def patient_responses(patient: PatientView) -> list[Response]:
        """Return the 24-hour responses of one patient, in date order."""
        found = []
        for day in sorted(patient.loading):
            after = day + ONE_DAY
            if not patient.in_programme(after) or day not in patient.morning or after not in patient.morning:
                continue
            before_score, after_score = patient.morning[day], patient.morning[after]
            change = after_score - before_score
            if patient.painful(after, change):
                status = "flare"
            elif change <= 0:
                status = "settled"
            else:
                status = "elevated"
            settled_36h = None
            if change > 0 and after in patient.evening:
                settled_36h = patient.evening[after] <= before_score
            found.append(Response(after, before_score, after_score, change, status, settled_36h))
        return found

    def responses(self, patient_id: str, as_of: date, date_from: date | None = None,
                  date_to: date | None = None) -> pd.DataFrame:
        """Return one patient's responses dated within [date_from, date_to], scores as decimals."""
        found = []
        for patient in self.views(as_of):
            if patient.patient_id != patient_id:
                continue
            for item in self.patient_responses(patient):
                if (date_from and item.date < date_from) or (date_to and item.date > date_to):
                    continue
                found.append({
                    "date": item.date,
                    "morning_before": item.morning_before / 10,
                    "morning_after": item.morning_after / 10,
                    "response": item.response / 10,
                    "status": item.status,
                    "settled_36h": item.settled_36h,
                })
        return pd.DataFrame(found, columns=RESPONSE_COLUMNS)

    # ---- alert events -------------------------------------------------------------------------------

    def patient_events(self, patient: PatientView, as_of: date) -> list[dict]:
        """Return every alert event of one patient dated on or before the as-of date (computed once)."""
        key = (patient.patient_id, as_of)
        if key not in self._events:
            self._events[key] = self._patient_events(patient, as_of)
        return self._events[key]

    def _patient_events(self, patient: PatientView, as_of: date) -> list[dict]:
        """Compute every alert event of one patient dated on or before the as-of date, with its until."""
        events: list[dict] = []

        def add(rule: str, day: date, until: date, detail: str) -> None:
            events.append({"patient_id": patient.patient_id, "rule": rule, "date": day, "until": until,
                           "severity": SEVERITY[rule], "detail": detail})

        days = patient.programme_days()
        morning = patient.morning

        # rising_streak: maximal runs of consecutive mornings, each strictly above the day before; the run's
        # first morning is the day before its first rise. Dated on the first morning from the run's third on
        # that is painful by its rise over the run's first morning; until = the run's last rising morning.
        for run in self.rising_runs(patient):
            for day in run[2:]:
                rise = morning[day] - morning[run[0]]
                if patient.painful(day, rise):
                    add("rising_streak", day, run[-1],
                        f"{len(run)} rising mornings, {tenths_text(morning[run[0]])} → "
                        f"{tenths_text(morning[day])}")
                    break

        # flare: a response whose next morning is painful by the rise; until = its date.
        for item in self.patient_responses(patient):
            if item.status == "flare":
                detail = f"morning pain +{tenths_text(item.response)} after loading"
                add("flare", item.date, item.date, detail)

        # pain_above_ceiling: one event per run of consecutive mornings above the ceiling in effect that day.
        def above_ceiling(day: date) -> bool:
            return morning.get(day, -1) > patient.settings[day].ceiling

        for run in runs(days, above_ceiling):
            add("pain_above_ceiling", run[0], run[-1], f"morning pain {tenths_text(morning[run[0]])}")

        # load_spike: acute (7 days) over chronic (28 days / 4) above 1.5, from day start+27 on; one event per
        # run of such days, dated on its first.
        def spiking(day: date) -> bool:
            if (day - patient.start).days < 27:
                return False
            acute = sum(patient.daily_reps(day - timedelta(days=k)) for k in range(7))
            chronic = sum(patient.daily_reps(day - timedelta(days=k)) for k in range(28))
            # acute / (chronic / 4) > 3/2, kept in integers; no ratio when nothing was done in 28 days.
            return chronic > 0 and 8 * acute > 3 * chronic

        for run in runs(days, spiking):
            add("load_spike", run[0], run[-1], "acute:chronic above 1.5")

        # not_logging: a gap of at least three programme days without a morning score, dated on its third day.
        for gap in runs(days, lambda day: day not in morning):
            if len(gap) >= 3:
                add("not_logging", gap[2], gap[-1], f"{len(gap)} days without a morning score")

        # low_adherence: a finished ISO week (its Sunday on or before the as-of date) below 50 %.
        mondays = sorted({day - timedelta(days=day.weekday()) for day in days})
        for monday in mondays:
            sunday = monday + timedelta(days=6)
            if sunday > as_of:
                continue
            adherence = self.adherence(patient, monday)
            # The week's adherence is the rounded percentage the review shows: 49.96 % shows as 50.0 % and
            # does not fire (the SQL author's reading, aligned with; the exact fraction would fire).
            if adherence is not None and round_half_up(adherence * 100) < 50:
                add("low_adherence", sunday, sunday, f"adherence {round_half_up(adherence * 100)} %")

        return [event for event in events if event["date"] <= as_of]

    @staticmethod
    def rising_runs(patient: PatientView) -> list[list[date]]:
        """Return the maximal runs of consecutive logged mornings, each strictly above the one before."""
        found: list[list[date]] = []
        run: list[date] = []
        for day in patient.programme_days():
            if day not in patient.morning:
                run = []
                continue
            if run and run[-1] == day - ONE_DAY and patient.morning[day] > patient.morning[run[-1]]:
                run.append(day)
            else:
                run = [day]
                found.append(run)
        return [run for run in found if len(run) >= 2]

    def alert_events(self, as_of: date, date_from: date | None = None, date_to: date | None = None,
                     patient_id: str | None = None) -> pd.DataFrame:
        """Return the alert events of every patient (or one), dated within [date_from, date_to]."""
        events = []
        for patient in self.views(as_of):
            if patient_id is not None and patient.patient_id != patient_id:
                continue
            for event in self.patient_events(patient, as_of):
                if (date_from and event["date"] < date_from) or (date_to and event["date"] > date_to):
                    continue
                events.append(event)
        frame = pd.DataFrame(events, columns=EVENT_COLUMNS)
        return frame.sort_values(["patient_id", "date", "rule"], ignore_index=True)

    # ---- weekly review ------------------------------------------------------------------------------

    @staticmethod
    def week_days(patient: PatientView, monday: date) -> list[date]:
        """Return the programme days of the ISO week starting on monday, up to the as-of date."""
        return [day for day in days_between(monday, monday + timedelta(days=6)) if patient.in_programme(day)]

    def adherence(self, patient: PatientView, monday: date) -> Fraction | None:
        """Return the week's exact adherence over its programme days up to the as-of date."""
        return self.day_adherence(patient, self.week_days(patient, monday))

    @staticmethod
    def day_adherence(patient: PatientView, days: list[date]) -> Fraction | None:
        """Return the exact mean of min(reps, target(d))/target(d) over the days that are not rest days.

        A rest day (target 0) is left out; None when every day is one (or there are no days).
        """
        counted = [day for day in days if patient.target(day) > 0]
        if not counted:
            return None
        total = sum(Fraction(min(patient.daily_reps(day), patient.target(day)), patient.target(day))
                    for day in counted)
        return total / len(counted)

    @staticmethod
    def rounded_pct(fraction: Fraction | None) -> float | None:
        """Return an exact adherence as the percentage shown, one decimal (None stays None)."""
        return None if fraction is None else round_half_up(fraction * 100)

    # ---- stage and readiness (issue 13) -------------------------------------------------------------

    @staticmethod
    def stage_on(patient: PatientView, day: date) -> tuple[str | None, str]:
        """Return (stage, stage_source) on a day: prescribed with an item in effect, else the logged one."""
        if patient.on_programme(day):
            return patient.prescribed_stage(day), "programme"
        return patient.logged_stage(day), "logs"

    def days_in_stage(self, patient: PatientView, day: date) -> int | None:
        """Return the length of the unbroken run of programme days up to a day whose stage has its rank.

        With the programme, a day counts while it has an item in effect whose prescribed stage has the rank;
        from logs, a day counts while its latest-logged stage has the rank. An unranked stage ('other') runs
        over days whose stage is unranked too; no stage at all gives None.
        """
        stage, source = self.stage_on(patient, day)
        if stage is None:
            return None
        rank = STAGE_RANK[stage]

        def same(back: date) -> bool:
            other = patient.prescribed_stage(back) if source == "programme" else patient.logged_stage(back)
            return other is not None and STAGE_RANK[other] == rank

        count = 0
        for back in days_between(patient.start, day)[::-1]:
            if not same(back):
                break
            count += 1
        return count

    def readiness(self, patient: PatientView, day: date, as_of: date) -> dict[str, bool] | None:
        """Return each of the five ready-to-progress criteria on day d, or None without a programme item."""
        if not patient.on_programme(day):
            return None
        stage = patient.prescribed_stage(day)
        rank = STAGE_RANK[stage]
        window = [day - timedelta(days=back) for back in range(READY_WINDOW_DAYS - 1, -1, -1)]
        logged = [x for x in window if patient.in_programme(x) and x in patient.morning]
        events = [e for e in self.patient_events(patient, as_of) if e["rule"] in READY_RULES]
        counted = [x for x in window if patient.in_programme(x)]
        adherence = self.rounded_pct(self.day_adherence(patient, counted))

        def within(x: date) -> bool:
            reference = patient.reference(x)
            limit = Fraction(30) if reference is None else reference + 10
            return patient.morning[x] <= limit

        return {
            "stage": rank is not None and rank < 4 and self.days_in_stage(patient, day) >= 14,
            "mornings": len(logged) >= READY_MIN_MORNINGS,
            "no_events": not any(
                window[0] <= e["date"] <= day or (e["date"] <= day <= e["until"]) for e in events
            ),
            "adherence": adherence is not None and adherence >= 80,
            "within_reference": 5 * sum(within(x) for x in logged) >= 4 * len(logged),
        }

    def ready_to_progress(self, patient: PatientView, day: date, as_of: date) -> bool | None:
        """Return whether all five criteria hold on day d (None without a programme item in effect)."""
        criteria = self.readiness(patient, day, as_of)
        return None if criteria is None else all(criteria.values())

    @staticmethod
    def mean_morning(patient: PatientView, days: list[date]) -> float | None:
        """Return the mean morning score over the days that have one, or None."""
        scores = [patient.morning[day] for day in days if day in patient.morning]
        return None if not scores else float(Fraction(sum(scores), len(scores)) / 10)

    def active_rules(self, patient: PatientView, monday: date, as_of: date) -> list[str]:
        """Return the rules with an event dated by the week's last counted day, lasting to its Monday."""
        last_counted = min(monday + timedelta(days=6), as_of)
        return sorted({
            event["rule"] for event in self.patient_events(patient, as_of)
            if event["date"] <= last_counted and event["until"] >= monday
        })

    def weekly_review(self, week: str, as_of: date) -> pd.DataFrame:
        """Return one row per patient with programme days in the ISO week, triaged red, amber, green."""
        monday = week_monday(week)
        sunday = monday + timedelta(days=6)
        rows = []
        for patient in self.views(as_of):
            days = self.week_days(patient, monday)
            if not days:
                continue
            rules = self.active_rules(patient, monday, as_of)
            week_events = [e for e in self.patient_events(patient, as_of) if monday <= e["date"] <= sunday]
            week_responses = [r for r in self.patient_responses(patient) if monday <= r.date <= sunday]
            if any(rule in HIGH_RULES for rule in rules):
                risk = "red"
            elif any(rule in MEDIUM_RULES for rule in rules):
                risk = "amber"
            else:
                risk = "green"
            last = days[-1]  # d: the week's last counted day
            reference = patient.reference(last)
            stage, stage_source = self.stage_on(patient, last)
            ready = self.ready_to_progress(patient, last, as_of)
            counted = [day for day in days if patient.target(day) > 0]
            max_response = max((r.response for r in week_responses), default=None)
            rows.append({
                "patient_id": patient.patient_id,
                "name": patient.name,
                "clinician": patient.clinician,
                "week": week,
                "adherence_pct": self.rounded_pct(self.adherence(patient, monday)),
                "days_on_target": sum(patient.daily_reps(day) >= patient.target(day) for day in counted),
                "total_reps": sum(patient.daily_reps(day) for day in days),
                "mean_morning_pain": self.mean_morning(patient, days),
                "prev_mean_morning_pain": self.mean_morning(
                    patient, self.week_days(patient, monday - timedelta(days=7))
                ),
                "flare_days": len({e["date"] for e in week_events if e["rule"] == "flare"}),
                "max_response": None if max_response is None else max_response / 10,
                "reference_pain": None if reference is None else float(reference / 10),
                "target_reps": sum(patient.target(day) for day in days),
                "stage": stage,
                "stage_source": stage_source,
                "days_in_stage": self.days_in_stage(patient, last),
                "ready_to_progress": ready,
                "next_stage": NEXT_STAGE[STAGE_RANK[stage]] if ready else None,
                "alerts": rules,
                "risk": risk,
            })
        frame = pd.DataFrame(rows, columns=REVIEW_COLUMNS)
        if frame.empty:
            return frame
        frame["_order"] = frame["risk"].map(RISK_ORDER)
        return frame.sort_values(["_order", "patient_id"], ignore_index=True).drop(columns="_order")

    # ---- tolerance (issue 14) -----------------------------------------------------------------------

    @staticmethod
    def tolerance_range(as_of: date, date_from: date | None, date_to: date | None) -> tuple[date, date]:
        """Return the range of loading days: to defaults to the as-of date, from to 56 days ending on to."""
        date_to = date_to or as_of
        return date_from or date_to - timedelta(days=TOLERANCE_DAYS - 1), date_to

    def tolerance_kinds(self, patient: PatientView, as_of: date, date_from: date,
                        date_to: date) -> list[dict]:
        """Return one row per load kind done on a response day in [date_from, date_to], unsorted.

        A response day is a loading day d in the range with a 24-hour response (both mornings logged, both
        programme days, d+1 on or before the as-of date). Each row also holds `_key` (kind, name compared)
        and `_latest` (the latest response day the kind was done on), for the clinic view.
        """
        responses = {
            item.date - ONE_DAY: item for item in self.patient_responses(patient)
            if date_from <= item.date - ONE_DAY <= date_to and item.date <= as_of
        }
        done: dict[tuple[str, str], dict[date, list[LoadEntry]]] = {}
        for entry in patient.entries:
            if entry.day in responses:
                done.setdefault(entry.key, {}).setdefault(entry.day, []).append(entry)
        rows = []
        for key, days in done.items():
            with_ = [responses[day].response for day in days]
            without = [item.response for day, item in responses.items() if day not in days]
            mean_with = Fraction(sum(with_), len(with_)) / 10
            mean_without = Fraction(sum(without), len(without)) / 10 if without else None
            difference = None if mean_without is None else mean_with - mean_without
            flares = sum(responses[day].status == "flare" for day in days)
            dose = sum(sum(entry.amount for entry in entries) for entries in days.values()) / len(days)
            if len(days) < 4:
                verdict = "not enough data"
            elif len(without) >= 4 and difference >= 1:
                verdict = "likely aggravating"
            elif mean_with <= 0 and flares == 0:
                verdict = "well tolerated"
            else:
                verdict = "no clear signal"
            latest = max(days)
            shown = max(days[latest], key=lambda entry: entry.entry_id).written
            rows.append({
                "kind": key[0], "name": shown, "days_done": len(days), "mean_response_with": mean_with,
                "days_without": len(without), "mean_response_without": mean_without, "difference": difference,
                "flares_with": flares, "dose": dose, "verdict": verdict, "_key": key, "_latest": latest,
            })
        return rows

    @staticmethod
    def _as_floats(row: dict, columns: list[str]) -> dict:
        """Return a row's listed columns, exact fractions as floats."""
        return {column: float(row[column]) if isinstance(row[column], Fraction) else row[column]
                for column in columns}

    def patient_tolerance(self, patient_id: str, as_of: date, date_from: date | None = None,
                          date_to: date | None = None) -> pd.DataFrame:
        """Return one patient's tolerance rows: verdict order, then difference descending, then name."""
        date_from, date_to = self.tolerance_range(as_of, date_from, date_to)
        patient = self.patient_view(patient_id, as_of)
        rows = sorted(
            self.tolerance_kinds(patient, as_of, date_from, date_to),
            key=lambda row: (VERDICT_ORDER[row["verdict"]], row["difference"] is None,
                             -(row["difference"] or 0), row["name"].lower(), row["kind"]),
        )
        return pd.DataFrame([self._as_floats(row, TOLERANCE_COLUMNS) for row in rows],
                            columns=TOLERANCE_COLUMNS)

    def clinic_tolerance(self, as_of: date, date_from: date | None = None, date_to: date | None = None,
                         *, with_candidates: bool = False) -> pd.DataFrame:
        """Return the clinic view: one row per load kind over every patient's tolerance rows.

        The name is the one shown for the patient whose latest day with the kind is latest; when patients tie
        on that day the rules do not say whose, so with_candidates adds `names`, every name that could be.
        """
        date_from, date_to = self.tolerance_range(as_of, date_from, date_to)
        by_kind: dict[tuple[str, str], list[dict]] = {}
        for patient in self.views(as_of):
            for row in self.tolerance_kinds(patient, as_of, date_from, date_to):
                by_kind.setdefault(row["_key"], []).append(row)
        rows = []
        for key, kinds in by_kind.items():
            latest = max(row["_latest"] for row in kinds)
            names = sorted({row["name"] for row in kinds if row["_latest"] == latest})
            differences = [row["difference"] for row in kinds if row["difference"] is not None]
            rows.append({
                "kind": key[0], "name": names[0], "patients": len(kinds),
                "days_done": sum(row["days_done"] for row in kinds),
                "patients_aggravated": sum(row["verdict"] == "likely aggravating" for row in kinds),
                "mean_difference": sum(differences) / len(differences) if differences else None,
                "names": names,
            })
        rows.sort(key=lambda row: (-row["patients_aggravated"], row["mean_difference"] is None,
                                   -(row["mean_difference"] or 0), row["name"].lower(), row["kind"]))
        columns = CLINIC_TOLERANCE_COLUMNS + (["names"] if with_candidates else [])
        return pd.DataFrame([self._as_floats(row, columns) for row in rows], columns=columns)
