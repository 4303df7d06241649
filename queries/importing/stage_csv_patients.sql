-- Returns: nothing; stages a plain CSV patients log, read by DuckDB's CSV reader, into this cursor's
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
            cast(null as varchar) as name,
            cast(null as varchar) as clinician,
            cast(null as varchar) as condition,
            cast(null as varchar) as start_date,
            cast(null as varchar) as daily_rep_target,
            cast(null as varchar) as pain_ceiling,
            cast(null as varchar) as flare_threshold,
            cast(null as varchar) as discharged_on,
            cast(null as varchar) as acceptable_pain
    )
    where false
    union all by name
    select * from cells
),

trimmed as (
    select
        trim_whitespace(patient_id) as patient_id,
        trim_whitespace(name) as name,
        trim_whitespace(clinician) as clinician,
        trim_whitespace(condition) as condition,
        trim_whitespace(start_date) as start_date,
        trim_whitespace(daily_rep_target) as daily_rep_target,
        trim_whitespace(pain_ceiling) as pain_ceiling,
        trim_whitespace(flare_threshold) as flare_threshold,
        trim_whitespace(discharged_on) as discharged_on,
        trim_whitespace(acceptable_pain) as acceptable_pain
    from every_column
),

final as (
    select
        *,
        coalesce(patient_id, '') = ''
        and coalesce(name, '') = ''
        and coalesce(clinician, '') = ''
        and coalesce(condition, '') = ''
        and coalesce(start_date, '') = ''
        and coalesce(daily_rep_target, '') = ''
        and coalesce(pain_ceiling, '') = ''
        and coalesce(flare_threshold, '') = ''
        and coalesce(discharged_on, '') = ''
        and coalesce(acceptable_pain, '') = '' as blank
    from trimmed
)

select * from final
