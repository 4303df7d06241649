-- Returns: a table macro giving metric_day_values (programme days clipped to [day_from, day_to] up to as_of,
--          with morning and evening pain, daily reps, stage and the loading flag) plus the 24-hour response
--          dated on the morning it is observed (d+1), the coupled acute:chronic ratio of daily reps, and the
--          day flags that runs are made of: rises, above_ceiling, missing_morning, load_spike.
--          Windows see only the clipped range: a caller reporting events from day a passes day_from = a - 28
--          (the ratio needs 27 days before, and a run or streak starting earlier is then dated before a);
--          whole-streak flags need a - 101 (a strict rise in 0.1 steps over 0..10 spans at most 101
--          mornings). The ratio is null on the first 27 days of the clipped range, so a too-short range gives
--          nulls, never wrong ratios. Programme days are consecutive, so row frames are day frames.
-- Grain: one row per patient per programme day.
-- Parameters: none
create or replace macro metric_days(as_of, clinician_scope, patient, day_from, day_to) as table
with joined as (
    select * from metric_day_values(as_of, clinician_scope, patient, day_from, day_to)
),

-- Programme days are consecutive, so the previous row is the previous calendar day.
neighbours as (
    select
        *,
        lag(morning_pain) over by_day as prev_morning,
        coalesce(lag(loading_day) over by_day, false) as prev_loading,
        sum(daily_reps) over (by_day rows between 6 preceding and current row) as acute_reps,
        sum(daily_reps) over (by_day rows between 27 preceding and current row) as chronic_reps
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
        coalesce(ratio_ready and chronic_reps > 0 and 8 * acute_reps > 3 * chronic_reps, false) as load_spike
    from flags
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
        rises
    from rated
)

select * from final
