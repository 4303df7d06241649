-- Returns: nothing; creates the maintained weekly review rows again (0091's figures, with what the review
--          shows beside them: name, clinician, week label and risk order): metric_reviews of every patient for
--          each ISO week whose Sunday is on or before the store's horizon, refreshed with metric_day_store for
--          the patients each write touched (a write that changes a patient's name or clinician touches them).
--          A week reads only days up to its Sunday, so its rows are those of any as-of date from that Sunday
--          on; the review of a finished week reads them (weekly_review_stored), and a week still going on is
--          computed (weekly_review).
-- Grain: one row per patient per finished week in the programme.
-- Parameters: none
create table metric_week_store (
    patient_id varchar not null,
    name varchar,
    clinician varchar,
    week varchar not null,
    week_start date not null,
    adherence_pct double,
    days_on_target bigint,
    total_reps bigint,
    mean_morning_pain double,
    prev_mean_morning_pain double,
    flare_days bigint,
    max_response double,
    reference_pain double,
    reference_set boolean,
    target_reps bigint,
    stage varchar,
    stage_source varchar,
    days_in_stage bigint,
    ready_to_progress boolean,
    next_stage varchar,
    alerts varchar[] not null,
    risk varchar not null,
    risk_order tinyint not null
)
