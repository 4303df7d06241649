"""Given `rehab demo` on any day, expect the sample to end yesterday and the review to open on its story."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers import rehab

from dashboard import metrics
from dashboard.access import Viewer
from dashboard.db import open_database
from dashboard.sample import SAMPLE_DIR, SAMPLE_END
from dashboard.weeks import last_complete_week, parse_iso_week

# The three patients who push too hard (every eighth from P002) flare in the week the review opens on.
PUSHING = {"P002", "P010", "P018"}


def load_demo(capsys, db_path: Path, monkeypatch: pytest.MonkeyPatch, today: dt.date, *args: str) -> str:
    """Run `rehab demo` with the metrics' today moved to a given day; return its output."""
    monkeypatch.setattr(metrics, "_today", lambda: today)
    code, out, err = rehab(capsys, db_path, "demo", *args)
    assert code == 0, err
    return out


# Nine days after the shipped sample's end (the case), and one day of each weekday: the review's
# week ends on the Sunday before today, 0 to 6 days before yesterday.
TODAYS = [SAMPLE_END + dt.timedelta(days=offset) for offset in (9, 1, 2, 3, 4, 5, 6, 7)]


@pytest.mark.parametrize("today", TODAYS, ids=[f"{day:%a}-{day.isoformat()}" for day in TODAYS])
def test_given_demo_on_a_fresh_database_expect_red_amber_and_green_in_the_last_complete_week(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, today: dt.date
) -> None:
    db_path = tmp_path / "clinic.duckdb"
    out = load_demo(capsys, db_path, monkeypatch, today)
    yesterday = today - dt.timedelta(days=1)
    assert f"sample-clinic_{yesterday.isoformat()}_pain.csv" in out

    db = open_database(db_path)
    last_logged = db.session().cursor.execute("select max(date) from pain_entries").fetchone()[0]
    assert last_logged == yesterday

    # As the review page opens: the last complete week, as of today (the metrics' seam).
    week = last_complete_week(today)
    review = metrics.weekly_review(db, Viewer.system(), week)
    risks = review.groupby("risk")["patient_id"].apply(set).to_dict()
    assert set(risks) == {"red", "amber", "green"}, f"{week} as of {today}: {risks}"
    assert PUSHING <= risks["red"]
    assert len(risks["green"]) >= 5 and len(risks["amber"]) >= 5
    assert review["adherence_pct"].max() > 80, "the week is logged, not empty"
    # The programmes' story plays out in the same week: two patients ready to progress, one kept back by a
    # flare the week before.
    ready = set(review.loc[review["ready_to_progress"].fillna(False).astype(bool), "patient_id"])
    assert ready == {"P008", "P017"}, f"{week} as of {today}"

    # The first screen's charts: every red patient has morning scores in the 28 days to the week's end.
    _, sunday = parse_iso_week(week)
    mornings = metrics.recent_morning_pain(db, Viewer.system(), sunday)
    scored = mornings.dropna(subset=["morning_pain"]).groupby("patient_id").size()
    assert all(scored.get(patient, 0) >= 20 for patient in risks["red"])


def test_given_demo_twice_on_one_day_expect_nothing_added_the_second_time(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = tmp_path / "clinic.duckdb"
    today = SAMPLE_END + dt.timedelta(days=9)
    load_demo(capsys, db_path, monkeypatch, today)
    again = load_demo(capsys, db_path, monkeypatch, today)
    assert "added 0, skipped 2" in again and ", added 1" not in again


def test_given_demo_on_another_day_expect_a_refusal_and_nothing_written(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = tmp_path / "clinic.duckdb"
    load_demo(capsys, db_path, monkeypatch, SAMPLE_END + dt.timedelta(days=9))
    counts = "select (select count(*) from pain_entries), (select count(*) from exercise_entries)"
    before = open_database(db_path).session().cursor.execute(counts).fetchone()

    monkeypatch.setattr(metrics, "_today", lambda: SAMPLE_END + dt.timedelta(days=10))
    code, _, err = rehab(capsys, db_path, "demo")
    assert code == 1
    assert "differ from the sample clinic ending 2026-12-01" in err and "nothing was loaded" in err
    assert open_database(db_path).session().cursor.execute(counts).fetchone() == before
    # --if-empty, as `make run` calls it, leaves the loaded sample alone and succeeds.
    code, out, _ = rehab(capsys, db_path, "demo", "--if-empty")
    assert code == 0 and "already has patients" in out


def test_given_demo_end_on_the_shipped_sample_day_expect_sample_data_exactly(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = tmp_path / "clinic.duckdb"
    code, _, err = rehab(capsys, db_path, "import", *sorted(SAMPLE_DIR.glob("*.csv")))
    assert code == 0, err
    again = load_demo(capsys, db_path, monkeypatch, dt.date(2030, 1, 1), "--end", SAMPLE_END.isoformat())
    for line in again.splitlines():
        if " read " in line:
            assert ", added 0, " in line, line


def test_given_generate_with_an_end_expect_the_same_files_on_any_day(tmp_path: Path, capsys) -> None:
    code, _, err = rehab(capsys, tmp_path / "unused.duckdb", "generate", "--out", tmp_path / "a",
                         "--end", "2026-12-02")
    assert code == 0, err
    code, _, err = rehab(capsys, tmp_path / "unused.duckdb", "generate", "--out", tmp_path / "b",
                         "--end", "2026-12-02")
    assert code == 0, err
    for name in ("patients.csv", "pain.csv", "exercises.csv", "activities.csv", "programme.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert b"2026-12-02" in (tmp_path / "a" / "pain.csv").read_bytes()
    with pytest.raises(SystemExit):
        rehab(capsys, tmp_path / "unused.duckdb", "generate", "--out", tmp_path / "c", "--end", "2 Dec")
    assert "'2 Dec' is not a date like 2026-11-22" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()
