-- Returns: every invalid cell in the staged activity rows (registered as staged_rows), with its line,
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
    select line, 3, 'activity', activity, required_problem(activity)
    from staged
    union all
    select line, 4, 'duration_min', duration_min,
        coalesce(required_problem(duration_min), number_problem(duration_min, 0, 1440, true, 1))
    from staged
    union all
    select line, 5, 'rpe', rpe, number_problem(rpe, 1, 10, false, 1)
    from staged
    union all
    select line, 6, 'pain_during', pain_during, number_problem(pain_during, 0, 10, false, 1)
    from staged
),

final as (
    select line, column_name, cell, reason
    from cell_problems
    where reason is not null
    order by line, position
)

select * from final
