-- Returns: the length of the longest cell in each column of a CSV file, read as stage_csv_<kind> reads it, so
--          that any error DuckDB's reader raises for the file is raised here, on a cursor outside the
--          transaction that stages it (a failed statement would abort that transaction).
-- Grain: one row.
-- Parameters: $path (the CSV file), $columns (the header's names in file order, each mapped to 'varchar')
with cells as (
    select *
    from read_csv(
        $path, header = false, skip = 1, auto_detect = false, columns = $columns, delim = ',',
        quote = '"', escape = '"', comment = '', strict_mode = true, null_padding = false,
        compression = 'none', encoding = 'utf-8'
    )
),

final as (
    -- An aggregate of every column makes the reader decode every cell (a count alone would not).
    select max(length(columns(*)))
    from cells
)

select * from final
