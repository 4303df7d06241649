-- Returns: a table macro giving metric_spine (programme days clipped to [day_from, day_to] up to as_of, with
--          the settings in effect, pain, reps, stage and the loading flag) plus the patient's usual morning
--          pain U(d) (the median of the logged mornings of d-14 .. d-1, known with at least 4 of them), the
--          reference level (acceptable_pain in effect, else U), the 24-hour response dated on the morning it
--          is observed (d+1) and its status (flare when that morning is painful by the rise, settled when
--          the rise is 0 or less, elevated otherwise), the coupled acute:chronic ratio of daily reps, and the
--          day flags that runs are made of (rises, above_ceiling, missing_morning, load_spike), each with the
--          key of its run of consecutive flagged days (rising_island …; null on an unflagged day); and the
--          latest logged stage up to the day with the first day of its run of same-rank logged days; and the
--          ISO week so far (week_adherence_pct and its parts; week_last_day marks the week's last row).
--          Windows see only the clipped range: a caller wanting correct values from day a passes
--          day_from = a - 28 (the ratio needs 27 days before and U 14). The maintained store
--          (metric_stored_days) is computed over the whole programme, so its days are exact on any date.
--          The ratio is null on the first 27 days of the clipped range and U on days with fewer than 4
--          logged mornings before them, so a too-short range gives nulls, never wrong values.
--          Programme days are consecutive, so row frames are day frames.
-- Grain: one row per patient per programme day.
-- Parameters: none
create or replace macro metric_days(as_of, clinician_scope, patient, day_from, day_to) as table
with spine as (
    select
        spine.*,
        stages.rank as stage_rank
    from metric_spine(as_of, clinician_scope, patient, day_from, day_to) as spine
    left join metric_stages() as stages on stages.stage = spine.stage
),

-- Programme days are consecutive, so the previous row is the previous calendar day.
neighbours as (
    select
        *,
        lag(morning_pain) over by_day as prev_morning,
        coalesce(lag(loading_day) over by_day, false) as prev_loading,
        -- Scale 2 holds the mean of two middle tenths exactly; DuckDB's median keeps the input's scale.
        median(morning_pain::decimal(5, 2)) over usual_window as usual_median,
        count(morning_pain) over usual_window as usual_mornings,
        sum(daily_reps) over (by_day rows between 6 preceding and current row) as acute_reps,
        sum(daily_reps) over (by_day rows between 27 preceding and current row) as chronic_reps,
        -- The rank of the last day before this one with a logged stage (a struct: 'other' has no rank).
        last_value(case when stage is not null then {'rank': stage_rank} end ignore nulls)
            over (by_day rows between unbounded preceding and 1 preceding) as prev_logged,
        -- The ISO week so far: programme days are consecutive, so it is the rows back to its Monday (or the
        -- first day read), in the same sort as the other windows.
        min(date) over week_so_far as week_first_day,
        bool_or(on_programme) over week_so_far as week_on_programme,
        count(*) filter (where target > 0) over week_so_far as week_training_days,
        count(*) filter (where target > 0 and daily_reps >= target) over week_so_far as week_days_on_target,
        min(target) filter (where target > 0) over week_so_far as week_lowest_target,
        max(target) filter (where target > 0) over week_so_far as week_highest_target,
        metric_adherence_pct(
            list({'reps': daily_reps, 'target': target}) filter (where target > 0) over week_so_far,
            sum(least(daily_reps, target)) filter (where target > 0) over week_so_far,
            min(target) filter (where target > 0) over week_so_far,
            max(target) filter (where target > 0) over week_so_far
        ) as week_adherence_pct,
        isodow(date) = 7 or lead(date) over by_day is null as week_last_day
    from spine
    window
        by_day as (partition by patient_id order by date),
        usual_window as (partition by patient_id order by date rows between 14 preceding and 1 preceding),
        week_so_far as (
            partition by patient_id order by date rows between isodow(date) - 1 preceding and current row
        )
),

flags as (
    select
        *,
        case when usual_mornings >= 4 then usual_median end as usual_pain,
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

referenced as (
    select
        *,
        coalesce(acceptable_pain::decimal(5, 2), usual_pain) as reference_pain
    from flags
),

rated as (
    select
        *,
        case
            when metric_painful(morning_pain, response, flare_threshold, reference_pain) then 'flare'
            when response <= 0 then 'settled'
            when response > 0 then 'elevated'
        end as response_status,
        case when response > 0 and evening_pain is not null then evening_pain <= prev_morning end as settled_36h,
        case when ratio_ready and chronic_reps > 0 then acute_reps / (chronic_reps / 4.0) end
            as acute_chronic_ratio,
        -- Exact form of acute / (chronic / 4) > 1.5, free of floating-point rounding.
        coalesce(ratio_ready and chronic_reps > 0 and 8 * acute_reps > 3 * chronic_reps, false) as load_spike
    from referenced
),

-- Runs are gaps and islands: flagged days on consecutive dates share date minus the count of flagged days
-- so far, whatever range the count starts from. Computed here once, so the stored days carry their runs.
islands as (
    select
        *,
        case when rises then date - (sum(rises::integer) over running)::integer end as rising_island,
        case when above_ceiling then date - (sum(above_ceiling::integer) over running)::integer end
            as ceiling_island,
        case when load_spike then date - (sum(load_spike::integer) over running)::integer end as spike_island,
        case when missing_morning then date - (sum(missing_morning::integer) over running)::integer end
            as missing_island,
        -- The latest logged stage up to this day, and the first day of its run: the logged days since the
        -- last one of another rank (days without a logged stage do not break it).
        last_value(stage ignore nulls) over running as logged_stage,
        last_value(
            case when stage is not null and (prev_logged is null or prev_logged.rank is distinct from stage_rank)
                then date end ignore nulls
        ) over running as logged_run_from
    from rated
    window running as (partition by patient_id order by date rows between unbounded preceding and current row)
),

final as (
    select
        patient_id,
        start_date,
        last_day,
        date,
        target,
        on_programme,
        prescribed_stage,
        prescribed_rank,
        pain_ceiling,
        flare_threshold,
        acceptable_pain,
        usual_pain,
        reference_pain,
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
        rises,
        rising_island,
        ceiling_island,
        spike_island,
        missing_island,
        logged_stage,
        logged_run_from,
        week_first_day,
        week_on_programme,
        week_training_days,
        week_days_on_target,
        week_lowest_target,
        week_highest_target,
        week_adherence_pct,
        week_last_day
    from islands
)

select * from final
