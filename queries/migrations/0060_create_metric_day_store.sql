-- Returns: nothing; creates the maintained per-patient-per-day metrics: metric_days over each patient's whole
--          programme up to the store's horizon (metric_store_state), without last_day (it depends on the as-of
--          date). Every window in metric_days looks back only, so a stored day is the day any as-of date on or
--          after it computes. Each write refreshes the rows of the patients it touched, in its own transaction
--          (dashboard/metric_store.py); the review, the alerts and the patient page read these rows through
--          metric_stored_days instead of recomputing the windows.
-- Grain: one row per patient per programme day up to the horizon.
-- Parameters: none
create table metric_day_store (
    patient_id varchar not null,
    start_date date not null,
    date date not null,
    target hugeint,
    on_programme boolean,
    prescribed_stage varchar,
    prescribed_rank integer,
    pain_ceiling decimal(3, 1),
    flare_threshold decimal(3, 1),
    acceptable_pain decimal(3, 1),
    usual_pain decimal(5, 2),
    reference_pain decimal(5, 2),
    morning_pain decimal(3, 1),
    evening_pain decimal(3, 1),
    daily_reps bigint,
    stage varchar,
    loading_day boolean,
    prev_morning decimal(3, 1),
    response decimal(4, 1),
    response_status varchar,
    settled_36h boolean,
    acute_reps hugeint,
    chronic_reps hugeint,
    acute_chronic_ratio double,
    load_spike boolean,
    above_ceiling boolean,
    missing_morning boolean,
    rises boolean,
    rising_island date,
    ceiling_island date,
    spike_island date,
    missing_island date,
    logged_stage varchar,
    logged_run_from date,
    week_first_day date,
    week_on_programme boolean,
    week_training_days bigint,
    week_days_on_target bigint,
    week_lowest_target hugeint,
    week_highest_target hugeint,
    week_adherence_pct double,
    week_last_day boolean
)
