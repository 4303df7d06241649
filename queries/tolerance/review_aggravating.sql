-- Returns: for the weekly review of ISO week W (Monday $week_start), as of $as_of, each visible patient whose
--          log shows a likely aggravating load kind (metric_tolerance) over the 8 weeks of loading days ending
--          on W's last counted day (its Sunday, or $as_of when earlier), with those kinds' names (as most
--          recently written), the largest difference first, then by name. An association, not proof of cause.
-- Grain: one row per patient with a likely aggravating kind.
-- Parameters: $week_start (date, a Monday), $as_of (date), $clinician_scope (clinician name, or null for
--             everyone)
with kinds as (
    select *
    from metric_tolerance(
        $as_of::date,
        $clinician_scope::varchar,
        null,
        least($week_start::date + 6, $as_of::date) - 55,
        least($week_start::date + 6, $as_of::date)
    )
    where verdict = 'likely aggravating'
),

final as (
    select
        patient_id,
        list(name order by difference desc, lower(name), kind) as aggravating
    from kinds
    group by patient_id
    order by patient_id
)

select * from final
