-- Returns: a table macro giving each visible patient's programme item versions: for each prescribed
--          exercise (names compared trimmed and case-insensitively), each row holds from effective_from until
--          the next row for that exercise (valid_until, exclusive; null while it still holds); among rows
--          dated the same day the one recorded last wins. A row with days = 'none' ends the item, so it is
--          left out. weekdays lists the ISO weekdays (1 = Monday) the item is done on; prescribed_reps is
--          sets x reps (a hold is one rep), and rank the stage's rank in the loading progression.
-- Grain: one row per patient per exercise per version.
-- Parameters: none
create or replace macro metric_programme(clinician_scope, patient) as table
with visible as (
    select patient_id
    from metric_visible_patients(clinician_scope, patient)
),

rows as (
    select
        items.*,
        lower(trim(items.exercise)) as exercise_key
    from programme_items as items
    inner join visible on visible.patient_id = items.patient_id
),

versions as (
    select *
    from rows
    qualify row_number() over (partition by patient_id, exercise_key, effective_from order by item_id desc) = 1
),

bounded as (
    select
        *,
        lead(effective_from) over (partition by patient_id, exercise_key order by effective_from) as valid_until
    from versions
),

final as (
    select
        bounded.patient_id,
        bounded.exercise_key,
        bounded.exercise,
        bounded.effective_from,
        bounded.valid_until,
        bounded.stage,
        stages.rank,
        stages.position as stage_position,
        bounded.sets,
        bounded.reps,
        bounded.sets * bounded.reps as prescribed_reps,
        bounded.hold_s,
        bounded.load_kg,
        bounded.days,
        case
            when bounded.days = 'daily' then [1, 2, 3, 4, 5, 6, 7]
            else list_transform(
                string_split(bounded.days, ','),
                lambda day: list_position(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], day)
            )
        end as weekdays
    from bounded
    inner join metric_stages() as stages on stages.stage = bounded.stage
    where bounded.days <> 'none'
)

select * from final
