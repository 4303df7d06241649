-- Returns: every invalid cell in the staged activity rows (registered as staged_rows), with its line,
--          column, value and reason; no rows when the sheet is valid.
-- Grain: one row per invalid cell.
-- Parameters: $import_patient_ids (ids that earlier sheets of this import add)

-- Every rule depends only on the cell's text (and the patient ids), so each distinct value is checked once
-- and only lines holding a failing value are joined back: a large valid sheet costs one hash aggregate per
-- column instead of regular expressions and casts on every cell.
with value_problems as (
    select 1 as position, 'patient_id' as column_name, cell,
        patient_problem(cell, $import_patient_ids) as reason
    from (select distinct patient_id as cell from staged_rows)
    union all
    select 2, 'date', cell, coalesce(required_problem(cell), date_problem(cell))
    from (select distinct date as cell from staged_rows)
    union all
    select 3, 'activity', cell, required_problem(cell)
    from (select distinct activity as cell from staged_rows)
    union all
    select 4, 'duration_min', cell,
        coalesce(required_problem(cell), number_problem(cell, 0, 1440, true, 1))
    from (select distinct duration_min as cell from staged_rows)
    union all
    select 5, 'rpe', cell, number_problem(cell, 1, 10, false, 1)
    from (select distinct rpe as cell from staged_rows)
    union all
    select 6, 'pain_during', cell, number_problem(cell, 0, 10, false, 1)
    from (select distinct pain_during as cell from staged_rows)
),

failing_values as (
    select * from value_problems
    where reason is not null
),

cell_problems as (
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 1 and staged.patient_id is not distinct from failing.cell
    union all
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 2 and staged.date is not distinct from failing.cell
    union all
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 3 and staged.activity is not distinct from failing.cell
    union all
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 4 and staged.duration_min is not distinct from failing.cell
    union all
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 5 and staged.rpe is not distinct from failing.cell
    union all
    select staged.line, failing.position, failing.column_name, failing.cell, failing.reason
    from staged_rows as staged
    inner join failing_values as failing
        on failing.position = 6 and staged.pain_during is not distinct from failing.cell
),

final as (
    select line, column_name, cell, reason
    from cell_problems
    order by line, position
)

select * from final
