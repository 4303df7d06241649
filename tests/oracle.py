"""An independent plain-Python/pandas reading of the clinical metrics rules, used only by the tests.

Written from the rules in docs/METRICS.md, without looking at the SQL, so that the differential tests
compare two independent readings of the same rules. Clarity beats speed here: a loop over calendar days.
Pain scores and thresholds are decimals with one place; they are held as integer tenths so that
comparisons such as "rise of at least 1.5" are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

import pandas as pd

TABLES = ("patients", "pain_entries", "exercise_entries", "activity_entries")
HIGH_RULES = ("rising_streak", "flare", "pain_above_ceiling")
MEDIUM_RULES = ("low_adherence", "load_spike", "not_logging")
SEVERITY = {**{rule: "high" for rule in HIGH_RULES}, **{rule: "medium" for rule in MEDIUM_RULES}}
RISK_ORDER = {"red": 0, "amber": 1, "green": 2}
ONE_DAY = timedelta(days=1)

REVIEW_COLUMNS = [
    "patient_id", "name", "clinician", "week", "adherence_pct", "days_on_target", "total_reps",
    "mean_morning_pain", "prev_mean_morning_pain", "flare_days", "max_response", "alerts", "risk",
]
EVENT_COLUMNS = ["patient_id", "rule", "date", "severity", "detail"]
RESPONSE_COLUMNS = ["date", "morning_before", "morning_after", "response", "status", "settled_36h"]


def read_tables(db) -> dict[str, pd.DataFrame]:
    """Return the four clinic tables of a dashboard.db.Database as pandas frames."""
    cursor = db.session().cursor
    return {name: cursor.execute(f"select * from {name}").df() for name in TABLES}


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
    """One patient's programme days and daily values, as seen on the as-of date."""

    patient_id: str
    name: str | None
    clinician: str | None
    start: date
    end: date  # last programme day: the earlier of discharge and the as-of date; end < start means none yet
    target: int
    ceiling: int  # tenths
    flare: int  # tenths
    morning: dict[date, int] = field(default_factory=dict)
    evening: dict[date, int] = field(default_factory=dict)
    reps: dict[date, int] = field(default_factory=dict)
    loading: set[date] = field(default_factory=set)

    def programme_days(self) -> list[date]:
        """Return the programme days up to the as-of date."""
        return days_between(self.start, self.end)

    def in_programme(self, day: date) -> bool:
        """Return whether a day is a programme day (on or before the as-of date)."""
        return self.start <= day <= self.end

    def daily_reps(self, day: date) -> int:
        """Return the reps done on a day, 0 when no exercise was logged."""
        return self.reps.get(day, 0)


