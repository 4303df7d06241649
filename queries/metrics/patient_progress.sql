-- Returns: one patient's stage and ready-to-progress checklist for ISO week W (Monday $week_start) as of
--          $as_of (metric_progress): the day judged, the stage, its source and days in it, each criterion
--          met or not with its numbers, ready_to_progress (null without a programme) and next_stage. No row
--          when the patient had no programme day in W.
-- Grain: one row (at most).
-- Parameters: $patient_id (patient id), $week_start (date, a Monday), $as_of (date),
--             $clinician_scope (clinician name, or null for everyone)
with progress as (
    select *
    from metric_progress(
        $as_of::date, $clinician_scope::varchar, $patient_id::varchar, $week_start::date, $week_start::date
    )
),

final as (
    select
        patient_id,
        day,
        stage,
        stage_source,
        prescribed_rank,
        days_in_stage,
        stage_ok,
        mornings_logged,
        logging_ok,
        high_events_dated,
        high_event_active,
        calm_ok,
        adherence_14_pct,
        adherence_ok,
        mornings_settled,
        settled_ok,
        ready_to_progress,
        next_stage
    from progress
)

select * from final
