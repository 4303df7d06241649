-- Returns: the weekly review of ISO week W (Monday $week_start): every visible patient with a programme day
--          in W up to $as_of, their adherence, reps, mean morning pain (and W-1's), flare days, the largest
--          24-hour response, the distinct alert rules dated in W and a red/amber/green risk.
--          Sorted red, amber, green, then patient_id.
-- Grain: one row per patient in the programme during W.
-- Parameters: $week_start (date, a Monday), $as_of (date), $clinician_scope (clinician name, or null for everyone)
with day_values as (
    select *
    from metric_day_values(
        $as_of::date, $clinician_scope::varchar, null, $week_start::date - 7, $week_start::date + 6
    )
),

-- Responses dated in W need only the Sunday before W for their loading day and morning before.
responses as (
    select
        patient_id,
        max(response)::double as max_response
    from metric_days(
        $as_of::date, $clinician_scope::varchar, null, $week_start::date - 1, $week_start::date + 6
    )
    where date >= $week_start
    group by patient_id
),

this_week as (
    select
        patient_id,
        any_value(name) as name,
        any_value(clinician) as clinician,
        metric_adherence_pct(sum(least(daily_reps, target)), any_value(target), count(*)) as adherence_pct,
        count(*) filter (where daily_reps >= target) as days_on_target,
        sum(daily_reps)::bigint as total_reps,
        avg(morning_pain::double) as mean_morning_pain
    from day_values
    where date >= $week_start
    group by patient_id
),

previous_week as (
    select
        patient_id,
        avg(morning_pain::double) as prev_mean_morning_pain
    from day_values
    where date < $week_start
    group by patient_id
),

events as (
    select *
    from metric_events(
        $as_of::date, $clinician_scope::varchar, null, $week_start::date, $week_start::date + 6
    )
),

event_summary as (
    select
        patient_id,
        count(*) filter (where rule = 'flare') as flare_days,
        list_sort(list(distinct rule)) as alerts
    from events
    group by patient_id
),

reviewed as (
    select
        this_week.patient_id,
        this_week.name,
        this_week.clinician,
        metric_iso_week($week_start) as week,
        this_week.adherence_pct,
        this_week.days_on_target,
        this_week.total_reps,
        this_week.mean_morning_pain,
        previous_week.prev_mean_morning_pain,
        coalesce(event_summary.flare_days, 0) as flare_days,
        responses.max_response,
        coalesce(event_summary.alerts, []::varchar[]) as alerts
    from this_week
    left join previous_week on previous_week.patient_id = this_week.patient_id
    left join event_summary on event_summary.patient_id = this_week.patient_id
    left join responses on responses.patient_id = this_week.patient_id
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
