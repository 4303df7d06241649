-- Returns: every invalid cell in the staged pain rows (registered as staged_rows), with its line, column,
--          value and reason; no rows when the sheet is valid. Conflicts with stored scores are found apart.
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
    select line, 3, 'time_of_day', time_of_day,
        coalesce(required_problem(time_of_day), choice_problem(time_of_day, ['morning', 'evening']))
    from staged
    union all
    select line, 4, 'pain', pain, coalesce(required_problem(pain), number_problem(pain, 0, 10, false, 1))
    from staged
),

final as (
    select line, column_name, cell, reason
    from cell_problems
    where reason is not null
    order by line, position
)

select * from final
