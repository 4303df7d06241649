-- Returns: how many rows one table holds, counted for a backup's manifest and checked again on restore.
-- Grain: one row.
-- Parameters: $table_name
with counted as (
    select count(*) as row_count from query_table($table_name)
),

final as (
    select * from counted
)

select * from final
