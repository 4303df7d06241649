-- Returns: nothing; stages a plain CSV pain log, read by DuckDB's CSV reader, into this cursor's
--          temp table staged_csv_cells: each column of the log as text (trimmed, notes as written;
--          columns the file lacks are null, empty cells are ''), in file order (staged_csv_rows numbers
--          the lines), and whether the row is wholly blank.
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
            cast(null as varchar) as date,
            cast(null as varchar) as time_of_day,
            cast(null as varchar) as pain,
            cast(null as varchar) as note
    )
    where false
    union all by name
    select * from cells
),

trimmed as (
    select
        trim_whitespace(patient_id) as patient_id,
        trim_whitespace(date) as date,
        trim_whitespace(time_of_day) as time_of_day,
        trim_whitespace(pain) as pain,
        note
    from every_column
),

final as (
    select
        *,
        coalesce(patient_id, '') = ''
        and coalesce(date, '') = ''
        and coalesce(time_of_day, '') = ''
        and coalesce(pain, '') = ''
        and coalesce(trim_whitespace(note), '') = '' as blank
    from trimmed
)

select * from final
