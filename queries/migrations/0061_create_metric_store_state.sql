-- Returns: nothing; creates the one-row state of the maintained metrics: the horizon, the last day the stored
--          days reach (null until the store is first filled, right after this migration), and whether every
--          patient's days wait to be computed again (a write that touched the whole clinic).
-- Grain: one row.
-- Parameters: none
create table metric_store_state (
    horizon date,
    everyone_pending boolean not null default false
)