class Oracle:
    """The metrics computed directly from the four tables."""

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self.patients = tables["patients"]
        self.pain = tables["pain_entries"]
        self.exercises = tables["exercise_entries"]
        self.activities = tables["activity_entries"]
        self._views: dict[date, list[PatientView]] = {}
        self._events: dict[tuple[str, date], list[dict]] = {}

    # ---- per-patient daily values -------------------------------------------------------------------

    def view(self, row, as_of: date) -> PatientView:
        """Return one patient's programme days and daily values as of a date."""
        start = as_date(row.start_date)
        discharged = as_date(row.discharged_on)
        end = min(discharged, as_of) if discharged is not None else as_of
        patient = PatientView(
            patient_id=row.patient_id,
            name=None if pd.isna(row.name) else row.name,
            clinician=None if pd.isna(row.clinician) else row.clinician,
            start=start,
            end=end,
            target=int(row.daily_rep_target),
            ceiling=tenths(row.pain_ceiling),
            flare=tenths(row.flare_threshold),
        )
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
        activities = self.activities[self.activities.patient_id == row.patient_id]
        for entry in activities.itertuples(index=False):
            day = as_date(entry.date)
            if patient.in_programme(day):
                patient.loading.add(day)
        return patient

    def views(self, as_of: date) -> list[PatientView]:
        """Return every patient's view as of a date, ordered by patient_id."""
        if as_of not in self._views:
            ordered = self.patients.sort_values("patient_id")
            self._views[as_of] = [self.view(row, as_of) for row in ordered.itertuples(index=False)]
        return self._views[as_of]

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
            if change <= 0:
                status = "settled"
            elif change < patient.flare:
                status = "elevated"
            else:
                status = "flare"
            settled_36h = None
            if change > 0 and after in patient.evening:
                settled_36h = patient.evening[after] <= before_score
            found.append(Response(after, before_score, after_score, change, status, settled_36h))
        return found

    def responses(self, patient_id: str, as_of: date, date_from: date | None = None,
                  date_to: date | None = None) -> pd.DataFrame:
        """Return one patient's responses dated within [date_from, date_to], scores as decimals."""
        rows = self.patients[self.patients.patient_id == patient_id]
        found = []
        for row in rows.itertuples(index=False):
            for item in self.patient_responses(self.view(row, as_of)):
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
        """Compute every alert event of one patient dated on or before the as-of date."""
        events: list[dict] = []

        def add(rule: str, day: date, detail: str) -> None:
            events.append({"patient_id": patient.patient_id, "rule": rule, "date": day,
                           "severity": SEVERITY[rule], "detail": detail})

        days = patient.programme_days()

        # rising_streak: maximal runs of consecutive calendar days, each morning above the day before.
        streak: list[date] = []
        for day in days + [None]:
            rising = (
                day is not None and streak and day in patient.morning
                and streak[-1] == day - ONE_DAY and patient.morning[day] > patient.morning[streak[-1]]
            )
            if rising:
                streak.append(day)
                continue
            if len(streak) >= 3:
                rise = patient.morning[streak[-1]] - patient.morning[streak[0]]
                if rise >= patient.flare:
                    add("rising_streak", streak[2], f"{len(streak)} rising mornings, +{rise / 10}")
            streak = [day] if day is not None and day in patient.morning else []

        # flare: every response at or above the flare threshold.
        for item in self.patient_responses(patient):
            if item.status == "flare":
                add("flare", item.date, f"morning pain +{item.response / 10} after loading")

        # pain_above_ceiling: one event per run of consecutive calendar days above the ceiling.
        for day in days:
            above = patient.morning.get(day, -1) > patient.ceiling
            before = day - ONE_DAY
            above_before = patient.in_programme(before) and patient.morning.get(before, -1) > patient.ceiling
            if above and not above_before:
                add("pain_above_ceiling", day, f"morning pain {patient.morning[day] / 10}")

        # load_spike: acute (7 days) over chronic (28 days / 4) above 1.5, from day start+27 on.
        spiking_before = False
        for day in days:
            spiking = False
            if (day - patient.start).days >= 27:
                acute = sum(patient.daily_reps(day - timedelta(days=k)) for k in range(7))
                chronic = sum(patient.daily_reps(day - timedelta(days=k)) for k in range(28))
                # acute / (chronic / 4) > 3/2, kept in integers; no ratio when nothing was done in 28 days.
                spiking = chronic > 0 and 8 * acute > 3 * chronic
            if spiking and not spiking_before:
                add("load_spike", day, f"acute {acute}, chronic {chronic}/4")
            spiking_before = spiking

        # not_logging: a gap of at least three programme days without a morning score.
        gap = 0
        for day in days:
            gap = 0 if day in patient.morning else gap + 1
            if gap == 3:
                add("not_logging", day, "3 days without a morning score")

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
                add("low_adherence", sunday, f"adherence {round_half_up(adherence * 100)} %")

        return [event for event in events if event["date"] <= as_of]

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
        """Return the exact mean of min(reps, target)/target over the week's programme days."""
        days = self.week_days(patient, monday)
        if not days:
            return None
        total = sum(Fraction(min(patient.daily_reps(day), patient.target), patient.target) for day in days)
        return total / len(days)

    @staticmethod
    def mean_morning(patient: PatientView, days: list[date]) -> float | None:
        """Return the mean morning score over the days that have one, or None."""
        scores = [patient.morning[day] for day in days if day in patient.morning]
        return None if not scores else float(Fraction(sum(scores), len(scores)) / 10)

    def weekly_review(self, week: str, as_of: date) -> pd.DataFrame:
        """Return one row per patient with programme days in the ISO week, triaged red, amber, green."""
        monday = week_monday(week)
        sunday = monday + timedelta(days=6)
        rows = []
        for patient in self.views(as_of):
            days = self.week_days(patient, monday)
            if not days:
                continue
            events = [e for e in self.patient_events(patient, as_of) if monday <= e["date"] <= sunday]
            rules = sorted({event["rule"] for event in events})
            week_responses = [r for r in self.patient_responses(patient) if monday <= r.date <= sunday]
            if any(rule in HIGH_RULES for rule in rules):
                risk = "red"
            elif any(rule in MEDIUM_RULES for rule in rules):
                risk = "amber"
            else:
                risk = "green"
            rows.append({
                "patient_id": patient.patient_id,
                "name": patient.name,
                "clinician": patient.clinician,
                "week": week,
                "adherence_pct": round_half_up(self.adherence(patient, monday) * 100),
                "days_on_target": sum(patient.daily_reps(day) >= patient.target for day in days),
                "total_reps": sum(patient.daily_reps(day) for day in days),
                "mean_morning_pain": self.mean_morning(patient, days),
                "prev_mean_morning_pain": self.mean_morning(
                    patient, self.week_days(patient, monday - timedelta(days=7))
                ),
                "flare_days": len({e["date"] for e in events if e["rule"] == "flare"}),
                "max_response": max((r.response for r in week_responses), default=None),
                "alerts": rules,
                "risk": risk,
            })
        for row in rows:
            if row["max_response"] is not None:
                row["max_response"] = row["max_response"] / 10
        frame = pd.DataFrame(rows, columns=REVIEW_COLUMNS)
        if frame.empty:
            return frame
        frame["_order"] = frame["risk"].map(RISK_ORDER)
        return frame.sort_values(["_order", "patient_id"], ignore_index=True).drop(columns="_order")
