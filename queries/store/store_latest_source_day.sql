-- Returns: the latest day any source of the metrics names: a logged entry, a start date, a settings change or
--          a programme item (null for an empty clinic); the horizon must reach past it.
-- Grain: one value.
-- Parameters: none
with days as (
    select max(date) as day from pain_entries
    union all
    select max(date) from exercise_entries
    union all
    select max(date) from activity_entries
    union all
    select max(start_date) from patients
    union all
    select max(effective_from) from settings_changes
    union all
    select max(effective_from) from programme_items
),

final as (
    select max(day) as latest from days
)

select * from final
