-- Returns: the weekly review of ISO week W (Monday $week_start): every visible patient with a programme day
--          in W up to $as_of, their adherence, reps, mean morning pain (and W-1's), flare days, the largest
--          24-hour response, the distinct alert rules dated in W and a red/amber/green risk.
--          Sorted red, amber, green, then patient_id.
-- Grain: one row per patient in the programme during W.
-- Parameters: $week_start (date, a Monday), $as_of (date), $clinician_scope (clinician name, or null for everyone)

-- One spine, W - 28 to as_of (the range metric_events uses for events dated in W), gives both the figures
-- (W - 1 and W) and the alerts. The review needs only which rules fired in W, not their detail sentences, so
-- the runs below keep metric_events' rules (islands, dating, thresholds) without building text; the rule and
-- differential tests compare this review with alert_events and the oracle.
with spine as (
    select *
    from metric_days($as_of::date, $clinician_scope::varchar, null, $week_start::date - 28, null)
),

this_week as (
    select
        patient_id,
        metric_adherence_pct(sum(least(daily_reps, target)), any_value(target), count(*)) as adherence_pct,
        count(*) filter (where daily_reps >= target) as days_on_target,
        sum(daily_reps)::bigint as total_reps,
        avg(morning_pain::double) as mean_morning_pain,
        max(response)::double as max_response,
        count(*) filter (where response_status = 'flare') as flare_days
    from spine
    where date between $week_start and $week_start::date + 6
    group by patient_id
),

previous_week as (
    select
        patient_id,
        avg(morning_pain::double) as prev_mean_morning_pain
    from spine
    where date between $week_start::date - 7 and $week_start::date - 1
    group by patient_id
),

-- Runs are gaps and islands: flagged days on consecutive dates share date - row number.
rising_streak as (
    select distinct patient_id
    from (
        select
            *,
            date - cast(row_number() over (partition by patient_id order by date) as integer) as island
        from spine
        where rises
    )
    group by patient_id, island
    having count(*) >= 2 and max(morning_pain) - arg_min(prev_morning, date) >= any_value(flare_threshold)
        and min(date) + 1 between $week_start and $week_start::date + 6
),

pain_above_ceiling as (
    select distinct patient_id
    from (
        select
            *,
            date - cast(row_number() over (partition by patient_id order by date) as integer) as island
        from spine
        where above_ceiling
    )
    group by patient_id, island
    having min(date) between $week_start and $week_start::date + 6
),

load_spike as (
    select distinct patient_id
    from (
        select
            *,
            date - cast(row_number() over (partition by patient_id order by date) as integer) as island
        from spine
        where load_spike
    )
    group by patient_id, island
    having min(date) between $week_start and $week_start::date + 6
),

not_logging as (
    select distinct patient_id
    from (
        select
            *,
            date - cast(row_number() over (partition by patient_id order by date) as integer) as island
        from spine
        where missing_morning
    )
    group by patient_id, island
    having count(*) >= 3 and min(date) + 2 between $week_start and $week_start::date + 6
),

reviewed as (
    select
        this_week.patient_id,
        patients.name,
        patients.clinician,
        metric_iso_week($week_start) as week,
        this_week.adherence_pct,
        this_week.days_on_target,
        this_week.total_reps,
        this_week.mean_morning_pain,
        previous_week.prev_mean_morning_pain,
        this_week.flare_days,
        this_week.max_response,
        -- Alphabetical, as list_sort gives it; low_adherence is W's own adherence, judged once W is finished.
        list_filter(
            [
                case when this_week.flare_days > 0 then 'flare' end,
                case when load_spike.patient_id is not null then 'load_spike' end,
                case
                    when $week_start::date + 6 <= $as_of and this_week.adherence_pct < 50 then 'low_adherence'
                end,
                case when not_logging.patient_id is not null then 'not_logging' end,
                case when pain_above_ceiling.patient_id is not null then 'pain_above_ceiling' end,
                case when rising_streak.patient_id is not null then 'rising_streak' end
            ],
            lambda rule: rule is not null
        )::varchar[] as alerts
    from this_week
    -- Names are joined to the 10,000-odd review rows, not carried through the spine's window.
    inner join patients on patients.patient_id = this_week.patient_id
    left join previous_week on previous_week.patient_id = this_week.patient_id
    left join rising_streak on rising_streak.patient_id = this_week.patient_id
    left join pain_above_ceiling on pain_above_ceiling.patient_id = this_week.patient_id
    left join load_spike on load_spike.patient_id = this_week.patient_id
    left join not_logging on not_logging.patient_id = this_week.patient_id
),

final as (
    select
        *,
        case
            when list_has_any(alerts, ['rising_streak', 'flare', 'pain_above_ceiling']) then 'red'
            when list_has_any(alerts, ['low_adherence', 'load_spike', 'not_logging']) then 'amber'
            else 'green'
        end as risk
    from reviewed
    order by
        case risk when 'red' then 0 when 'amber' then 1 else 2 end,
        patient_id
)

select * from final
