-- Returns: a table macro giving each visible patient's programme days (start_date to discharged_on or as_of,
--          whichever is earlier) clipped to [day_from, day_to] (null = unbounded), with the settings in effect
--          that day (metric_settings), the day's rep target (the programme's prescribed reps for that weekday
--          when any programme item is in effect, so 0 on a rest day; else the daily_rep_target in effect),
--          the prescribed stage and its rank (the highest-ranked stage of the items in effect; null without
--          a programme), morning and evening pain (the highest score of that morning or
--          evening; null when none), daily reps (sum of sets x reps, 0 when none), the day's main stage,
--          whether it is a loading day (any exercise or activity entry) and the patient's last programme day.
--          The bottom layer of the metrics: no windows, cheap enough for weekly sums over a whole clinic.
-- Grain: one row per patient per programme day.
-- Parameters: none
create or replace macro metric_spine(as_of, clinician_scope, patient, day_from, day_to) as table
with programme as (
    select
        patient_id,
        start_date,
        least(coalesce(discharged_on, as_of), as_of) as last_day,
        greatest(start_date, coalesce(day_from, start_date)) as first_day,
        least(coalesce(discharged_on, as_of), as_of, coalesce(day_to, as_of)) as clipped_last_day
    from metric_visible_patients(clinician_scope, patient)
),

days as (
    select
        programme.patient_id,
        programme.start_date,
        programme.first_day,
        programme.last_day,
        cast(unnest(range(programme.first_day, programme.clipped_last_day + 1, interval 1 day)) as date) as date
    from programme
    where programme.first_day <= programme.clipped_last_day
),

pain as (
    select
        patient_id,
        date,
        max(pain) filter (where time_of_day = 'morning') as morning_pain,
        max(pain) filter (where time_of_day = 'evening') as evening_pain
    from pain_entries
    where date <= as_of
        and (day_from is null or date >= day_from)
        and (day_to is null or date <= day_to)
        and (patient is null or patient_id = patient)
    group by patient_id, date
),

exercise_stages as (
    select
        patient_id,
        date,
        stage,
        sum(sets * reps) as reps
    from exercise_entries
    where date <= as_of
        and (day_from is null or date >= day_from)
        and (day_to is null or date <= day_to)
        and (patient is null or patient_id = patient)
    group by patient_id, date, stage
),

exercise as (
    select
        patient_id,
        date,
        sum(reps) as reps,
        -- The day's main stage has the most reps; a tie goes to the stage earlier in the programme.
        arg_max(stage, reps * 100 - list_position(stage_names(), stage)) filter (where stage is not null) as stage
    from exercise_stages
    group by patient_id, date
),

-- The items in effect each day: the day's prescribed reps are those of the items done on its weekday.
prescribed as (
    select
        days.patient_id,
        days.date,
        coalesce(sum(items.prescribed_reps) filter (where list_contains(items.weekdays, isodow(days.date))), 0)
            as prescribed_reps,
        max(items.rank) as prescribed_rank,
        -- Of two stages of the same rank, the earlier in rehab order names the day (isotonic before HSR).
        arg_max(items.stage, coalesce(items.rank, 0) * 100 - items.stage_position) as prescribed_stage
    from days
    inner join metric_programme(clinician_scope, patient) as items
        on items.patient_id = days.patient_id
        and days.date >= items.effective_from
        and (items.valid_until is null or days.date < items.valid_until)
    group by days.patient_id, days.date
),

activity as (
    select distinct
        patient_id,
        date
    from activity_entries
    where date <= as_of
        and (day_from is null or date >= day_from)
        and (day_to is null or date <= day_to)
        and (patient is null or patient_id = patient)
),

joined as (
    select
        days.patient_id,
        days.start_date,
        days.first_day,
        days.last_day,
        days.date,
        case when prescribed.patient_id is not null then prescribed.prescribed_reps else settings.target end
            as target,
        prescribed.patient_id is not null as on_programme,
        prescribed.prescribed_stage,
        prescribed.prescribed_rank,
        settings.pain_ceiling,
        settings.flare_threshold,
        settings.acceptable_pain,
        pain.morning_pain,
        pain.evening_pain,
        coalesce(exercise.reps, 0)::bigint as daily_reps,
        exercise.stage,
        (exercise.patient_id is not null or activity.patient_id is not null) as loading_day
    from days
    inner join metric_settings(clinician_scope, patient) as settings
        on settings.patient_id = days.patient_id
        and days.date >= settings.effective_from
        and (settings.valid_until is null or days.date < settings.valid_until)
    left join prescribed on prescribed.patient_id = days.patient_id and prescribed.date = days.date
    left join pain on pain.patient_id = days.patient_id and pain.date = days.date
    left join exercise on exercise.patient_id = days.patient_id and exercise.date = days.date
    left join activity on activity.patient_id = days.patient_id and activity.date = days.date
),

final as (
    select * from joined
)

select * from final
