-- Returns: the names of the clinic database's own tables (not temporary ones), which a backup holds.
-- Grain: one row per table.
-- Parameters: none
with tables as (
    select table_name
    from duckdb_tables()
    where database_name = current_database() and schema_name = 'main' and not temporary
),

final as (
    select * from tables
    order by table_name
)

select * from final
