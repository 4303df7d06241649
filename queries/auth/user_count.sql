-- Returns: how many accounts exist, disabled ones included.
-- Grain: one row.
-- Parameters: none
with counted as (
    select count(*) as user_count from users
),

final as (
    select * from counted
)

select * from final
