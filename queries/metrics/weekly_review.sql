-- Returns: the weekly review of ISO week W (Monday $week_start): every visible patient with a programme day
--          in W up to $as_of, their adherence (each day against the target in effect that day, rest days
--          left out), reps and the week's summed target, the stage they are in and whether they are ready
--          to progress (metric_progress), mean
--          morning pain (and W-1's), flare days (flares dated in W), the largest 24-hour response, the
--          reference morning level on W's last programme day (reference_set: the clinician set it), the alert rules active in W and a
--          red/amber/green risk. A rule is active in W when one of its events is dated on or before W's last
--          counted day (its Sunday, or $as_of when earlier) and its run lasts until W's Monday or later, so a
--          run that goes on counts in every week it covers. Sorted red, amber, green, then patient_id.
-- Grain: one row per patient in the programme during W.
-- Parameters: $week_start (date, a Monday), $as_of (date), $clinician_scope (clinician name, or null for everyone)
with days as (
    select *
    from metric_stored_days($as_of::date, $clinician_scope::varchar, null, $week_start::date - 14, null)
),

this_week as (
    select
        patient_id,
        -- The week so far on its last day up to the as-of date (metric_days); rest days (a programme's target
        -- of 0) are left out of adherence, and a week of rest days has none.
        arg_max({'value': week_adherence_pct}, date).value as adherence_pct,
        arg_max(week_days_on_target, date) as days_on_target,
        sum(daily_reps)::bigint as total_reps,
        sum(target)::bigint as target_reps,
        avg(morning_pain::double) as mean_morning_pain,
        max(response)::double as max_response,
        count(*) filter (where response_status = 'flare') as flare_days,
        -- A struct keeps an unknown reference on the last day as unknown instead of skipping to an earlier day.
        arg_max({'value': reference_pain}, date).value::double as reference_pain,
        arg_max(acceptable_pain, date) is not null as reference_set
    from days
    where date between $week_start and $week_start::date + 6
    group by patient_id
),

previous_week as (
    select
        patient_id,
        avg(morning_pain::double) as prev_mean_morning_pain
    from days
    where date between $week_start::date - 7 and $week_start::date - 1
    group by patient_id
),

active as (
    select
        events.patient_id,
        list_sort(list(distinct events.rule))::varchar[] as alerts,
        bool_or(rules.risk = 'red') as any_red,
        bool_or(rules.risk = 'amber') as any_amber
    -- Rules, dates and until are exact as stored (only a going run's detail is not, and it is not read).
    from metric_stored_events($as_of::date, $clinician_scope::varchar, null) as events
    inner join metric_rules() as rules on rules.rule = events.rule
    where events.date <= least($week_start::date + 6, $as_of::date)
        and events.until >= $week_start::date
    group by events.patient_id
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
        this_week.reference_pain,
        this_week.reference_set,
        this_week.target_reps,
        progress.stage,
        progress.stage_source,
        progress.days_in_stage,
        progress.ready_to_progress,
        progress.next_stage,
        coalesce(active.alerts, []::varchar[]) as alerts,
        case
            when active.any_red then 'red'
            when active.any_amber then 'amber'
            else 'green'
        end as risk
    from this_week
    -- Names are joined to the review rows, not carried through the spine's windows.
    inner join patients on patients.patient_id = this_week.patient_id
    left join previous_week on previous_week.patient_id = this_week.patient_id
    left join active on active.patient_id = this_week.patient_id
    left join metric_progress($as_of::date, $clinician_scope::varchar, null, $week_start::date) as progress
        on progress.patient_id = this_week.patient_id
),

final as (
    select *
    from reviewed
    order by
        case risk when 'red' then 0 when 'amber' then 1 else 2 end,
        patient_id
)

select * from final
