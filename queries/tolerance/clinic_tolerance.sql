-- Returns: the clinic's view of what its patients tolerate over loading days $date_from to $date_to, as of
--          $as_of, over the patients the viewer may see (metric_tolerance): one row per load kind (kind and
--          name compared trimmed and case-insensitively, shown as most recently written) with the patients
--          who did it on a response day, their response days done, the patients for whom it is likely
--          aggravating, and the mean of the per-patient differences that are not null. Sorted by
--          patients_aggravated, then mean_difference, both descending (none last), then name.
-- Grain: one row per load kind.
-- Parameters: $as_of (date), $date_from (date), $date_to (date), $clinician_scope (clinician name, or null for
--             everyone)
with kinds as (
    select *
    from metric_tolerance($as_of::date, $clinician_scope::varchar, null, $date_from::date, $date_to::date)
),

clinic as (
    select
        kinds.kind,
        kinds.kind_key,
        -- The name most recently written by any of the patients names the kind.
        arg_max(kinds.name, kinds.last_done) as name,
        count(distinct kinds.patient_id) as patients,
        sum(kinds.days_done) as days_done,
        count(*) filter (where kinds.verdict = 'likely aggravating') as patients_aggravated,
        avg(kinds.difference) as mean_difference
    from kinds
    group by kinds.kind, kinds.kind_key
),

final as (
    select
        clinic.kind,
        clinic.name,
        clinic.patients,
        clinic.days_done,
        clinic.patients_aggravated,
        clinic.mean_difference
    from clinic
    -- Rounded for the order only: two means equal on paper can differ in a double's last bit.
    order by
        clinic.patients_aggravated desc, round(clinic.mean_difference, 9) desc nulls last, lower(clinic.name),
        clinic.kind
)

select * from final
