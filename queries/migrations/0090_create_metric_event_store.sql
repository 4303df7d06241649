-- Returns: nothing; creates the maintained alert events: metric_events over each patient's whole programme
--          as of the store's horizon, refreshed with metric_day_store for the patients each write touched. An
--          event is dated on its own day and looks back only, so its date, rule and severity are those of any
--          as-of date on or after that day; its until is the horizon's run end, which an earlier as-of date
--          cuts to itself, and its detail is exact when its run ended before the as-of date
--          (metric_stored_events; alert_events computes the runs still going on the as-of date).
-- Grain: one row per event up to the horizon.
-- Parameters: none
create table metric_event_store (
    patient_id varchar not null,
    rule varchar not null,
    date date not null,
    run_from date not null,
    until date not null,
    severity varchar not null,
    detail varchar
)
