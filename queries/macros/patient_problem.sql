-- Returns: a macro giving the reason a required patient_id cell is invalid (missing, or a patient neither
--          stored nor added by this import), or null.
-- Grain: one value per call.
-- Parameters: none
create or replace macro patient_problem(cell, import_patient_ids) as
    coalesce(
        required_problem(cell),
        case
            when blank_to_null(cell) not in (select patient_id from patients)
                and not list_contains(import_patient_ids, blank_to_null(cell))
                then 'unknown patient: not in the database nor in this import'
        end
    )
