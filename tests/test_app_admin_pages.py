"""The Accounts and Audit trail pages under AppTest: admins only, each change through auth and audited."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_app_pages import ADMIN, APP, PASSWORD, SAM, app_db, open_page, rows, sample_template, sign_in, table  # noqa: F401 - fixtures

from dashboard import accounts, audit_words, auth
from dashboard.access import Viewer
from dashboard.db import open_database


@pytest.fixture
def clinic_db(app_db: Path) -> Path:  # noqa: F811 - the fixture imported above
    """Return the fresh sample clinic the app runs on."""
    return app_db


def settings_audit(path: Path) -> list[tuple]:
    """Return the account changes the audit trail holds, oldest first."""
    sql = "select actor, detail from audit_log where action = 'settings_change' order by audit_id"
    return rows(path, sql)


def click(at: AppTest, key: str) -> AppTest:
    """Click a button by key and check the run raised nothing."""
    at.button(key=key).click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def entries_caption(at: AppTest) -> str:
    """Return the audit page's line saying which entries it shows."""
    return next(caption.value for caption in at.caption if caption.value.startswith("Entries"))


def account_state(at: AppTest, username: str) -> str:
    """Return the state the accounts table shows for an account."""
    frame = at.dataframe[0].value.set_index("username")
    return frame.loc[username, "state"]


@pytest.mark.parametrize("page", ["accounts", "audit_trail"])
def test_a_clinician_cannot_open_the_admin_pages(clinic_db: Path, page: str) -> None:
    at = open_page("review", user=SAM)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(f"app_pages/{page}.py")
    from dashboard.app_pages.login import VIEWER_KEY

    direct = AppTest.from_file(str(Path(APP).parent / "app_pages" / f"{page}.py"), default_timeout=60)
    direct.session_state[VIEWER_KEY] = Viewer(SAM, "clinician", "Sam Patel")
    direct.run()
    assert direct.error and "Only an admin" in direct.error[0].value
    assert not direct.dataframe and not direct.button


def test_an_admin_adds_an_account_whose_one_time_password_is_shown_once(clinic_db: Path) -> None:
    at = open_page("accounts")
    at.text_input(key="accounts_new_username").input("jo.bloggs")
    at.selectbox(key="accounts_new_role").select("clinician")
    at.text_input(key="accounts_new_clinician").input("Jo *Bloggs*")
    next(b for b in at.button if b.label == "Add account").click().run()
    assert not at.exception
    password = at.code[0].value
    assert len(password) >= auth.MIN_PASSWORD_LENGTH
    assert account_state(at, "jo.bloggs") == "must choose a new password"
    listed = at.dataframe[0].value.set_index("username")
    assert listed.loc["jo.bloggs", "clinician"] == "Jo *Bloggs*"
    added = "added clinician account jo.bloggs seeing Jo *Bloggs*'s patients"
    assert settings_audit(clinic_db)[-1] == (ADMIN, added)
    at.run()
    assert not at.code, "the one-time password is shown once"

    # The new person signs in with it and must choose their own before anything else renders.
    first = AppTest.from_file(APP, default_timeout=60).run()
    sign_in(first, "jo.bloggs", password)
    assert not first.dataframe and "one-time password" in first.info[0].value
    fields = {field.label: field for field in first.text_input}
    fields["New password"].input(password)
    fields["Repeat the new password"].input(password)
    next(b for b in first.button if b.label == "Set password").click().run()
    assert "not the one you were given" in first.error[0].value
    fields = {field.label: field for field in first.text_input}
    fields["New password"].input("my own good password")
    fields["Repeat the new password"].input("my own good password")
    next(b for b in first.button if b.label == "Set password").click().run()
    assert not first.exception
    assert first.title[0].value == "Weekly review"
    assert not auth.must_change_password(open_database(clinic_db), "jo.bloggs")
    assert auth.authenticate(open_database(clinic_db), "jo.bloggs", "my own good password")


def test_an_admin_disables_and_enables_an_account_ending_its_sessions(clinic_db: Path) -> None:
    clinician = AppTest.from_file(APP, default_timeout=60).run()
    sign_in(clinician, SAM)
    assert clinician.title[0].value == "Weekly review"

    at = open_page("accounts")
    at.selectbox(key="accounts_chosen").select(SAM).run()
    click(at, "accounts_disable")
    assert account_state(at, SAM) == "disabled"
    assert "Disabled sam" in at.success[0].value
    ended = rows(clinic_db, f"select end_reason from user_sessions where username = '{SAM}'")
    assert ended == [(auth.ACCOUNT_DISABLED,)], "the session ends in the database, not only in the tab"
    clinician.run()
    assert not clinician.dataframe and "no longer active" in clinician.info[0].value

    at.selectbox(key="accounts_chosen").select(SAM).run()
    click(at, "accounts_enable")
    assert account_state(at, SAM) == "active"
    assert [detail for _, detail in settings_audit(clinic_db)[-2:]] == [f"disabled account {SAM}",
                                                                     f"enabled account {SAM}"]
    assert auth.authenticate(open_database(clinic_db), SAM, PASSWORD)


