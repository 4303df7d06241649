-- Returns: a table macro giving the alert events of visible patients as each stands on every day of its run,
--          computed from data up to as_of. This is the one definition of every rule; metric_events (the events
--          as of as_of) and the maintained metric_open_event_store both read it, and through them the alert
--          listing, the weekly review and the reports.
--            rising_streak (high): a run of mornings each strictly above the one before; dated on the first
--              morning from the run's third that is painful by its rise over the run's first morning; until
--              the run's last rising morning. At most one per run.
--            flare (high): a 24-hour response whose morning is painful by the rise (metric_days); until = date.
--            pain_above_ceiling (high): a run of mornings above the ceiling in effect; dated on its first day.
--            load_spike (medium): a run of days with acute:chronic reps above 1.5; dated on its first day.
--            not_logging (medium): a run of 3 or more programme days without a morning score; dated on its
--              third day.
--            low_adherence (medium): a finished week (Sunday on or before as_of) whose adherence, each day
--              against the target in effect that day and rest days (target 0) left out, is below 50 %;
--              dated on its Sunday; until = date. A week of rest days only has no adherence.
--          Each row is an event on a day `seen` from its date to run_until, the last day of its run up to
--          as_of (runs end at a missing morning): the event as it stands on that day, which is the event
--          metric_events gives as of `seen`, because every figure is of the run's days up to `seen` and the
--          stored days look back only. run_from is the first day the event covers (a rising run's first
--          morning, a gap's first unlogged day, the loading day of a flare, the first programme day of a
--          week). The detail is in parts (metric_event_detail joins them): head, whether a span follows
--          (spanned) and tail; detail is the sentence as of `seen` (its run ongoing), final_detail, on
--          the run's last row only, the sentence as of as_of. Optionally only the patients whose ids are in
--          [first_patient, last_patient] (a refresh's range).
-- Grain: one row per event per day of its run from its date on.
-- Parameters: none
create or replace macro metric_event_days(
    as_of, clinician_scope, patient, first_patient := null, last_patient := null
) as table
with days as (
    select *
    from metric_stored_days(
        as_of, clinician_scope, patient, null, null, first_patient := first_patient,
        last_patient := last_patient
    )
),

-- Runs are gaps and islands, keyed by metric_days. Each run day carries its run so far (the days up to it)
-- and the run's last day.
rising as (
    select
        patient_id,
        rising_island as island,
        date,
        morning_pain,
        flare_threshold,
        reference_pain,
        acceptable_pain,
        -- A run of mornings is its rising days plus the morning before the first of them.
        min(date) over whole_run - 1 as first_day,
        max(date) over whole_run as run_until,
        first_value(prev_morning) over so_far as first_morning,
        max(morning_pain) over so_far as highest,
        string_agg(metric_score(morning_pain), ' → ' order by date) over so_far as mornings
    from days
    where rises
    window
        whole_run as (partition by patient_id, rising_island),
        so_far as (
            partition by patient_id, rising_island order by date rows between unbounded preceding and current row
        )
),

rising_painful as (
    select
        *,
        coalesce(
            date >= first_day + 2
            and metric_painful(morning_pain, morning_pain - first_morning, flare_threshold, reference_pain),
            false
        ) as painful
    from rising
),

rising_dated as (
    select
        *,
        min(date) filter (where painful) over so_far as dated,
        -- A struct, so that an unknown reference on the dated morning is not skipped for a later one.
        arg_min({'reference': reference_pain, 'acceptable': acceptable_pain}, date) filter (where painful)
            over so_far as levels
    from rising_painful
    window so_far as (
        partition by patient_id, island order by date rows between unbounded preceding and current row
    )
),

rising_streak as (
    select
        patient_id,
        'rising_streak' as rule,
        dated as date,
        first_day as run_from,
        date as seen,
        run_until,
        'morning pain ' || metric_score(first_morning) || ' → ' || mornings || ' (+'
            || metric_score(highest - first_morning) || ', ' as head,
        true as spanned,
        '); ' || metric_reference_words(levels.reference, levels.acceptable) as tail
    from rising_dated
    where dated is not null
),

flare as (
    select
        patient_id,
        'flare' as rule,
        date,
        date - 1 as run_from,
        date as seen,
        date as run_until,
        'morning pain ' || metric_score(prev_morning) || ' → ' || metric_score(morning_pain)
            || ' (+' || metric_score(response) || ') the morning after loading ('
            || metric_date_span(date - 1, date) || '); '
            || metric_reference_words(reference_pain, acceptable_pain) as head,
        false as spanned,
        '' as tail
    from days
    where response_status = 'flare'
),

above_ceiling as (
    select
        patient_id,
        date,
        min(date) over whole_run as run_from,
        max(date) over whole_run as run_until,
        first_value(pain_ceiling) over so_far as ceiling,
        count(*) over so_far as mornings,
        max(morning_pain) over so_far as highest
    from days
    where above_ceiling
    window
        whole_run as (partition by patient_id, ceiling_island),
        so_far as (
            partition by patient_id, ceiling_island order by date
            rows between unbounded preceding and current row
        )
),

pain_above_ceiling as (
    select
        patient_id,
        'pain_above_ceiling' as rule,
        run_from as date,
        run_from,
        date as seen,
        run_until,
        case
            when mornings = 1 then
                'morning pain ' || metric_score(highest) || ' above the ceiling of ' || metric_score(ceiling) || ' ('
            else
                'morning pain above the ceiling of ' || metric_score(ceiling) || ' on ' || mornings
                    || ' mornings, highest ' || metric_score(highest) || ' ('
        end as head,
        true as spanned,
        ')' as tail
    from above_ceiling
),

spiking as (
    select
        patient_id,
        date,
        min(date) over whole_run as run_from,
        max(date) over whole_run as run_until,
        first_value(acute_chronic_ratio) over so_far as first_ratio,
        first_value(acute_reps) over so_far as first_acute_reps,
        first_value(chronic_reps) over so_far as first_chronic_reps,
        count(*) over so_far as spike_days,
        max(acute_chronic_ratio) over so_far as peak
    from days
    where load_spike
    window
        whole_run as (partition by patient_id, spike_island),
        so_far as (
            partition by patient_id, spike_island order by date rows between unbounded preceding and current row
        )
),

load_spike as (
    select
        patient_id,
        'load_spike' as rule,
        run_from as date,
        run_from,
        date as seen,
        run_until,
        'acute:chronic reps ratio ' || format('{:.2f}', first_ratio) || ' on ' || metric_date_span(run_from, run_from)
            || ' (' || first_acute_reps || ' reps in 7 days vs '
            || format('{:g}', round(first_chronic_reps / 4.0, 1)) || ' a week over 4 weeks)'
            || case when spike_days > 1 then '; above 1.5 for ' || spike_days || ' days (' else '' end as head,
        spike_days > 1 as spanned,
        case when spike_days > 1 then '), peak ' || format('{:.2f}', peak) else '' end as tail
    from spiking
),

unlogged as (
    select
        patient_id,
        date,
        min(date) over whole_run as run_from,
        max(date) over whole_run as run_until,
        count(*) over so_far as unlogged_days
    from days
    where missing_morning
    window
        whole_run as (partition by patient_id, missing_island),
        so_far as (
            partition by patient_id, missing_island order by date
            rows between unbounded preceding and current row
        )
),

not_logging as (
    select
        patient_id,
        'not_logging' as rule,
        run_from + 2 as date,
        run_from,
        date as seen,
        run_until,
        'no morning pain logged for ' || unlogged_days || ' days (' as head,
        true as spanned,
        ')' as tail
    from unlogged
    where unlogged_days >= 3
),

-- A week's figures, from its last stored day (metric_days keeps the week so far on every day). A finished
-- week's last day is on or before its Sunday, so any as-of date from that Sunday on reads the whole week.
weeks as (
    select
        patient_id,
        date_trunc('week', date)::date + 6 as sunday,
        week_first_day as first_day,
        metric_iso_week(week_first_day) as week,
        week_lowest_target as lowest_target,
        week_highest_target as highest_target,
        week_on_programme as on_programme,
        week_training_days as training_days,
        week_days_on_target as days_on_target,
        week_adherence_pct as adherence_pct
    from days
    where week_last_day
),

low_adherence as (
    select
        patient_id,
        'low_adherence' as rule,
        sunday as date,
        first_day as run_from,
        sunday as seen,
        sunday as run_until,
        'adherence ' || format('{:.1f}', adherence_pct) || '% in ' || week || ' (' || days_on_target || ' of '
            || training_days || case when on_programme then ' scheduled days on ' else ' programme days on ' end
            || case
                when lowest_target = highest_target then 'the ' || lowest_target || '-rep target'
                else 'their targets of ' || lowest_target || '–' || highest_target || ' reps'
            end
            || ')' as head,
        false as spanned,
        '' as tail
    from weeks
    where adherence_pct < 50 and sunday <= as_of
),

events as (
    select * from rising_streak
    union all
    select * from flare
    union all
    select * from pain_above_ceiling
    union all
    select * from load_spike
    union all
    select * from not_logging
    union all
    select * from low_adherence
),

final as (
    select
        events.patient_id,
        events.rule,
        events.date,
        events.run_from,
        events.seen,
        events.run_until,
        rules.severity,
        metric_event_detail(events.head, events.spanned, events.tail, events.run_from, events.seen, true)
            as detail,
        case
            when events.seen = events.run_until then
                metric_event_detail(
                    events.head, events.spanned, events.tail, events.run_from, events.run_until,
                    events.run_until = as_of
                )
        end as final_detail
    from events
    inner join metric_rules() as rules on rules.rule = events.rule
)

select * from final
