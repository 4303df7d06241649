-- Returns: nothing; stages a plain CSV programme file, read by DuckDB's CSV reader, into this cursor's
--          temp table staged_csv_cells: each column of the file as text (trimmed; columns the file lacks
--          are null, empty cells are ''), in file order (staged_csv_rows numbers the lines), and whether
--          the row is wholly blank.
-- Grain: one row per data line of the file (each row on one line: staging checks the count).
-- Parameters: $path (the CSV file), $columns (the header's names in file order, each mapped to 'varchar')
create or replace temp table staged_csv_cells as
-- The header is read and checked in Python; the reader gets fixed options and no sniffing, so that a
-- value such as '#' is never taken for a comment and every cell stays text. A table made by one insert
-- keeps the rows in the order they were read (preserve_insertion_order), which gives each its line.
with cells as (
    select coalesce(columns(*), '')
    from read_csv(
        $path, header = false, skip = 1, auto_detect = false, columns = $columns, delim = ',',
        quote = '"', escape = '"', comment = '', strict_mode = true, null_padding = false,
        compression = 'none', encoding = 'utf-8'
    )
),

-- Union by name gives the columns the file lacks as nulls, as the Arrow staging does.
every_column as (
    select * from (
        select
            cast(null as varchar) as patient_id,
            cast(null as varchar) as effective_from,
            cast(null as varchar) as exercise,
            cast(null as varchar) as stage,
            cast(null as varchar) as sets,
            cast(null as varchar) as reps,
            cast(null as varchar) as days,
            cast(null as varchar) as hold_s,
            cast(null as varchar) as load_kg
    )
    where false
    union all by name
    select * from cells
),

trimmed as (
    select
        trim_whitespace(patient_id) as patient_id,
        trim_whitespace(effective_from) as effective_from,
        trim_whitespace(exercise) as exercise,
        trim_whitespace(stage) as stage,
        trim_whitespace(sets) as sets,
        trim_whitespace(reps) as reps,
        trim_whitespace(days) as days,
        trim_whitespace(hold_s) as hold_s,
        trim_whitespace(load_kg) as load_kg
    from every_column
),

final as (
    select
        *,
        coalesce(patient_id, '') = ''
        and coalesce(effective_from, '') = ''
        and coalesce(exercise, '') = ''
        and coalesce(stage, '') = ''
        and coalesce(sets, '') = ''
        and coalesce(reps, '') = ''
        and coalesce(days, '') = ''
        and coalesce(hold_s, '') = ''
        and coalesce(load_kg, '') = '' as blank
    from trimmed
)

select * from final
