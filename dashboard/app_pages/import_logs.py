"""Import logs: upload CSV/XLSX, read the validation report of a dry run, then confirm the write."""

from __future__ import annotations

import hashlib

import streamlit as st

from dashboard.app import current_viewer, data_changed, database
from dashboard.app_pages._text import plain
from dashboard.importer import import_sources
from dashboard.logformats import FORMATS

viewer = current_viewer()
st.title("Import logs")
if viewer.role != "admin":
    # The navigation hides this page from clinicians; this guards a direct run all the same.
    st.error("Only an admin can import: an import may touch any clinician's patients.")
    st.stop()
st.caption(
    "Upload patients, pain, exercise or activity logs (CSV or XLSX). Every file is checked first and "
    "nothing is written until you confirm. A file with any bad line is refused whole."
)
with st.expander("Expected columns (* = required)"):
    st.markdown("\n".join(f"- **{fmt.kind}**: {fmt.describe()}" for fmt in FORMATS.values()))

st.session_state.setdefault("upload_round", 0)
if "import_done" in st.session_state:
    done_ok, done_report = st.session_state.pop("import_done")
    (st.success if done_ok else st.error)(
        "Imported." if done_ok else "Some files were refused; nothing from them was written."
    )
    st.code(done_report, language=None)

uploads = st.file_uploader(
    "Log files",
    type=["csv", "xlsx"],
    accept_multiple_files=True,
    key=f"uploads_{st.session_state.upload_round}",
)
replace = st.checkbox(
    "Replace pain scores and patient details that differ from stored ones (old values are kept in history)",
    key="import_replace",
)
if not uploads:
    st.stop()

sources = [(upload.name, upload.getvalue()) for upload in uploads]
fingerprint = hashlib.sha256(
    b"".join(name.encode() + hashlib.sha256(data).digest() for name, data in sources)
)
checked = import_sources(database(), sources, dry_run=True, replace=replace, actor=viewer.username)

accepted = [outcome for outcome in checked.files if outcome.accepted]
refused = [outcome for outcome in checked.files if not outcome.accepted]
st.subheader("Check (nothing written yet)")
if refused:
    st.error(
        f"{len(refused)} of {len(checked.files)} file{'s' if len(checked.files) != 1 else ''} refused: "
        + plain(", ".join(outcome.name for outcome in refused))
        + ". Fix the lines below and upload again; a refused file writes nothing."
    )
else:
    st.success(f"All {len(accepted)} file{'s' if len(accepted) != 1 else ''} passed the checks.")
st.code(checked.report(), language=None)

if not accepted:
    st.stop()
label = f"Import {len(accepted)} accepted file{'s' if len(accepted) != 1 else ''}"
if refused:
    label += f" (the {len(refused)} refused will not be written)"
if st.button(label, type="primary", key=f"confirm_{fingerprint.hexdigest()[:16]}"):
    result = import_sources(database(), sources, replace=replace, actor=viewer.username)
    data_changed()
    st.session_state.import_done = (result.ok, result.report())
    # A new uploader key empties it, so the same files are not offered for import twice.
    st.session_state.upload_round += 1
    st.rerun()
