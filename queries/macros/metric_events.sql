-- Returns: a table macro giving the alert events of visible patients dated from date_from to date_to (null =
--          unbounded; date_to null means as_of), computed from all data up to as_of (runs and streaks are
--          followed past date_to, so details and retroactive streaks match a later review): rising_streak, flare and
--          pain_above_ceiling (high), load_spike, not_logging and low_adherence (medium), each with a detail
--          sentence. low_adherence is raised only for weeks whose Sunday is on or before as_of, so no event is
--          ever dated after as_of. A rising streak is dated on its third morning even when its total rise is
--          reached later (it appears once that later morning is logged).
-- Grain: one row per event.
-- Parameters: none
create or replace macro metric_events(as_of, clinician_scope, patient, date_from, date_to) as table
with spine as (
    select *
    from metric_days(as_of, clinician_scope, patient, date_from - 28, null)
),

-- Runs are gaps and islands: flagged days on consecutive dates share date - row number. A rising streak is
-- its rising days plus the morning before the first of them.
rising as (
    select
        *,
        date - cast(row_number() over (partition by patient_id order by date) as integer) as island
    from spine
    where rises
),

-- Most islands are one rise long, so the cheap aggregates pick the streaks that qualify (and are dated in the
-- range) first; only those build the ordered detail text.
rising_islands as (
    select
        patient_id,
        island,
        min(date) as first_rise,
        max(date) as last_rise,
        arg_min(prev_morning, date) as first_morning
    from rising
    group by patient_id, island
    having count(*) >= 2 and max(morning_pain) - arg_min(prev_morning, date) >= any_value(flare_threshold)
        and (date_from is null or min(date) + 1 >= date_from)
        and min(date) + 1 <= coalesce(date_to, as_of)
),

rising_streak as (
    select
        rising_islands.patient_id,
        'rising_streak' as rule,
        any_value(rising_islands.first_rise) + 1 as date,
        'high' as severity,
        'morning pain ' || metric_score(any_value(rising_islands.first_morning)) || ' → '
            || string_agg(metric_score(rising.morning_pain), ' → ' order by rising.date)
            || ' (' || metric_date_span(any_value(rising_islands.first_rise) - 1, any_value(rising_islands.last_rise))
            || ')' as detail
    from rising_islands
    inner join rising on rising.patient_id = rising_islands.patient_id and rising.island = rising_islands.island
    group by rising_islands.patient_id, rising_islands.island
),

flare as (
    select
        patient_id,
        'flare' as rule,
        date,
        'high' as severity,
        'morning pain ' || metric_score(prev_morning) || ' → ' || metric_score(morning_pain)
            || ' (+' || metric_score(response) || ') the morning after loading ('
            || metric_date_span(date - 1, date) || ')' as detail
    from spine
    where response_status = 'flare'
),

pain_above_ceiling as (
    select
        patient_id,
        'pain_above_ceiling' as rule,
        min(date) as date,
        'high' as severity,
        'morning pain ' || string_agg(metric_score(morning_pain), ' → ' order by date)
            || ' above the ceiling of ' || metric_score(any_value(pain_ceiling))
            || ' (' || metric_date_span(min(date), max(date)) || ')' as detail
    from (
        select
            *,
            date - cast(row_number() over (partition by patient_id order by date) as integer) as island
        from spine
        where above_ceiling
    )
    group by patient_id, island
),

load_spike as (
    select
        patient_id,
        'load_spike' as rule,
        min(date) as date,
        'medium' as severity,
        'acute:chronic reps ratio ' || format('{:.2f}', arg_min(acute_chronic_ratio, date))
            || ' on ' || metric_date_span(min(date), min(date)) || ' (' || arg_min(acute_reps, date)
            || ' reps in 7 days vs ' || format('{:g}', round(arg_min(chronic_reps, date) / 4.0, 1))
            || ' a week over 4 weeks)'
            || case
                when count(*) > 1 then
                    '; above 1.5 for ' || count(*) || ' days (' || metric_date_span(min(date), max(date))
                    || '), peak ' || format('{:.2f}', max(acute_chronic_ratio))
                else ''
            end as detail
    from (
        select
            *,
            date - cast(row_number() over (partition by patient_id order by date) as integer) as island
        from spine
        where load_spike
    )
    group by patient_id, island
),

not_logging as (
    select
        patient_id,
        'not_logging' as rule,
        min(date) + 2 as date,
        'medium' as severity,
        'no morning pain logged for ' || count(*) || ' days (' || metric_date_span(min(date), max(date)) || ')'
            as detail
    from (
        select
            *,
            date - cast(row_number() over (partition by patient_id order by date) as integer) as island
        from spine
        where missing_morning
    )
    group by patient_id, island
    having count(*) >= 3
),

weeks as (
    select
        patient_id,
        date_trunc('week', date)::date + 6 as sunday,
        metric_iso_week(min(date)) as week,
        any_value(target) as target,
        count(*) as programme_days,
        count(*) filter (where daily_reps >= target) as days_on_target,
        metric_adherence_pct(sum(least(daily_reps, target)), any_value(target), count(*)) as adherence_pct
    from spine
    group by patient_id, date_trunc('week', date)
),

low_adherence as (
    select
        patient_id,
        'low_adherence' as rule,
        sunday as date,
        'medium' as severity,
        'adherence ' || format('{:.1f}', adherence_pct) || '% in ' || week || ' (' || days_on_target || ' of '
            || programme_days || ' programme days on the ' || target || '-rep target)' as detail
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
        patient_id,
        rule,
        date,
        severity,
        detail
    from events
    where (date_from is null or date >= date_from)
        and date <= coalesce(date_to, as_of)
)

select * from final
