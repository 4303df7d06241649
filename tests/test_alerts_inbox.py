"""Given the alerts inbox, expect each acknowledgement to hit the alert chosen, once; and a patient's alerts
acknowledged together only by the explicit, confirmed action. Core on a real DuckDB, page under AppTest."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest
import test_app_pages
from test_app_pages import ADMIN, SAM, audit, open_page, rows, table

from dashboard import alert_inbox, auth, metrics
from dashboard.access import Viewer
from dashboard.db import Database

# The page tests' fixtures: a fresh copy of the sample clinic with test accounts, as REHAB_DB.
sample_template = test_app_pages.sample_template
app_db = test_app_pages.app_db

PUSHING = "P002"  # pushes too hard: several open alerts in the sample clinic's last weeks
AS_OF = dt.date(2026, 11, 23)


def open_alerts_of(db: Database, viewer: Viewer, patient_id: str) -> list[tuple[str, dt.date]]:
    """Return a patient's open alerts as (rule, date), as the inbox lists them."""
    events = metrics.alert_events(db, viewer, patient_id=patient_id, as_of=AS_OF)
    still_open = alert_inbox.open_alerts(events, alert_inbox.acknowledgements(db, viewer, patient_id))
    return [(rule, date) for _, rule, date in alert_inbox.alert_keys(still_open)]


def stored(db: Database) -> list[tuple]:
    """Return every stored acknowledgement: patient, rule, date, who, note."""
    return (
        db.session()
        .cursor.execute(
            "select patient_id, rule, date, acknowledged_by, note from alert_acknowledgements order by all"
        )
        .fetchall()
    )


def acknowledge_audit(db: Database) -> list[tuple]:
    """Return the acknowledgement rows of the audit trail: actor, patient, detail."""
    return (
        db.session()
        .cursor.execute(
            "select actor, patient_id, detail from audit_log where action = 'acknowledge' order by audit_id"
        )
        .fetchall()
    )


# --- core ---------------------------------------------------------------------------------------------------


def test_given_one_alert_acknowledged_twice_expect_one_row_one_audit_entry_and_a_plain_report(
    sample_db: Database,
) -> None:
    admin = Viewer.system()
    rule, date = open_alerts_of(sample_db, admin, PUSHING)[0]
    first = alert_inbox.acknowledge_alert(sample_db, admin, PUSHING, rule, date, "phoned")
    second = alert_inbox.acknowledge_alert(sample_db, admin, PUSHING, rule, date, "phoned again")

    assert first and first.outcome == alert_inbox.ACKNOWLEDGED
    assert not second and second.outcome == alert_inbox.ALREADY_ACKNOWLEDGED
    assert (second.acknowledged_by, second.note) == ("cli", "phoned")
    said = second.message()
    assert said.startswith(f"Not acknowledged again: {alert_inbox.alert_word(rule)} for {PUSHING}")
    assert "already acknowledged by cli" in second.message() and "Nothing was changed." in second.message()
    assert stored(sample_db) == [(PUSHING, rule, date, "cli", "phoned")]
    assert acknowledge_audit(sample_db) == [("cli", PUSHING, f"{rule} on {date.isoformat()}: phoned")]


