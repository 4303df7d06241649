-- Returns: nothing; creates the patients whose maintained days wait to be computed again: a write records
--          them in its own transaction, and the refresh that follows (or, after a crash between the two, the
--          next read) computes their days and clears them, so the store is never silently behind its data.
-- Grain: one row per patient touched since the last refresh (duplicates allowed).
-- Parameters: none
create table metric_store_pending (
    patient_id varchar not null
)
