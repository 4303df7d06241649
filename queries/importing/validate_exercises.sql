-- Returns: every invalid cell in the staged exercise rows (registered as staged_rows), with its line,
--          column, value and reason; no rows when the sheet is valid.
-- Grain: one row per invalid cell.
-- Parameters: $import_patient_ids (ids that earlier sheets of this import add)
with staged as (
    select * from staged_rows
),

cell_problems as (
    select line, 1 as position, 'patient_id' as column_name, patient_id as cell,
        patient_problem(patient_id, $import_patient_ids) as reason
    from staged
    union all
    select line, 2, 'date', date, coalesce(required_problem(date), date_problem(date))
    from staged
    union all
    select line, 3, 'exercise', exercise, required_problem(exercise)
    from staged
    union all
    select line, 4, 'stage', stage, choice_problem(stage, stage_names())
    from staged
    union all
    select line, 5, 'sets', sets, coalesce(required_problem(sets), number_problem(sets, 1, 100, false, 0))
    from staged
    union all
    select line, 6, 'reps', reps, coalesce(required_problem(reps), number_problem(reps, 1, 1000, false, 0))
    from staged
    union all
    select line, 7, 'hold_s', hold_s, number_problem(hold_s, 0, 3600, false, 1)
    from staged
    union all
    select line, 8, 'load_kg', load_kg, number_problem(load_kg, 0, 1000, false, 2)
    from staged
    union all
    select line, 9, 'pain_during', pain_during, number_problem(pain_during, 0, 10, false, 1)
    from staged
),

final as (
    select line, column_name, cell, reason
    from cell_problems
    where reason is not null
    order by line, position
)

select * from final
