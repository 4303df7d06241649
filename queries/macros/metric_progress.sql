-- Returns: a table macro giving, for each visible patient and each ISO week W (week_start, its Monday) from
--          first_week to last_week in which they have a programme day up to as_of, the stage they are in on
--          W's last counted day d (their last programme day in W up to as_of): the prescribed stage when a programme item is in effect on d (stage_source
--          'programme'), else the stage of their latest logged exercise up to d ('logs'); days_in_stage, the
--          days of the current unbroken run of days with that stage's rank, d included (programme days
--          only); and whether they are ready to progress, judged only on a programme (else null). Ready
--          holds when all five criteria hold, each returned with its numbers:
--            1 stage_ok: the prescribed rank is below 4 and days_in_stage >= 14;
--            2 logging_ok: at least 10 of the 14 mornings d-13 .. d are logged;
--            3 calm_ok: no flare, rising_streak or pain_above_ceiling is dated in those 14 days or active
--              on d (dated on or before d, lasting until d or later);
--            4 adherence_ok: adherence over those 14 days (as the weekly figure: rest days left out,
--              rounded to 1 decimal) is at least 80 %;
--            5 settled_ok: on at least 80 % of the logged mornings of those days, morning pain is at most
--              the reference level that day + 1 (at most 3 when the reference is unknown).
--          next_stage is the next rank's first stage (isotonic after isometric, energy_storage after rank 2,
--          plyometric after energy_storage), null unless ready. A prompt for the clinician's judgement, not
--          an instruction to the patient.
--          Optionally only the patients whose ids are in [first_patient, last_patient] (a refresh's range).
-- Grain: one row per patient per week in the programme.
-- Parameters: none
create or replace macro metric_progress(
    as_of, clinician_scope, patient, first_week, last_week, first_patient := null, last_patient := null
) as table
with days as (
    select
        *,
        date_trunc('week', date)::date as week_start
    from metric_stored_days(
        as_of, clinician_scope, patient, first_week - 13, last_week + 6, first_patient := first_patient,
        last_patient := last_patient
    )
),

judged as (
    select
        patient_id,
        week_start,
        max(date) as day
    from days
    where week_start between first_week and last_week
    group by patient_id, week_start
),

on_day as (
    select
        days.*
    from days
    inner join judged on judged.patient_id = days.patient_id and judged.day = days.date
),

-- A day is in the 14-day windows of the weeks it falls in and the next two (d - 13 is in W - 2 at the latest).
window_days as (
    select
        judged.patient_id,
        judged.week_start,
        count(days.morning_pain) as mornings_logged,
        count(*) filter (where days.morning_pain <= coalesce(days.reference_pain, 2) + 1) as mornings_settled,
        metric_adherence_pct(
            list({'reps': days.daily_reps, 'target': days.target}) filter (where days.target > 0),
            sum(least(days.daily_reps, days.target)) filter (where days.target > 0),
            min(days.target) filter (where days.target > 0),
            max(days.target) filter (where days.target > 0)
        ) as adherence_14_pct
    from (select *, unnest([week_start, week_start + 7, week_start + 14]) as judged_week from days) as days
    inner join judged on judged.patient_id = days.patient_id and judged.week_start = days.judged_week
    where days.date between judged.day - 13 and judged.day
    group by judged.patient_id, judged.week_start
),

-- An event counts for a judged day d when dated by d and lasting until d - 13 or later: the weeks from its
-- date's to the one holding until + 13.
high_events as (
    select
        judged.patient_id,
        judged.week_start,
        count(*) filter (where events.date between judged.day - 13 and judged.day) as high_dated,
        bool_or(events.date <= judged.day and events.until >= judged.day) as high_active
    from (
        select
            *,
            unnest(generate_series(
                greatest(date_trunc('week', date)::date, first_week),
                least(date_trunc('week', until + 13)::date, last_week),
                interval 7 day
            ))::date as judged_week
        -- Rules, dates and until are exact as stored (only a going run's detail is not, and it is not read).
        from metric_stored_events(as_of, clinician_scope, patient)
        where rule in ('flare', 'rising_streak', 'pain_above_ceiling')
    ) as events
    inner join judged on judged.patient_id = events.patient_id and judged.week_start = events.judged_week
    where events.date <= judged.day
    group by judged.patient_id, judged.week_start
),

-- The days a prescribed stage's run can change on: every date a programme item starts or ends; the rank in
-- force between two points is that of the earlier one. (A logged stage's run comes with the stored days.)
programme_points as (
    select distinct patient_id, effective_from as point
    from metric_programme(clinician_scope, patient)
    union
    select distinct patient_id, valid_until
    from metric_programme(clinician_scope, patient)
    where valid_until is not null
),

programme_ranks as (
    select
        points.patient_id,
        points.point,
        'programme' as source,
        max(items.rank) as rank,
        bool_or(items.patient_id is not null) as in_effect
    from programme_points as points
    left join metric_programme(clinician_scope, patient) as items
        on items.patient_id = points.patient_id
        and points.point >= items.effective_from
        and (items.valid_until is null or points.point < items.valid_until)
    group by points.patient_id, points.point
),

points as (
    select patient_id, point, source, rank from programme_ranks
),

current_points as (
    select
        points.*,
        judged.week_start,
        judged.day,
        arg_max({'rank': points.rank}, points.point) over latest as latest_point
    from points
    inner join judged on judged.patient_id = points.patient_id and points.point <= judged.day
    window latest as (
        partition by points.patient_id, judged.week_start, points.source order by points.point
        rows between unbounded preceding and unbounded following
    )
),

-- The run starts at the first point after the last one whose rank differs from the current rank.
runs as (
    select
        patient_id,
        week_start,
        source,
        any_value(day) as day,
        coalesce(
            min(point) filter (where point > coalesce(last_other, '-infinity'::date)), min(point)
        ) as run_from
    from (
        select
            *,
            max(point) filter (where rank is distinct from latest_point.rank) over (
                partition by patient_id, week_start, source
            ) as last_other
        from current_points
    )
    group by patient_id, week_start, source
),

staged as (
    select
        judged.patient_id,
        judged.week_start,
        judged.day,
        coalesce(on_day.on_programme, false) as on_programme,
        on_day.prescribed_rank,
        case when on_day.on_programme then on_day.prescribed_stage else on_day.logged_stage end as stage,
        case when on_day.on_programme then 'programme' else 'logs' end as stage_source,
        case
            when on_day.on_programme then judged.day - greatest(programme_run.run_from, on_day.start_date) + 1
            -- The logged stage's run is carried on each stored day (metric_days).
            when on_day.logged_stage is not null then
                judged.day - greatest(on_day.logged_run_from, on_day.start_date) + 1
        end as days_in_stage
    from judged
    inner join on_day on on_day.patient_id = judged.patient_id and on_day.date = judged.day
    left join runs as programme_run
        on programme_run.patient_id = judged.patient_id and programme_run.week_start = judged.week_start
        and programme_run.source = 'programme'
),

criteria as (
    select
        staged.*,
        coalesce(window_days.mornings_logged, 0) as mornings_logged,
        coalesce(window_days.mornings_settled, 0) as mornings_settled,
        window_days.adherence_14_pct,
        coalesce(high_events.high_dated, 0) as high_events_dated,
        coalesce(high_events.high_active, false) as high_event_active,
        coalesce(staged.prescribed_rank < 4 and staged.days_in_stage >= 14, false) as stage_ok,
        coalesce(window_days.mornings_logged, 0) >= 10 as logging_ok,
        coalesce(high_events.high_dated, 0) = 0 and not coalesce(high_events.high_active, false) as calm_ok,
        coalesce(window_days.adherence_14_pct >= 80, false) as adherence_ok,
        5 * coalesce(window_days.mornings_settled, 0) >= 4 * coalesce(window_days.mornings_logged, 0)
            as settled_ok
    from staged
    left join window_days
        on window_days.patient_id = staged.patient_id and window_days.week_start = staged.week_start
    left join high_events
        on high_events.patient_id = staged.patient_id and high_events.week_start = staged.week_start
),

next_stages as (
    select
        rank - 1 as after_rank,
        arg_min(stage, position) as stage
    from metric_stages()
    where rank is not null
    group by rank
),

final as (
    select
        criteria.*,
        case
            when criteria.on_programme then
                criteria.stage_ok and criteria.logging_ok and criteria.calm_ok and criteria.adherence_ok
                and criteria.settled_ok
        end as ready_to_progress,
        case
            when criteria.on_programme and criteria.stage_ok and criteria.logging_ok and criteria.calm_ok
                and criteria.adherence_ok and criteria.settled_ok then
                next_stages.stage
        end as next_stage
    from criteria
    left join next_stages on next_stages.after_rank = criteria.prescribed_rank
)

select * from final
