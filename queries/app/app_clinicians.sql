-- Returns: the clinicians whose patients the viewer may see, for the app's clinician filter.
-- Grain: one row per clinician name.
-- Parameters: $clinician_scope (clinician name, or null for everyone)
with scoped as (
    select clinician
    from patients
    where ($clinician_scope is null or clinician = $clinician_scope)
        and clinician is not null
),

final as (
    select distinct clinician from scoped
    order by clinician
)

select * from final
