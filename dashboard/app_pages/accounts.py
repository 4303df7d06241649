"""Accounts (admins only): list, add with a one-time password, disable or enable, reset, back up."""

from __future__ import annotations

import streamlit as st

from dashboard import accounts, auth, backup
from dashboard.access import ROLES
from dashboard.app import current_viewer, database
from dashboard.app_pages._shared import _while_active
from dashboard.app_pages._text import plain

# What the page shows once after a change (a new one-time password among it), then forgets.
SHOWN_KEY = "accounts_shown"
BACKUP_KEY = "accounts_backup"

viewer = current_viewer()
st.title("Accounts")
if viewer.role != "admin":
    # The navigation hides this page from clinicians; this guards a direct run all the same.
    st.error("Only an admin can manage accounts.")
    st.stop()
db = database()
st.caption(
    "The same changes as `rehab user ...`, each one audited. A disabled account's open sessions end at "
    "their next click; a new or reset password is shown once and must be replaced at the next sign-in."
)

shown = st.session_state.pop(SHOWN_KEY, None)
if shown is not None:
    message, password = shown
    st.success(plain(message))
    if password is not None:
        st.warning("The one-time password, shown only now: hand it over privately. It must be replaced at "
                   "the first sign-in.", icon=":material/key:")
        st.code(password, language=None)

frame = accounts.accounts(db)
st.dataframe(
    frame,
    key="accounts_table",
    hide_index=True,
    column_config={
        "username": "Username", "role": "Role", "clinician": "Clinician", "state": "State",
        "locked_until": st.column_config.DatetimeColumn("Locked until", format="YYYY-MM-DD HH:mm z"),
        "last_sign_in": st.column_config.DatetimeColumn("Last sign-in", format="YYYY-MM-DD HH:mm z"),
    },
)


def _done(message: str, password: str | None = None) -> None:
    """Show a change's result once, after the table has been read again."""
    st.session_state[SHOWN_KEY] = (message, password)
    st.rerun()


st.subheader("Add an account")
with st.form("accounts_add", clear_on_submit=True):
    username = st.text_input("Username", key="accounts_new_username")
    role = st.selectbox("Role", ROLES, key="accounts_new_role")
    clinician = st.text_input(
        "Clinician (for a clinician account: the patients' clinician value; default the username)",
        key="accounts_new_clinician",
    )
    add = st.form_submit_button("Add account", type="primary")
if add:
    try:
        name, password = accounts.add_account(db, viewer, username, role, clinician.strip() or None)
    except auth.AccountError as error:
        st.error(plain(f"Not added: {error}."))
    else:
        _done(f"Added {role} account {name}.", password)

st.subheader("Change an account")
names = list(frame["username"])
chosen = st.selectbox("Account", names, key="accounts_chosen") if names else None
if chosen is not None:
    state = frame.set_index("username").loc[chosen, "state"]
    left, middle, right = st.columns(3)
    try:
        if state == "disabled":
            if left.button("Enable", key="accounts_enable"):
                accounts.set_disabled(db, viewer, chosen, False)
                _done(f"Enabled {chosen}: it can sign in again.")
        elif left.button("Disable", key="accounts_disable"):
            accounts.set_disabled(db, viewer, chosen, True)
            _done(f"Disabled {chosen}: it can no longer sign in, and its open sessions end at their "
                  "next click.")
        if middle.button("Reset password", key="accounts_reset"):
            password = accounts.reset_password(db, viewer, chosen)
            _done(f"Reset the password of {chosen}; any lockout has ended and its open sessions are "
                  "signed out.", password)
    except auth.AccountError as error:
        st.error(plain(f"Not changed: {error}."))

st.subheader("Backup")
st.caption(plain(f"Backups go to {accounts.backup_folder(db)} (rehab serve --backup-dir sets the folder)."))
if st.button("Take a backup now", key="accounts_take_backup"):
    try:
        taken = accounts.take_backup(db, viewer)
    except backup.BackupError as error:
        st.error(plain(f"No backup: {error}."))
    else:
        st.session_state[BACKUP_KEY] = str(taken.path)
if BACKUP_KEY in st.session_state:
    taken = backup.read_backup(st.session_state[BACKUP_KEY])
    rows = sum(taken.tables.values())
    st.success(plain(f"Took {taken.describe()}: {rows} rows in {len(taken.tables)} tables."))
    st.download_button(
        "Download the backup (zip)",
        data=_while_active(lambda: backup.zip_bytes(taken)),
        file_name=f"{taken.path.name}.zip",
        mime="application/zip",
        key="accounts_download_backup",
        on_click="ignore",
        icon=":material/download:",
    )