def test_given_eight_simultaneous_acknowledgements_of_one_alert_expect_one_stored_the_rest_told(
    sample_db: Database,
) -> None:
    admin = Viewer.system()
    rule, date = open_alerts_of(sample_db, admin, PUSHING)[0]
    start = threading.Barrier(8)
    outcomes, failures = [], []

    def click(note: str) -> None:
        start.wait()
        try:
            outcomes.append(alert_inbox.acknowledge_alert(sample_db, admin, PUSHING, rule, date, note))
        except Exception as error:  # a thread's exception would otherwise only be a warning
            failures.append(repr(error))

    threads = [threading.Thread(target=click, args=(f"tab {n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(outcome.outcome for outcome in outcomes) == [alert_inbox.ACKNOWLEDGED] + [
        alert_inbox.ALREADY_ACKNOWLEDGED
    ] * 7
    assert len(stored(sample_db)) == 1 and len(acknowledge_audit(sample_db)) == 1


def test_given_another_clinicians_alert_expect_not_visible_and_nothing_stored(sample_db: Database) -> None:
    auth.add_user(sample_db, "sam", "test-only password", "clinician", clinician="Sam Patel")
    sam = auth.current_viewer(sample_db, "sam")
    rule, date = open_alerts_of(sample_db, Viewer.system(), PUSHING)[0]  # P002 is Léa Moreau's
    outcome = alert_inbox.acknowledge_alert(sample_db, sam, PUSHING, rule, date, "not mine")
    assert outcome.outcome == alert_inbox.NOT_VISIBLE
    assert outcome.message() == f"Not acknowledged: {PUSHING} is not among the patients you can see."
    with pytest.raises(alert_inbox.AcknowledgementRefused):
        alert_inbox.acknowledge_patient_alerts(sample_db, sam, PUSHING, [], "no alerts")
    outcomes = alert_inbox.acknowledge_patient_alerts(sample_db, sam, PUSHING, [(rule, date)], "not mine")
    assert [o.outcome for o in outcomes] == [alert_inbox.NOT_VISIBLE]
    assert stored(sample_db) == [] and acknowledge_audit(sample_db) == []


def test_given_a_patients_listed_alerts_expect_exactly_those_acknowledged_with_one_note(
    sample_db: Database,
) -> None:
    admin = Viewer.system()
    open_now = open_alerts_of(sample_db, admin, PUSHING)
    assert len(open_now) >= 3
    earlier = alert_inbox.acknowledge_alert(sample_db, admin, PUSHING, *open_now[0], "first on its own")
    listed, left_open = open_now[:-1], open_now[-1]

    note = " reviewed the week "
    outcomes = alert_inbox.acknowledge_patient_alerts(sample_db, admin, PUSHING, listed, note)
    assert earlier and [o.outcome for o in outcomes] == [alert_inbox.ALREADY_ACKNOWLEDGED] + [
        alert_inbox.ACKNOWLEDGED
    ] * (len(listed) - 1)
    assert open_alerts_of(sample_db, admin, PUSHING) == [left_open], "an alert not listed stays open"
    notes = {(rule, date): note for _, rule, date, _, note in stored(sample_db)}
    assert notes[open_now[0]] == "first on its own"
    assert all(notes[alert] == "reviewed the week" for alert in listed[1:])
    together = [detail for _, _, detail in acknowledge_audit(sample_db)][1:]
    assert len(together) == len(listed) - 1
    ending = f": reviewed the week (one of {len(listed)} acknowledged together)"
    assert all(detail.endswith(ending) for detail in together)


def test_given_alerts_acknowledged_together_without_a_note_expect_a_refusal_and_nothing_stored(
    sample_db: Database,
) -> None:
    admin = Viewer.system()
    listed = open_alerts_of(sample_db, admin, PUSHING)
    refusal = f"write a note to acknowledge {len(listed)}"
    with pytest.raises(alert_inbox.AcknowledgementRefused, match=refusal):
        alert_inbox.acknowledge_patient_alerts(sample_db, admin, PUSHING, listed, "   ")
    assert stored(sample_db) == []


# --- the page -----------------------------------------------------------------------------------------------


def select_row(at, row: int):
    """Select one row of the inbox table, as a click on its row marker does, and run the page."""
    key = table(at, "inbox").key
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


def bulk_note(at):
    """Return the note box of acknowledging a patient's alerts together."""
    return next(t for t in at.text_area if t.label == "What you did or decided, for all of them")


def button(at, label: str):
    """Return the button with this label."""
    return next(b for b in at.button if b.label == label)


def test_after_an_acknowledgement_nothing_is_selected_and_the_next_alert_needs_its_own_selection(
    app_db: Path,
) -> None:
    at = open_page("alerts", period="0")
    before = table(at, "inbox")
    first, second = before.value.iloc[0], before.value.iloc[1]
    assert first["patient_id"] != second["patient_id"] or first["rule"] != second["rule"]
    select_row(at, 0)
    next(t for t in at.text_area if t.label == "Note").input("phoned; halved the load")
    button(at, "Acknowledge").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert [s.value for s in at.success][0].startswith("Acknowledged ")

    # The row that moved into place is not selected: no alert panel, no note, no button to click again.
    after = table(at, "inbox")
    assert after.key != before.key
    assert not [b for b in at.button if b.label == "Acknowledge"]
    assert not [t for t in at.text_area if t.label == "Note"]
    assert any("Select an alert" in info.value for info in at.info)
    # Even the old selection, sent again (a click that raced the rerun), selects nothing.
    at.session_state[before.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not [b for b in at.button if b.label == "Acknowledge"]

    assert [r[:2] for r in rows(app_db, "select patient_id, rule from alert_acknowledgements")] == [
        (first["patient_id"], first["rule"])
    ]
    assert len(audit(app_db, "acknowledge")) == 1
    # The next alert is acknowledged only once chosen, with its own (empty) note.
    select_row(at, 0)
    assert next(t for t in at.text_area if t.label == "Note").value == ""


def test_two_tabs_acknowledging_one_alert_store_it_once_and_the_second_is_told_who_did(app_db: Path) -> None:
    first_tab, second_tab = open_page("alerts", period="0"), open_page("alerts", user=SAM, period="0")
    sams = table(second_tab, "inbox").value
    row = int(sams.index[0])
    chosen = sams.iloc[row]
    everyone = table(first_tab, "inbox").value
    first_row = int(
        everyone.index[
            (everyone["patient_id"] == chosen["patient_id"])
            & (everyone["rule"] == chosen["rule"])
            & (everyone["date"] == chosen["date"])
        ][0]
    )
    select_row(first_tab, first_row)
    select_row(second_tab, row)
    button(first_tab, "Acknowledge").click().run()
    button(second_tab, "Acknowledge").click().run()
    assert not second_tab.exception, [e.message for e in second_tab.exception]

    warning = " ".join(w.value for w in second_tab.warning)
    assert "Not acknowledged again" in warning and f"already acknowledged by {ADMIN}" in warning
    assert not second_tab.success
    assert rows(app_db, "select count(*) from alert_acknowledgements") == [(1,)]
    assert [(actor, pid) for actor, pid, _ in audit(app_db, "acknowledge")] == [(ADMIN, chosen["patient_id"])]


def test_a_patients_alerts_are_acknowledged_together_only_when_confirmed_with_a_note(app_db: Path) -> None:
    at = open_page("alerts", period="0")
    inbox = table(at, "inbox").value
    theirs = inbox[inbox["patient_id"] == PUSHING]
    assert len(theirs) >= 2
    select_row(at, int(theirs.index[0]))
    label = f"Confirm all {len(theirs)}"
    assert any(e.label == f"Acknowledge all {len(theirs)} open alerts of this patient" for e in at.expander)

    # Not confirmed: nothing is written, and the clinician is told why.
    bulk_note(at).input("reviewed the whole week")
    button(at, label).click().run()
    assert any("tick the box" in w.value for w in at.warning)
    assert rows(app_db, "select count(*) from alert_acknowledgements") == [(0,)]

    # Confirmed without a note: refused too.
    select_row(at, int(theirs.index[0]))
    next(c for c in at.checkbox if c.label.startswith(f"Yes, all {len(theirs)} alerts above")).check()
    button(at, label).click().run()
    assert any("write a note" in w.value for w in at.warning)
    assert rows(app_db, "select count(*) from alert_acknowledgements") == [(0,)]

    select_row(at, int(theirs.index[0]))
    bulk_note(at).input("reviewed the whole week")
    next(c for c in at.checkbox if c.label.startswith(f"Yes, all {len(theirs)} alerts above")).check()
    button(at, label).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.success[0].value.startswith(f"Acknowledged {len(theirs)} alerts for {PUSHING}")
    acked = rows(app_db, "select patient_id, note from alert_acknowledgements")
    assert acked == [(PUSHING, "reviewed the whole week")] * len(theirs)
    assert len(audit(app_db, "acknowledge")) == len(theirs)
    left = table(at, "inbox").value
    assert PUSHING not in set(left["patient_id"]) and len(left) == len(inbox) - len(theirs)
    assert not [b for b in at.button if b.label in ("Acknowledge", label)], "nothing stays selected"


def test_the_inbox_colours_severity_and_wraps_details(app_db: Path) -> None:
    at = open_page("alerts", period="0")
    grid = table(at, "inbox")
    assert set(map(tuple, grid.value["severity"])) <= {("High",), ("Medium",), ("Low",)}
    config = json.loads(grid.proto.columns)
    severity = config["severity"]
    assert severity["type_config"]["type"] == "multiselect"
    colours = {option["value"]: option.get("color") for option in severity["type_config"]["options"]}
    assert colours["High"] == "#c0392b" and colours["Medium"] == "#b45309" and colours["Low"]
    # The grid wraps cell text only in rows taller than 4rem (64 px).
    assert grid.proto.row_height > 64
