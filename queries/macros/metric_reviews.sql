-- Returns: a table macro giving the weekly review's figures of every visible patient for each ISO week W
--          (week_start, its Monday) from first_week to last_week in which they have a programme day up to
--          as_of: their adherence (each day against the target in effect that day, rest days left out), reps
--          and the week's summed target, the stage they are in and whether they are ready to progress
--          (metric_progress), mean morning pain (and W-1's), flare days (flares dated in W), the largest
--          24-hour response, the reference morning level on W's last programme day (reference_set: the
--          clinician set it), the alert rules active in W and a red/amber/green risk. A rule is active in W
--          when one of its events is dated on or before W's last counted day (its Sunday, or as_of when
--          earlier) and its run lasts until W's Monday or later, so a run that goes on counts in every week it
--          covers. Each week reads only days up to its Sunday, so a week whose Sunday is on or before as_of
--          has the figures of any later as-of date (metric_week_store keeps those). Each row carries what the
--          review shows beside the figures (the patient's name and clinician, the week's ISO label) and
--          risk_order, the review's order within a week with patient_id (red, amber, green). Optionally only
--          the patients whose ids are in [first_patient, last_patient] (a refresh's range).
-- Grain: one row per patient per week in the programme.
-- Parameters: none
create or replace macro metric_reviews(
    as_of, clinician_scope, patient, first_week, last_week, first_patient := null, last_patient := null
) as table
with days as (
    select
        *,
        date_trunc('week', date)::date as week_start
    from metric_stored_days(
        as_of, clinician_scope, patient, first_week - 7, last_week + 6, first_patient := first_patient,
        last_patient := last_patient
    )
),

weeks as (
    select
        patient_id,
        week_start,
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
    group by patient_id, week_start
),

-- An event is active in the weeks from its date's to its until's (until is cut to as_of).
active as (
    select
        events.patient_id,
        events.week_start,
        list_sort(list(distinct events.rule))::varchar[] as alerts,
        bool_or(rules.risk = 'red') as any_red,
        bool_or(rules.risk = 'amber') as any_amber
    from (
        select
            *,
            unnest(generate_series(
                greatest(date_trunc('week', date)::date, first_week),
                least(date_trunc('week', until)::date, last_week),
                interval 7 day
            ))::date as week_start
        -- Rules, dates and until are exact as stored (only a going run's detail is not, and it is not read).
        from metric_stored_events(as_of, clinician_scope, patient)
    ) as events
    inner join metric_rules() as rules on rules.rule = events.rule
    group by events.patient_id, events.week_start
),

reviewed as (
    select
        this_week.patient_id,
        patients.name,
        patients.clinician,
        metric_iso_week(this_week.week_start) as week,
        this_week.week_start,
        this_week.adherence_pct,
        this_week.days_on_target,
        this_week.total_reps,
        this_week.mean_morning_pain,
        previous_week.mean_morning_pain as prev_mean_morning_pain,
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
        end as risk,
        case
            when active.any_red then 0
            when active.any_amber then 1
            else 2
        end::tinyint as risk_order
    from weeks as this_week
    -- Names are joined to the week rows, not carried through the spine's windows.
    inner join patients on patients.patient_id = this_week.patient_id
    left join weeks as previous_week
        on previous_week.patient_id = this_week.patient_id
        and previous_week.week_start = this_week.week_start - 7
    left join active on active.patient_id = this_week.patient_id and active.week_start = this_week.week_start
    left join metric_progress(
        as_of, clinician_scope, patient, first_week, last_week, first_patient := first_patient,
        last_patient := last_patient
    ) as progress
        on progress.patient_id = this_week.patient_id and progress.week_start = this_week.week_start
    where this_week.week_start between first_week and last_week
)

select * from reviewed
