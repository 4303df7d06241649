-- Returns: a table macro giving the patients a read may see, the one place the metric macros say it: every
--          patient of clinician_scope (null: every clinician's), or only the patient whose id is patient
--          (null: all of them). Every column of patients.
-- Grain: one row per visible patient.
-- Parameters: none
create or replace macro metric_visible_patients(clinician_scope, patient) as table
select *
from patients
where (clinician_scope is null or clinician = clinician_scope)
    and (patient is null or patient_id = patient)