def test_an_admin_cannot_disable_their_own_account(clinic_db: Path) -> None:
    at = open_page("accounts")
    at.selectbox(key="accounts_chosen").select(ADMIN).run()
    click(at, "accounts_disable")
    assert "cannot disable your own account" in at.error[0].value
    assert account_state(at, ADMIN) == "active"


def test_resetting_a_locked_out_password_ends_the_lockout(clinic_db: Path) -> None:
    db = open_database(clinic_db)
    for _ in range(auth.MAX_FAILED_LOGINS):
        auth.attempt_login(db, SAM, "wrong password!")
    at = open_page("accounts")
    assert account_state(at, SAM) == "locked"
    at.selectbox(key="accounts_chosen").select(SAM).run()
    click(at, "accounts_reset")
    password = at.code[0].value
    assert account_state(at, SAM) == "must choose a new password"
    assert auth.attempt_login(db, SAM, password).ok
    assert settings_audit(clinic_db)[-1] == (ADMIN, f"changed the password of {SAM}")


def test_an_admin_takes_a_backup_beside_the_database(
    clinic_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(accounts.BACKUP_DIR_ENV_VAR, raising=False)
    at = open_page("accounts")
    click(at, "accounts_take_backup")
    taken = list((clinic_db.parent / "backups").iterdir())
    assert len(taken) == 1 and (taken[0] / "manifest.json").is_file()
    assert "Took backup" in at.success[0].value
    assert at.get("download_button"), "the backup is offered as a download"
    last = rows(clinic_db, "select actor, action from audit_log order by audit_id desc limit 1")
    assert last == [(ADMIN, "export")]


def test_the_audit_page_filters_pages_and_says_each_entry_in_words(clinic_db: Path) -> None:
    db = open_database(clinic_db)
    sam = auth.current_viewer(db, SAM)
    moment = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    for minute in range(60):
        auth.record(db, sam, "patient_view", patient_id="P010",
                    detail="patient page, 2026-10-01 to 2026-11-22",
                    now=moment + dt.timedelta(minutes=minute))
    auth.record(db, sam, "patient_view", patient_id="P011", detail="settings page", now=moment)
    at = open_page("audit_trail")
    at.selectbox(key="audit_user").select(SAM).run()
    at.text_input(key="audit_patient").input("P010").run()
    shown = at.dataframe[0].value
    assert len(shown) == 50 and set(shown["entry"]) == {"Sam Patel viewed P010's patient page"}
    assert "of 60" in entries_caption(at)
    at.number_input(key="audit_page").set_value(2).run()
    assert len(at.dataframe[0].value) == 10
    at.text_input(key="audit_patient").input("").run()
    at.number_input(key="audit_page").set_value(1).run()
    at.date_input(key="audit_from").set_value(dt.date(2026, 11, 20)).run()
    at.date_input(key="audit_to").set_value(dt.date(2026, 11, 20)).run()
    at.selectbox(key="audit_action").select("patient_view").run()
    assert not at.exception
    assert "of 61" in entries_caption(at)
    at.number_input(key="audit_page").set_value(2).run()
    last_page = at.dataframe[0].value
    assert len(last_page) == 11 and "Sam Patel viewed P011's settings page" in set(last_page["entry"])


def test_the_audit_csv_export_is_written_in_words_and_audited(clinic_db: Path) -> None:
    db = open_database(clinic_db)
    admin = auth.current_viewer(db, ADMIN)
    auth.record(db, auth.current_viewer(db, SAM), "patient_view", patient_id="P010", detail="patient page")
    chosen = audit_words.AuditFilter(user=SAM, patient_id="P010")
    data = audit_words.export_csv(db, admin, chosen)
    read = list(csv.DictReader(data.decode().splitlines()))
    assert [row["entry"] for row in read] == ["Sam Patel viewed P010's patient page"]
    last = rows(clinic_db, "select actor, action, detail from audit_log order by audit_id desc limit 1")
    assert last == [(ADMIN, "export", "audit trail CSV, 1 entries (user sam, patient P010)")]
    at = open_page("audit_trail")
    assert at.get("download_button")
