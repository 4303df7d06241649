-- Returns: a table macro giving the alert events of visible patients, each with the day it is dated on, the
--          first and last days it covers (run_from, until) and a detail sentence, computed from data up to as_of. This is the one
--          definition of every rule; the alert listing and the weekly review both read it.
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
--          run_from is the first day the event covers: the run's first day (a rising run's first morning,
--          a gap's first unlogged day), the loading day of a flare, the first programme day of a week.
--          Runs end at a missing morning, and run to the as-of date at most. The stored days are exact on
--          any day, so the rules read the days from date_from on, plus the earlier days of the runs that
--          reach date_from and the last day of a week ending on or after it: every event dated on or after
--          date_from is exact, and so is an earlier event whose run reaches date_from (dated before it).
--          Other earlier events are left out; callers filter by date or by until.
--          Optionally only the patients whose ids are in [first_patient, last_patient] (a refresh's range).
-- Grain: one row per event.
-- Parameters: none
create or replace macro metric_events(
    as_of, clinician_scope, patient, date_from, first_patient := null, last_patient := null
) as table
with window_days as (
    select *
    from metric_stored_days(
        as_of, clinician_scope, patient, date_from, null, first_patient := first_patient,
        last_patient := last_patient
    )
),

-- The runs that reach date_from from before it, by their keys on that day (a null date_from has none).
reaching as (
    select
        patient_id,
        rising_island,
        ceiling_island,
        spike_island,
        missing_island
    from window_days
    where date = date_from
        and (rises or above_ceiling or load_spike or missing_morning)
),

-- Before date_from, only those runs' days count, and the last day of a week that ends on or after it (a
-- patient discharged mid-week has that day before the week's Sunday): every other flag is cleared, so no run
-- is cut short and no earlier week is judged.
earlier_days as (
    select *
    from (
        select
            stored.* replace (
                coalesce(stored.rises and stored.rising_island = reaching.rising_island, false) as rises,
                coalesce(stored.above_ceiling and stored.ceiling_island = reaching.ceiling_island, false)
                    as above_ceiling,
                coalesce(stored.load_spike and stored.spike_island = reaching.spike_island, false)
                    as load_spike,
                coalesce(stored.missing_morning and stored.missing_island = reaching.missing_island, false)
                    as missing_morning,
                null::varchar as response_status,
                stored.week_last_day and stored.date >= date_trunc('week', date_from)::date as week_last_day
            )
        from metric_stored_days(
            as_of, clinician_scope, patient, null, date_from - 1, first_patient := first_patient,
            last_patient := last_patient
        ) as stored
        left join reaching on reaching.patient_id = stored.patient_id
    )
    where rises or above_ceiling or load_spike or missing_morning or week_last_day
),

days as (
    select * from window_days
    union all
    select * from earlier_days
),

-- Runs are gaps and islands, keyed by metric_days.
rising as (
    select
        *,
        rising_island as island
    from days
    where rises
),

-- A run of mornings is its rising days plus the morning before the first of them.
rising_runs as (
    select
        patient_id,
        island,
        min(date) - 1 as first_day,
        max(date) as until,
        arg_min(prev_morning, date) as first_morning
    from rising
    group by patient_id, island
    having count(*) >= 2
),

rising_dated as (
    select
        rising.patient_id,
        rising.island,
        min(rising.date) as date,
        -- A struct, so that an unknown reference on the dated morning is not skipped for a later one.
        arg_min({'reference': rising.reference_pain, 'acceptable': rising.acceptable_pain}, rising.date)
            as levels
    from rising
    inner join rising_runs on rising_runs.patient_id = rising.patient_id and rising_runs.island = rising.island
    where rising.date >= rising_runs.first_day + 2
        and metric_painful(
            rising.morning_pain, rising.morning_pain - rising_runs.first_morning, rising.flare_threshold,
            rising.reference_pain
        )
    group by rising.patient_id, rising.island
),

rising_streak as (
    select
        rising_runs.patient_id,
        'rising_streak' as rule,
        any_value(rising_dated.date) as date,
        any_value(rising_runs.first_day) as run_from,
        any_value(rising_runs.until) as until,
        'morning pain ' || metric_score(any_value(rising_runs.first_morning)) || ' → '
            || string_agg(metric_score(rising.morning_pain), ' → ' order by rising.date)
            || ' (+' || metric_score(max(rising.morning_pain) - any_value(rising_runs.first_morning)) || ', '
            || metric_run_span(
                any_value(rising_runs.first_day), any_value(rising_runs.until), any_value(rising_runs.until) = as_of
            )
            || '); '
            || metric_reference_words(
                any_value(rising_dated.levels).reference, any_value(rising_dated.levels).acceptable
            )
            as detail
    from rising_runs
    inner join rising_dated
        on rising_dated.patient_id = rising_runs.patient_id and rising_dated.island = rising_runs.island
    inner join rising on rising.patient_id = rising_runs.patient_id and rising.island = rising_runs.island
    group by rising_runs.patient_id, rising_runs.island
),

flare as (
    select
        patient_id,
        'flare' as rule,
        date,
        date - 1 as run_from,
        date as until,
        'morning pain ' || metric_score(prev_morning) || ' → ' || metric_score(morning_pain)
            || ' (+' || metric_score(response) || ') the morning after loading ('
            || metric_date_span(date - 1, date) || '); '
            || metric_reference_words(reference_pain, acceptable_pain) as detail
    from days
    where response_status = 'flare'
),

above_ceiling as (
    select
        *,
        ceiling_island as island
    from days
    where above_ceiling
),

pain_above_ceiling as (
    select
        patient_id,
        'pain_above_ceiling' as rule,
        min(date) as date,
        min(date) as run_from,
        max(date) as until,
        case
            when count(*) = 1 then
                'morning pain ' || metric_score(max(morning_pain)) || ' above the ceiling of '
                    || metric_score(arg_min(pain_ceiling, date)) || ' ('
                    || metric_run_span(min(date), max(date), max(date) = as_of) || ')'
            else
                'morning pain above the ceiling of ' || metric_score(arg_min(pain_ceiling, date)) || ' on '
                    || count(*) || ' mornings, highest ' || metric_score(max(morning_pain)) || ' ('
                    || metric_run_span(min(date), max(date), max(date) = as_of) || ')'
        end as detail
    from above_ceiling
    group by patient_id, island
),

spiking as (
    select
        *,
        spike_island as island
    from days
    where load_spike
),

load_spike as (
    select
        patient_id,
        'load_spike' as rule,
        min(date) as date,
        min(date) as run_from,
        max(date) as until,
        'acute:chronic reps ratio ' || format('{:.2f}', arg_min(acute_chronic_ratio, date))
            || ' on ' || metric_date_span(min(date), min(date)) || ' (' || arg_min(acute_reps, date)
            || ' reps in 7 days vs ' || format('{:g}', round(arg_min(chronic_reps, date) / 4.0, 1))
            || ' a week over 4 weeks)'
            || case
                when count(*) > 1 then
                    '; above 1.5 for ' || count(*) || ' days ('
                    || metric_run_span(min(date), max(date), max(date) = as_of) || '), peak '
                    || format('{:.2f}', max(acute_chronic_ratio))
                else ''
            end as detail
    from spiking
    group by patient_id, island
),

unlogged as (
    select
        *,
        missing_island as island
    from days
    where missing_morning
),

not_logging as (
    select
        patient_id,
        'not_logging' as rule,
        min(date) + 2 as date,
        min(date) as run_from,
        max(date) as until,
        'no morning pain logged for ' || count(*) || ' days ('
            || metric_run_span(min(date), max(date), max(date) = as_of) || ')' as detail
    from unlogged
    group by patient_id, island
    having count(*) >= 3
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
        sunday as until,
        'adherence ' || format('{:.1f}', adherence_pct) || '% in ' || week || ' (' || days_on_target || ' of '
            || training_days || case when on_programme then ' scheduled days on ' else ' programme days on ' end
            || case
                when lowest_target = highest_target then 'the ' || lowest_target || '-rep target'
                else 'their targets of ' || lowest_target || '–' || highest_target || ' reps'
            end
            || ')' as detail
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
        events.until,
        rules.severity,
        events.detail
    from events
    inner join metric_rules() as rules on rules.rule = events.rule
)

select * from final
