"""Given the database held by another process, expect each CLI command to say so and name the app's page.

The holder is a real second process that opens the file as `rehab serve` does and waits.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard import backup
from dashboard.cli import main
from dashboard.sample import SAMPLE_DIR
from tests.helpers import rehab

HOLDER = (
    "import sys\n"
    "from dashboard.db import Database\n"
    "database = Database(sys.argv[1])\n"
    "print('holding', flush=True)\n"
    "sys.stdin.read()\n"
)


# Built in a process of its own, as a clinic's file is, so this test process never held it.
SETUP = (
    "import sys\n"
    "from pathlib import Path\n"
    "from dashboard import auth, backup\n"
    "from dashboard.db import Database\n"
    "from dashboard.importer import import_paths\n"
    "from dashboard.sample import SAMPLE_DIR\n"
    "db = Database(sys.argv[1])\n"
    "import_paths(db, sorted(SAMPLE_DIR.glob('*.csv')), actor='test')\n"
    "auth.add_user(db, 'sam.patel', 'correct horse battery', 'clinician', clinician='Sam Patel')\n"
    "backup.take_backup(db, sys.argv[2])\n"
)
REPO = Path(__file__).resolve().parents[1]


# One clinic for the module (about 8 s to build): every command here is refused or only reads, so none
# changes it or its backup.
@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Return the sample clinic's file, with a backup in its folder's backups/, held by another process."""
    folder = tmp_path_factory.mktemp("held")
    path = folder / "clinic.duckdb"
    subprocess.run([sys.executable, "-c", SETUP, str(path), str(folder / "backups")], check=True, cwd=REPO)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield path
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


@pytest.mark.parametrize(("command", "page"), [
    (["user", "disable", "sam.patel"], "the Accounts page (admins)"),
    (["user", "enable", "sam.patel"], "the Accounts page (admins)"),
    (["user", "list"], "the Accounts page (admins)"),
    (["audit", "--user", "sam.patel"], "the Audit trail page (admins)"),
    (["review"], "the Weekly review page"),
    (["alerts"], "the Alerts inbox page"),
    (["import", str(SAMPLE_DIR / "pain.csv")], "the Import logs page (admins)"),
])
def test_given_a_held_database_expect_the_command_to_name_the_page_that_does_its_job(
    held, capsys, command, page
):
    code, out, err = rehab(capsys, held, *command)
    assert code == 2
    assert "is held by another process, the running dashboard (rehab serve)" in err
    assert f"So `rehab {' '.join(word for word in command[:2] if not word.startswith(('-', '/')))}`" in err
    assert f"use {page}, which does the same while it runs" in err
    assert "Traceback" not in err and out == ""


def test_given_a_held_database_expect_backup_to_point_to_the_scheduled_backups_and_the_page(
    held, capsys, tmp_path
):
    code, _, err = rehab(capsys, held, "backup", "--out", tmp_path / "more")
    assert code == 2
    assert "--backup-dir DIR --backup-every 24h --keep 14" in err
    assert "take one and download it on the Accounts page" in err


def test_given_a_held_database_expect_a_read_only_command_to_offer_the_backup(held, capsys):
    _, _, err = rehab(capsys, held, "audit")
    assert "Or read the newest backup: rehab audit --from-backup DIR" in err


def test_given_a_held_database_expect_the_read_commands_to_read_the_newest_backup_and_say_which(
    held, capsys
):
    [taken] = backup.list_backups(held.parent / "backups")
    capsys.readouterr()
    assert main(["review", "--week", "2026-W47", "--from-backup", str(held.parent / "backups")]) == 0
    captured = capsys.readouterr()
    assert f"rehab: reading backup {taken.name} taken " in captured.err
    assert "ago), not the live database" in captured.err
    assert "P010" in captured.out
    assert main(["audit", "--format", "csv", "--from-backup", str(held.parent / "backups")]) == 0
    assert "added clinician account sam.patel" in capsys.readouterr().out
    assert main(["alerts", "--from-backup", str(taken)]) == 0
    assert "flare" in capsys.readouterr().out


def test_given_from_backup_and_db_together_expect_a_refusal(held, capsys):
    code, _, err = rehab(capsys, held, "audit", "--from-backup", held.parent / "backups")
    assert code == 1
    assert "give --db or --from-backup, not both" in err
