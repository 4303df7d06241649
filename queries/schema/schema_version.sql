-- Returns: the database's schema version, the highest applied migration number (0 when none).
-- Grain: one row.
-- Parameters: none
with applied as (
    select coalesce(max(version), 0) as schema_version from schema_migrations where version > 0
),

final as (
    select * from applied
)

select * from final
