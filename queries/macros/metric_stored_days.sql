-- Returns: a table macro giving what metric_days gives (same columns, same order), read from the maintained
--          metric_day_store instead of computed: the visible patients' programme days up to as_of, clipped to
--          [day_from, day_to] (null = unbounded), last_day being the last programme day as of as_of. The
--          stored windows are computed over the whole programme, so they are exact from the first day of a
--          clipped range on (metric_days itself gives nulls near the start of a clipped range). Optionally
--          only the patients whose ids are in [first_patient, last_patient] (a refresh's range). The caller
--          checks that as_of is within the store's horizon (metric_store.check_as_of, before every read): a
--          read past it would miss days. A guard here cost each query a quarter of its planning.
-- Grain: one row per patient per programme day.
-- Parameters: none
create or replace macro metric_stored_days(
    as_of, clinician_scope, patient, day_from, day_to, first_patient := null, last_patient := null
) as table
with visible as (
    select
        patient_id,
        least(coalesce(discharged_on, as_of), as_of) as last_day
    from metric_visible_patients(clinician_scope, patient)
    where (first_patient is null or patient_id between first_patient and last_patient)
),

final as (
    select
        store.patient_id,
        store.start_date,
        visible.last_day,
        store.* exclude (patient_id, start_date)
    from metric_day_store as store
    inner join visible on visible.patient_id = store.patient_id
    where store.date <= visible.last_day
        and (day_from is null or store.date >= day_from)
        and (day_to is null or store.date <= day_to)
        and (patient is null or store.patient_id = patient)
)

select * from final
