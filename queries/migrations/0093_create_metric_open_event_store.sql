-- Returns: nothing; creates the maintained events of the runs going on on each day: metric_event_days over
--          each patient's whole programme as of the store's horizon, refreshed with metric_day_store for the
--          patients each write touched. A row is an event as it stands on a day `seen` of its run (until =
--          seen, its detail saying ongoing), which is metric_events' row as of that day, because every window
--          looks back only. With metric_event_store (0090: each run ended before an as-of date is its row
--          there), the events as of any as-of date up to the horizon are read, never computed
--          (metric_stored_events).
-- Grain: one row per event per day of its run from its date on, up to the horizon.
-- Parameters: none
create table metric_open_event_store (
    seen date not null,
    patient_id varchar not null,
    rule varchar not null,
    date date not null,
    run_from date not null,
    severity varchar not null,
    detail varchar
)
