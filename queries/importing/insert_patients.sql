-- Returns: the number of new patients inserted from typed_rows; stored patients are left to patient_changes.
-- Grain: one row per new patient inserted.
-- Parameters: $import_id
insert into patients (
    patient_id, name, clinician, condition, start_date,
    daily_rep_target, pain_ceiling, flare_threshold, discharged_on, acceptable_pain, import_id
)
with incoming as (
    select * from typed_rows
),

final as (
    select
        patient_id, name, clinician, condition, start_date,
        daily_rep_target, pain_ceiling, flare_threshold, discharged_on, acceptable_pain, $import_id as import_id
    from incoming
    where patient_id not in (select patient_id from patients)
)

select * from final
