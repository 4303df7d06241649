-- Returns: how many rows staged_csv_cells holds, how many of them are not wholly blank, how many row ids
--          they span, and whether DuckDB keeps insertion order (so that the rows are in file order).
-- Grain: one row.
-- Parameters: none
with cells as (
    select rowid as row_id, blank from staged_csv_cells
),

final as (
    select
        count(*) as cells,
        count(*) filter (where not blank) as rows,
        coalesce(max(row_id) - min(row_id) + 1, 0) as row_id_span,
        cast(current_setting('preserve_insertion_order') as boolean) as insertion_order_kept
    from cells
)

select * from final
