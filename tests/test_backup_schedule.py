"""Given the server's backup schedule, expect a backup when due, the oldest pruned, bad options refused."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard import backup
from dashboard.cli import build_parser
from dashboard.cli_serve import backup_schedule

START = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, moment: dt.datetime):
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


@pytest.mark.parametrize(
    ("text", "seconds"), [("24h", 86400), ("30m", 1800), ("7d", 604800), (" 6 h ", 21600)]
)
def test_given_an_interval_expect_its_length(text, seconds):
    assert backup.parse_interval(text) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize(("text", "reason"), [
    ("24", "write a whole number and a unit"), ("1.5h", "write a whole number and a unit"),
    ("", "write a whole number and a unit"), ("0m", "at most once a minute"),
])
def test_given_a_bad_interval_expect_the_option_value_and_reason(text, reason):
    with pytest.raises(ValueError, match=reason) as raised:
        backup.parse_interval(text)
    assert f"--backup-every {text!r}" in str(raised.value)


def test_given_a_schedule_expect_a_backup_at_start_then_one_per_interval_keeping_the_newest(db, tmp_path):
    clock, said = Clock(START), []
    schedule = backup.BackupSchedule(
        db, tmp_path / "b", dt.timedelta(hours=24), keep=3, clock=clock, log=said.append
    )
    assert schedule.run_once() is not None  # no backup yet: one now
    clock.moment += dt.timedelta(hours=23, minutes=59)
    assert schedule.run_once() is None
    assert schedule.seconds_to_next(clock.moment) == 60
    for day in range(1, 6):
        clock.moment = START + dt.timedelta(days=day)
        assert schedule.run_once() is not None
    names = [path.name for path in backup.list_backups(tmp_path / "b")]
    assert names == [f"rehab-backup_202611{day}T020000Z" for day in (26, 27, 28)]
    assert said[-1].endswith("removed 1 older")


def test_given_keep_below_one_expect_it_refused(db, tmp_path):
    with pytest.raises(ValueError, match="keep at least one backup"):
        backup.BackupSchedule(db, tmp_path, dt.timedelta(hours=1), keep=0)
    with pytest.raises(ValueError, match="keep at least one backup"):
        backup.prune_backups(tmp_path, 0)


def test_given_pruning_expect_only_complete_backups_counted_and_other_folders_left(db, tmp_path):
    folder = tmp_path / "b"
    for day in range(3):
        backup.take_backup(db, folder, now=START + dt.timedelta(days=day))
    (folder / "rehab-backup_20261130T020000Z").mkdir()  # no manifest: not a backup
    (folder / "notes").mkdir()
    removed = [path.name for path in backup.prune_backups(folder, 1)]
    assert removed == ["rehab-backup_20261123T020000Z", "rehab-backup_20261124T020000Z"]
    assert sorted(path.name for path in folder.iterdir()) == [
        "notes", "rehab-backup_20261125T020000Z", "rehab-backup_20261130T020000Z",
    ]


def test_given_a_running_schedule_expect_its_thread_to_back_up_and_stop(db, tmp_path):
    schedule = backup.BackupSchedule(db, tmp_path, dt.timedelta(hours=24), keep=2, log=lambda _: None)
    schedule.start()
    try:
        for _ in range(200):
            if backup.list_backups(tmp_path):
                break
            import time

            time.sleep(0.05)
    finally:
        schedule.stop()
    assert len(backup.list_backups(tmp_path)) == 1
    assert not schedule._thread.is_alive()


@pytest.mark.parametrize(("options", "message"), [
    (["--backup-every", "24h"], "need --backup-dir"),
    (["--keep", "3"], "need --backup-dir"),
    (["--backup-dir", "b", "--backup-every", "daily"], "--backup-every 'daily'"),
    (["--backup-dir", "b", "--keep", "0"], "keep at least one backup"),
])
def test_given_serve_backup_options_that_cannot_work_expect_a_plain_refusal(options, message, tmp_path):
    args = build_parser().parse_args(["--db", str(tmp_path / "c.duckdb"), "serve", *options])
    with pytest.raises(SystemExit, match=message):
        backup_schedule(args)


def test_given_serve_with_a_backup_dir_expect_the_defaults_daily_and_fourteen(tmp_path):
    database = str(tmp_path / "c.duckdb")
    args = build_parser().parse_args(["--db", database, "serve", "--backup-dir", str(tmp_path)])
    schedule = backup_schedule(args)
    try:
        assert (schedule.interval, schedule.keep) == (dt.timedelta(hours=24), 14)
    finally:
        schedule.db.close()
        from dashboard.db import close_database

        close_database(tmp_path / "c.duckdb")
