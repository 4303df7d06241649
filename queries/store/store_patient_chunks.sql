-- Returns: the patients cut into consecutive id ranges of at most $chunk_size patients, in id order: a
--          clinic-wide refresh computes one range per statement, so its memory is a range's, not the clinic's.
-- Grain: one row per range.
-- Parameters: $chunk_size (integer)
with ordered as (
    select
        patient_id,
        (row_number() over (order by patient_id) - 1) // $chunk_size as chunk
    from patients
),

final as (
    select
        min(patient_id) as first_patient,
        max(patient_id) as last_patient
    from ordered
    group by chunk
    order by chunk
)

select * from final
