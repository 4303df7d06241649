"""Given the systemd unit in deploy/, expect systemd-analyze to accept it and it to run rehab serve."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[1] / "deploy" / "rehab-dashboard.service"
INSTALLED_REHAB = "/srv/rehab/.venv/bin/rehab"


def test_given_the_unit_expect_rehab_serve_with_backups_and_an_owner_only_umask():
    text = UNIT.read_text()
    assert "UMask=0077" in text
    assert f"ExecStart={INSTALLED_REHAB} serve " in text
    assert "--backup-dir /srv/rehab/backups --backup-every 24h --keep 14" in text


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_given_the_unit_expect_systemd_analyze_verify_to_accept_it(tmp_path):
    # The unit names the clinic's install; here the command is this checkout's, so that it exists.
    rehab = Path(sys.executable).with_name("rehab")
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace(INSTALLED_REHAB, str(rehab)))
    command = ["systemd-analyze", "verify", str(unit)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
