-- Returns: how many patients the database holds.
-- Grain: one row.
-- Parameters: none
with counted as (
    select count(*) as patient_count from patients
),

final as (
    select * from counted
)

select * from final
