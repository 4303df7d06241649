"""The Streamlit pages under AppTest, on a fresh copy of the sample clinic for every test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import alert_inbox, auth, caseload, day_entry, exports, patient_settings
from dashboard.db import Database, close_database
from dashboard.importer import import_paths
from dashboard.sample import SAMPLE_DIR

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
# The sample clinic's last complete week; pinned so the tests do not depend on today's date.
WEEK = "2026-W47"
PAGES = ("review", "patient", "alerts", "log_entry", "settings", "import_logs")
# Test-only accounts, created in the template database: an admin and Sam Patel's clinician account.
PASSWORD = "test-only password"
ADMIN, SAM = "admin", "sam"


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a database file holding the sample clinic, built once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "clinic.duckdb"
    database = Database(path)
    result = import_paths(database, sorted(SAMPLE_DIR.glob("*.csv")), actor="test")
    assert result.ok, result.report()
    auth.add_user(database, ADMIN, PASSWORD, "admin")
    auth.add_user(database, SAM, PASSWORD, "clinician", clinician="Sam Patel")
    database.close()
    return path


@pytest.fixture
def app_db(sample_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point REHAB_DB at a fresh copy of the sample clinic, with Streamlit's process-wide caches emptied."""
    path = tmp_path / "clinic.duckdb"
    shutil.copyfile(sample_template, path)
    monkeypatch.setenv("REHAB_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()
    close_database(path)


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    """Fill in and submit the sign-in form."""
    fields = {field.label: field for field in at.text_input}
    fields["Username"].input(username)
    fields["Password"].input(password)
    next(button for button in at.button if button.label == "Sign in").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def open_page(page: str, user: str = ADMIN, **params: str) -> AppTest:
    """Sign in as user through the form, switch to a page with query parameters, and run that page."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    sign_in(at, user)
    if page != "review":
        at.switch_page(f"app_pages/{page}.py")
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def rows(path: Path, sql: str) -> list[tuple]:
    """Return rows from the database file the app wrote (the app's own connection is the process's one)."""
    from dashboard.db import open_database

    return open_database(path).session().cursor.execute(sql).fetchall()


def table(at: AppTest, key_prefix: str):
    """Return the dataframe whose key starts with a prefix."""
    return next(frame for frame in at.dataframe if frame.key and frame.key.startswith(key_prefix))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(app_db: Path, page: str) -> None:
    at = open_page(page, patient="P002", week=WEEK)
    assert at.title, "every page has a title"
    assert not at.error


def test_review_defaults_to_the_last_complete_week_and_shows_the_clinic(app_db: Path) -> None:
    at = open_page("review", week=WEEK)
    assert at.selectbox(key="review_week").value == WEEK
    figures = {metric.label: metric.value for metric in at.metric}
    assert figures["Active patients"] == str(len(table(at, "triage").value))
    triage = table(at, "triage").value
    red = set(triage.loc[triage["risk"] == "Red", "patient_id"])
    assert {"P002", "P010", "P018"} <= red
    assert int(figures["Red"]) == len(red)
    # Alerts read as words, never rule ids.
    alerts = " ".join(triage["alerts"])
    assert "rising soreness" in alerts and "pain above ceiling" in alerts
    assert "rising_streak" not in alerts and "pain_above_ceiling" not in alerts
    # Worst first.
    order = {"Red": 0, "Amber": 1, "Green": 2}
    assert list(triage["risk"].map(order)) == sorted(triage["risk"].map(order))


def test_review_filters_change_the_rows(app_db: Path) -> None:
    at = open_page("review", week=WEEK)
    everyone = len(table(at, "triage").value)

    at.selectbox(key="review_clinician").select("Sam Patel").run()
    by_clinician = table(at, "triage").value
    assert 0 < len(by_clinician) < everyone
    assert set(by_clinician["patient_id"]) <= set(
        r[0] for r in rows(app_db, "select patient_id from patients where clinician = 'Sam Patel'")
    )
    assert at.query_params["clinician"] == "Sam Patel"

    at.selectbox(key="review_clinician").set_value(None)
    at.text_input(key="review_search").input("p002").run()
    assert list(table(at, "triage").value["patient_id"]) == ["P002"]
    assert at.metric[0].value == "1"


def test_review_week_comes_from_the_address(app_db: Path) -> None:
    at = open_page("review", week="2026-W46")
    assert at.selectbox(key="review_week").value == "2026-W46"
    assert table(at, "triage_2026-W46") is not None


def test_selecting_a_review_row_opens_that_patient(app_db: Path) -> None:
    at = open_page("review", week=WEEK)
    first = table(at, "triage").value.iloc[0]["patient_id"]
    at.session_state[f"triage_{WEEK}"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Patient detail"
    assert at.query_params["patient"] == first
    assert at.query_params["week"] == WEEK


def test_patient_detail_shows_header_charts_alerts_and_logs(app_db: Path) -> None:
    at = open_page("patient", patient="P002", week=WEEK)
    assert at.subheader[0].value.startswith("José Mensah")
    text = " ".join(m.value for m in at.markdown)
    assert "proximal hamstring tendinopathy" in text and "90 reps" in text and "5 / 10" in text
    assert at.get("vega_lite_chart"), "the patient charts render"
    assert "Red" in text
    assert len(at.dataframe) >= 2  # alerts and the pain log


def test_a_patient_without_a_name_is_headed_by_the_id_once(app_db: Path, tmp_path: Path) -> None:
    patients = tmp_path / "patients.csv"
    patients.write_text("patient_id,start_date\nZ9,2026-11-01\n")
    from dashboard.db import open_database

    assert import_paths(open_database(app_db), [patients], actor="test").ok
    at = open_page("patient", patient="Z9", week=WEEK)
    assert at.subheader[0].value == "Z9"


def test_patient_detail_range_changes_the_logs(app_db: Path) -> None:
    at = open_page("patient", patient="P002", week=WEEK)
    pain_rows = len(at.dataframe[-3].value)
    at.selectbox(key="detail_range").select(4).run()
    assert len(at.dataframe[-3].value) < pain_rows
    assert at.query_params["range"] == "4"


def test_acknowledging_an_alert_persists_and_leaves_the_inbox(app_db: Path) -> None:
    at = open_page("alerts", period="0")
    inbox_key = next(frame.key for frame in at.dataframe if frame.key and frame.key.startswith("inbox"))
    before = table(at, "inbox").value
    chosen = before.iloc[0]
    at.session_state[inbox_key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    at.text_area[0].input("phoned; halved the load for a week")
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Acknowledged" in s.value for s in at.success)

    stored = rows(app_db, "select patient_id, rule, date, acknowledged_by, note from alert_acknowledgements")
    assert len(stored) == 1
    assert stored[0][0] == chosen["patient_id"] and stored[0][1] == chosen["rule"]
    assert stored[0][4] == "phoned; halved the load for a week"

    at.run()  # a plain rerun: the acknowledgement stays and the alert stays out of the inbox
    after = table(at, "inbox").value
    assert len(after) == len(before) - 1
    still_there = after[(after["patient_id"] == chosen["patient_id"]) & (after["rule"] == chosen["rule"])]
    assert chosen["date"] not in list(still_there["date"])

    history = open_page("patient", patient=chosen["patient_id"], week=WEEK)
    statuses = " ".join(" ".join(frame.value.get("status", [])) for frame in history.dataframe)
    assert f"acknowledged by {ADMIN}" in statuses and "halved the load" in statuses
    acks = audit(app_db, "acknowledge")
    assert [(actor, pid) for actor, pid, _ in acks] == [(ADMIN, chosen["patient_id"])]
    assert acks[0][2].endswith("phoned; halved the load for a week")


def test_inbox_clinician_filter_changes_the_rows(app_db: Path) -> None:
    at = open_page("alerts", period="0")
    everyone = len(table(at, "inbox").value)
    at.selectbox(key="inbox_clinician").select("Tom Becker").run()
    assert 0 < len(table(at, "inbox").value) < everyone


def test_a_settings_change_holds_from_its_date_with_a_reason_and_an_audit_row(app_db: Path) -> None:
    import datetime as dt

    at = open_page("settings", patient="P007")
    next(d for d in at.date_input if d.label == "Effective from").set_value(dt.date(2026, 11, 16)).run()
    ceiling = next(n for n in at.number_input if n.label.startswith("Pain ceiling"))
    ceiling.set_value(4.5)
    acceptable = next(n for n in at.number_input if n.label.startswith("Acceptable morning pain"))
    assert acceptable.value is None  # blank: learn from the patient's mornings
    acceptable.set_value(3.0)
    next(t for t in at.text_input if t.label == "Reason").input("flare after the match")
    next(b for b in at.button if b.label == "Save change").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("pain ceiling 5 → 4.5" in s.value for s in at.success)

    at.run()  # after a rerun the form shows the stored values for that day
    assert next(n for n in at.number_input if n.label.startswith("Pain ceiling")).value == 4.5
    assert rows(
        app_db,
        "select effective_from, pain_ceiling, acceptable_pain, reason from settings_changes "
        "where patient_id = 'P007'",
    ) == [(dt.date(2026, 11, 16), 4.5, 3.0, "flare after the match")]
    # The patients file's values are untouched: they still hold before 16 Nov.
    assert rows(app_db, "select pain_ceiling from patients where patient_id = 'P007'") == [(5.0,)]
    assert rows(
        app_db,
        "select actor, detail from audit_log where patient_id = 'P007' and action = 'settings_change'",
    ) == [(ADMIN, "from 2026-11-16: pain ceiling 5 -> 4.5, acceptable morning pain learn from mornings -> 3; "
                  "reason: flare after the match")]
    history = next(d for d in at.dataframe if "settings" in d.value.columns).value
    assert list(history["settings"])[-1] == "pain ceiling 4.5, acceptable morning pain: 3"


def test_settings_store_a_stage_and_a_discharge_date_that_starts_empty(app_db: Path) -> None:
    at = open_page("settings", patient="P001")
    start = rows(app_db, "select start_date from patients where patient_id = 'P001'")[0][0]
    discharge = next(d for d in at.date_input if d.label == "Discharge date")
    assert discharge.value is None
    discharge.set_value(start)
    next(s for s in at.selectbox if s.label == "Stage").select("isotonic")
    next(b for b in at.button if b.label == "Save stage and discharge").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert rows(app_db, "select discharged_on, stage from patients where patient_id = 'P001'") == [
        (start, "isotonic")
    ]


def test_log_entry_saves_a_day_through_the_importer(app_db: Path) -> None:
    at = open_page("log_entry", patient="P007")
    next(d for d in at.date_input if d.label == "Date").set_value(__import__("datetime").date(2026, 11, 23))
    next(n for n in at.number_input if n.label == "Morning pain").set_value(3.5)
    at.button[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Saved P007" in s.value for s in at.success)
    assert rows(
        app_db, "select time_of_day, pain from pain_entries where patient_id = 'P007' and date = '2026-11-23'"
    ) == [("morning", 3.5)]
    assert rows(app_db, "select count(*) from imports where source like 'app-entry_P007_2026-11-23%'") == [
        (1,)
    ]


def test_log_entry_refuses_a_conflicting_score_and_writes_nothing(app_db: Path) -> None:
    stored = rows(
        app_db,
        "select date, pain from pain_entries where patient_id = 'P007' and time_of_day = "
        "'morning' order by date desc limit 1",
    )[0]
    count = rows(app_db, "select count(*) from pain_entries")
    at = open_page("log_entry", patient="P007")
    next(d for d in at.date_input if d.label == "Date").set_value(stored[0])
    next(n for n in at.number_input if n.label == "Morning pain").set_value(float(stored[1]) + 1)
    next(n for n in at.number_input if n.label == "Evening pain").set_value(2.0)
    at.button[0].click().run()
    assert at.error and "Nothing was written" in at.error[0].value
    assert any("conflicts with the morning score" in m.value for m in at.markdown)
    assert rows(app_db, "select count(*) from pain_entries") == count


def test_import_shows_the_dry_run_then_writes_on_confirmation(app_db: Path) -> None:
    at = open_page("import_logs")
    good = b"patient_id,date,time_of_day,pain,note\nP007,2026-11-23,morning,2,\nP007,2026-11-23,evening,3,\n"
    at.file_uploader[0].set_value(("good.csv", good, "text/csv")).run()
    assert "would add 2" in at.code[0].value
    assert rows(app_db, "select count(*) from pain_entries where date = '2026-11-23'") == [(0,)]
    confirm = next(b for b in at.button if b.label.startswith("Import 1 accepted file"))
    confirm.click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Imported" in s.value for s in at.success)
    assert rows(app_db, "select count(*) from pain_entries where date = '2026-11-23'") == [(2,)]
    assert [actor for actor, _, _ in audit(app_db, "import") if actor != "test"] == [ADMIN]


def test_import_refuses_a_bad_file_and_offers_nothing_to_write(app_db: Path) -> None:
    at = open_page("import_logs")
    bad = b"patient_id,date,time_of_day,pain,note\nP007,2026-11-23,morning,12,\nP999,2026-11-23,noon,3,\n"
    at.file_uploader[0].set_value(("bad.csv", bad, "text/csv")).run()
    report = at.code[0].value
    assert "REFUSED bad.csv" in report and "line 2" in report and "line 3" in report
    assert at.error
    assert not [b for b in at.button if b.label.startswith("Import")]
    assert rows(app_db, "select count(*) from pain_entries where date = '2026-11-23'") == [(0,)]


# --- sign-in, scoping and the audit trail ------------------------------------------------------------------


def page_text(at: AppTest) -> str:
    """Return every element the app sent, as protobuf text: labels, values, options, table data."""
    parts = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def patient_names(path: Path) -> dict[str, str]:
    """Return every patient's id and name."""
    return dict(rows(path, "select patient_id, name from patients"))


def mine(path: Path, clinician: str = "Sam Patel") -> set[str]:
    """Return the ids of one clinician's patients."""
    return {r[0] for r in rows(path, f"select patient_id from patients where clinician = '{clinician}'")}


def audit(path: Path, action: str) -> list[tuple]:
    """Return the audit rows of one action, oldest first: actor, patient, detail."""
    return rows(
        path, f"select actor, patient_id, detail from audit_log where action = '{action}' order by audit_id"
    )


def test_nothing_but_the_sign_in_form_renders_before_sign_in(app_db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["patient"] = "P002"
    at.run()
    assert not at.exception
    assert [field.label for field in at.text_input] == ["Username", "Password"]
    assert not at.dataframe and not at.selectbox and not at.metric
    text = page_text(at)
    for patient_id, name in patient_names(app_db).items():
        assert patient_id not in text and name not in text
    assert "Weekly review" not in text and "Sign out" not in text
    # Running the app again without signing in still shows only the form.
    at.run()
    assert not at.dataframe and "P002" not in page_text(at)


def test_a_wrong_password_shows_nothing(app_db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    sign_in(at, SAM, "not the password at all")
    assert [error.value for error in at.error] == [auth.WRONG_CREDENTIALS]
    assert not at.dataframe and "P0" not in page_text(at)


def test_signing_in_shows_who_and_signing_out_ends_the_session(app_db: Path) -> None:
    at = open_page("review", user=SAM, week=WEEK)
    assert any("Signed in as **sam** (Sam Patel's patients)" in c.value for c in at.sidebar.caption)
    at.button(key="auth_logout").click().run()
    assert [field.label for field in at.text_input] == ["Username", "Password"]
    assert not at.dataframe
    actions = rows(app_db, "select actor, action from audit_log where actor = 'sam' order by audit_id")
    assert actions == [("sam", "login"), ("sam", "logout")]


def test_a_clinician_sees_only_their_patients_on_review_inbox_and_detail(app_db: Path) -> None:
    theirs = mine(app_db)
    review = open_page("review", user=SAM, week=WEEK)
    shown = set(table(review, "triage").value["patient_id"])
    assert shown and shown <= theirs
    # A clinician who sees only their own patients gets no clinician filter.
    assert not [box for box in review.selectbox if box.key == "review_clinician"]
    assert review.metric[0].value == str(len(shown))

    inbox = open_page("alerts", user=SAM, period="0")
    assert set(table(inbox, "inbox").value["patient_id"]) <= theirs
    assert inbox.selectbox(key="inbox_clinician").options == ["Sam Patel"]

    detail = open_page("patient", user=SAM)
    names = patient_names(app_db)
    assert set(detail.selectbox(key="patient").options) == {f"{pid} · {names[pid]}" for pid in theirs}


def test_a_deep_link_to_another_clinicians_patient_says_not_found_and_shows_nothing(app_db: Path) -> None:
    other = "P002"
    assert other not in mine(app_db), "P002 is Léa Moreau's patient in the sample clinic"
    for page in ("patient", "settings", "log_entry"):
        at = open_page(page, user=SAM, patient=other, week=WEEK)
        assert any("Patient not found" in w.value for w in at.warning), page
        assert at.selectbox(key="patient").value is None
        assert not at.dataframe and not at.get("vega_lite_chart") and not at.subheader or page == "settings"
        text = page_text(at)
        assert patient_names(app_db)[other] not in text
        assert "proximal hamstring" not in text  # P002's condition
    assert not [row for row in audit(app_db, "patient_view") if row[1] == other]


def test_write_paths_refuse_patients_the_viewer_cannot_see(app_db: Path) -> None:
    import datetime as dt

    from dashboard.db import open_database

    db = open_database(app_db)
    sam = auth.current_viewer(db, SAM)
    with pytest.raises(patient_settings.SettingsRefused, match="among the patients you can see"):
        patient_settings.change_settings(db, sam, "P002", dt.date(2026, 11, 23), {"pain_ceiling": 9.0})
    sources = day_entry.day_entry_sources("P002", dt.date(2026, 11, 23), morning_pain=1.0)
    with pytest.raises(caseload.NotVisible):
        day_entry.save_day_entry(db, sam, "P002", sources)
    # Nor can a source for another patient ride along with one of Sam's own.
    own = sorted(mine(app_db))[0]
    with pytest.raises(caseload.NotVisible):
        day_entry.save_day_entry(db, sam, own, sources)
    assert not alert_inbox.acknowledge_alert(db, sam, "P002", "flare", dt.date(2026, 11, 20), "no")
    assert rows(app_db, "select pain_ceiling from patients where patient_id = 'P002'") == [(5.0,)]
    assert rows(app_db, "select count(*) from pain_entries where date = '2026-11-23'") == [(0,)]
    assert rows(app_db, "select count(*) from alert_acknowledgements") == [(0,)]


def test_the_import_page_is_only_for_admins(app_db: Path) -> None:
    at = open_page("review", user=SAM)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/import_logs.py")
    admin = open_page("import_logs", user=ADMIN)
    assert admin.title[0].value == "Import logs" and admin.file_uploader


def test_the_import_page_refuses_a_clinician_even_when_run_directly(app_db: Path) -> None:
    from dashboard.access import Viewer
    from dashboard.app_pages.login import VIEWER_KEY

    at = AppTest.from_file(str(Path(APP).parent / "app_pages" / "import_logs.py"), default_timeout=60)
    at.session_state[VIEWER_KEY] = Viewer(SAM, "clinician", "Sam Patel")
    at.run()
    assert at.error and "Only an admin can import" in at.error[0].value
    assert not at.file_uploader


def test_viewing_a_patient_is_audited_once_per_visit(app_db: Path) -> None:
    at = open_page("patient", user=SAM, patient=sorted(mine(app_db))[0], week=WEEK)
    at.selectbox(key="detail_range").select(4).run()  # another run on the same patient: no new row
    views = audit(app_db, "patient_view")
    assert [(actor, pid) for actor, pid, _ in views] == [(SAM, sorted(mine(app_db))[0])]
    assert views[0][2].startswith("patient page, ")


def test_writes_from_the_app_are_audited_as_the_signed_in_user(app_db: Path) -> None:
    import datetime as dt

    at = open_page("log_entry", user=SAM, patient=sorted(mine(app_db))[0])
    next(d for d in at.date_input if d.label == "Date").set_value(dt.date(2026, 11, 23))
    next(n for n in at.number_input if n.label == "Morning pain").set_value(2.0)
    at.button(key="FormSubmitter:day_entry_0-Check and save").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert [actor for actor, _, _ in audit(app_db, "import") if actor != "test"] == [SAM]
    assert rows(app_db, "select imported_by from imports where source like 'app-entry_%'") == [(SAM,)]


def test_the_review_offers_clinic_report_downloads_without_building_them(app_db: Path) -> None:
    at = open_page("review", user=SAM, week=WEEK)
    buttons = at.get("download_button")
    assert [button.proto.label for button in buttons] == ["PDF", "Excel (XLSX)", "CSV"]
    assert not audit(app_db, "export"), "nothing is built until someone clicks"
    detail = open_page("patient", patient="P002", week=WEEK)
    assert [button.proto.label for button in detail.get("download_button")] == ["Download PDF"]
    assert any(c.label == "Pseudonymous (id only)" for c in detail.checkbox)
    assert not audit(app_db, "export")


def test_downloads_build_scoped_reports_and_audit_each_export(app_db: Path) -> None:
    import datetime as dt

    from dashboard.db import open_database

    db = open_database(app_db)
    sam = auth.current_viewer(db, SAM)
    pdf = exports.clinic_export(db, sam, "pdf", WEEK, "Sam Patel")
    xlsx = exports.clinic_export(db, sam, "xlsx", WEEK, None)
    text = exports.clinic_export(db, sam, "csv", WEEK, None).decode("utf-8-sig")
    assert pdf.startswith(b"%PDF") and xlsx.startswith(b"PK")
    listed = {row["Patient ID"] for row in __import__("csv").DictReader(text.splitlines())}
    assert listed and listed <= mine(app_db), "a clinician's export holds only their patients"

    own = sorted(mine(app_db))[0]
    report = exports.patient_export(
        db, sam, own, dt.date(2026, 10, 1), dt.date(2026, 11, 22), pseudonymous=True
    )
    assert report.startswith(b"%PDF")
    with pytest.raises(caseload.NotVisible):
        exports.patient_export(db, sam, "P002", dt.date(2026, 10, 1), dt.date(2026, 11, 22))

    assert audit(app_db, "export") == [
        (SAM, None, f"clinic report pdf, week {WEEK}, Sam Patel's patients ({len(listed)})"),
        (SAM, None, f"clinic report xlsx, week {WEEK}, Sam Patel's patients ({len(listed)})"),
        (SAM, None, f"clinic report csv, week {WEEK}, Sam Patel's patients ({len(listed)})"),
        (SAM, own, "patient report pdf, 2026-10-01 to 2026-11-22, pseudonymous"),
    ]
    auth.set_disabled(db, SAM)
    with pytest.raises(PermissionError):
        exports.clinic_export(db, sam, "csv", WEEK)


def _download_after_idle(minutes: int) -> None:
    """Build a download callable as the review page does, with the last activity minutes ago, and call it."""
    import datetime as dt

    import streamlit as st

    from dashboard import auth
    from dashboard.access import Viewer
    from dashboard.app_pages import _shared, login

    st.session_state[login.LAST_SEEN_KEY] = auth.utc_now() - dt.timedelta(minutes=minutes)
    build = _shared.clinic_report(Viewer("sam", "clinician", "Sam Patel"), "csv", "2026-W47", None)
    try:
        st.write(f"built {len(build())} bytes")
    except PermissionError as refused:
        st.write(f"refused: {refused}")


@pytest.mark.parametrize(("minutes", "expected"), [(1, "built"), (31, "refused: signed out after")])
def test_a_download_left_open_too_long_is_refused(
    app_db: Path, minutes: int, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REHAB_IDLE_LIMIT", "30m")
    at = AppTest.from_function(_download_after_idle, args=(minutes,), default_timeout=60).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.markdown[0].value.startswith(expected)
    assert len(audit(app_db, "export")) == (1 if expected == "built" else 0)


def test_a_clinician_without_patients_is_told_whom_to_ask(app_db: Path) -> None:
    from dashboard.db import open_database

    auth.add_user(open_database(app_db), "nobody", PASSWORD, "clinician", clinician="Nobody Yet")
    at = open_page("patient", user="nobody")
    assert "Ask the clinic's admin" in at.info[0].value
    review = open_page("review", user="nobody", week=WEEK)
    assert not review.dataframe and review.metric[0].value == "0"
