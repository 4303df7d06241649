-- Returns: a table macro giving the metric spine: each visible patient's programme days (start_date to
--          discharged_on or as_of, whichever is earlier) clipped to [day_from, day_to] (null = unbounded),
--          with morning and evening pain (highest score that day), daily reps, the loading flag, the
--          24-hour response dated on the morning it is observed (d+1), rising streaks, pain above the
--          ceiling, missing mornings and the coupled acute:chronic ratio of daily reps.
--          Windows see only the clipped range: a caller reporting events from day a passes day_from = a - 28
--          (the ratio needs 27 days before, and a run or streak starting earlier is then dated before a);
--          flags of whole streaks need a - 101 (a strict rise in 0.1 steps over 0..10 spans at most 101
--          mornings). The ratio is null on the first 27 days of the clipped range, so a too-short range gives
--          nulls, never wrong ratios.
-- Grain: one row per patient per programme day.
-- Parameters: none
create or replace macro metric_spine(as_of, clinician_scope, patient, day_from, day_to) as table
with programme as (
    select
        patient_id,
        name,
        clinician,
        start_date,
        daily_rep_target as target,
        pain_ceiling,
        flare_threshold,
        greatest(start_date, coalesce(day_from, start_date)) as first_day,
        least(coalesce(discharged_on, as_of), as_of, coalesce(day_to, as_of)) as last_day
    from patients
    where (clinician_scope is null or clinician = clinician_scope)
        and (patient is null or patient_id = patient)
),

days as (
    select
        programme.*,
        cast(unnest(range(programme.first_day, programme.last_day + 1, interval 1 day)) as date) as date
    from programme
    where programme.first_day <= programme.last_day
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
        days.name,
        days.clinician,
        days.start_date,
        days.first_day,
        days.target,
        days.pain_ceiling,
        days.flare_threshold,
        days.date,
        pain.morning_pain,
        pain.evening_pain,
        coalesce(exercise.reps, 0)::bigint as daily_reps,
        exercise.stage,
        (exercise.patient_id is not null or activity.patient_id is not null) as loading_day
    from days
    left join pain on pain.patient_id = days.patient_id and pain.date = days.date
    left join exercise on exercise.patient_id = days.patient_id and exercise.date = days.date
    left join activity on activity.patient_id = days.patient_id and activity.date = days.date
),

-- Programme days are consecutive, so the previous row is the previous calendar day.
neighbours as (
    select
        *,
        lag(morning_pain) over by_day as prev_morning,
        coalesce(lag(loading_day) over by_day, false) as prev_loading,
        sum(daily_reps) over (
            partition by patient_id order by date range between interval 6 day preceding and current row
        ) as acute_reps,
        sum(daily_reps) over (
            partition by patient_id order by date range between interval 27 day preceding and current row
        ) as chronic_reps
    from joined
    window by_day as (partition by patient_id order by date)
),

flags as (
    select
        *,
        case
            when prev_loading and prev_morning is not null and morning_pain is not null
                then morning_pain - prev_morning
        end as response,
        coalesce(morning_pain > prev_morning, false) as rises,
        coalesce(morning_pain > pain_ceiling, false) as above_ceiling,
        morning_pain is null as missing_morning,
        date - start_date >= 27 and date - first_day >= 27 as ratio_ready
    from neighbours
),

rated as (
    select
        *,
        case
            when response <= 0 then 'settled'
            when response < flare_threshold then 'elevated'
            when response >= flare_threshold then 'flare'
        end as response_status,
        case when response > 0 and evening_pain is not null then evening_pain <= prev_morning end as settled_36h,
        case when ratio_ready and chronic_reps > 0 then acute_reps / (chronic_reps / 4.0) end
            as acute_chronic_ratio,
        -- Exact form of acute / (chronic / 4) > 1.5, free of floating-point rounding.
        coalesce(ratio_ready and chronic_reps > 0 and 8 * acute_reps > 3 * chronic_reps, false) as load_spike,
        -- Islands: each id counts the rows that break a run, so a run's rows share the id of the row before it
        -- (or, for streaks, of its first morning).
        sum(case when rises then 0 else 1 end) over running as streak_id,
        sum(case when above_ceiling then 0 else 1 end) over running as ceiling_run_id,
        sum(case when missing_morning then 0 else 1 end) over running as gap_id
    from flags
    window running as (partition by patient_id order by date rows between unbounded preceding and current row)
),

streaks as (
    select
        *,
        count(*) over streak as streak_mornings,
        first_value(morning_pain) over streak as streak_first,
        last_value(morning_pain) over streak as streak_last,
        sum(case when load_spike then 0 else 1 end) over running as spike_run_id
    from rated
    window
        streak as (
            partition by patient_id, streak_id order by date rows between unbounded preceding and unbounded following
        ),
        running as (partition by patient_id order by date rows between unbounded preceding and current row)
),

final as (
    select
        patient_id,
        name,
        clinician,
        start_date,
        target,
        pain_ceiling,
        flare_threshold,
        date,
        morning_pain,
        evening_pain,
        daily_reps,
        stage,
        loading_day,
        prev_morning,
        response,
        response_status,
        settled_36h,
        acute_reps,
        chronic_reps,
        acute_chronic_ratio,
        load_spike,
        above_ceiling,
        missing_morning,
        streak_id,
        streak_mornings,
        streak_mornings >= 3 and streak_last - streak_first >= flare_threshold as in_rising_streak,
        ceiling_run_id,
        gap_id,
        spike_run_id
    from streaks
)

select * from final
