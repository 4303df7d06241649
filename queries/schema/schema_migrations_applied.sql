-- Returns: the migrations already applied to this database.
-- Grain: one row per applied migration.
-- Parameters: none
with applied as (
    select version, name, applied_at from schema_migrations
),

final as (
    select * from applied order by version
)

select * from final
