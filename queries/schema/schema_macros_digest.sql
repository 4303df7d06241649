-- Returns: the digest of the macro definitions last applied, or no row on a new database.
-- Grain: one row.
-- Parameters: none
with latest as (
    select name as digest from schema_migrations where version = 0
),

final as (
    select * from latest
)

select * from final
