-- Returns: the number of stored patients updated from typed_rows (used by --replace); only the columns
--          the sheet has are changed.
-- Grain: one row per stored patient in the sheet.
-- Parameters: $present_columns (the patients columns the sheet has)
update patients
set
    name = case when list_contains($present_columns, 'name') then incoming.name else patients.name end,
    clinician = case
        when list_contains($present_columns, 'clinician') then incoming.clinician else patients.clinician
    end,
    condition = case
        when list_contains($present_columns, 'condition') then incoming.condition else patients.condition
    end,
    start_date = incoming.start_date,
    daily_rep_target = case
        when list_contains($present_columns, 'daily_rep_target') then incoming.daily_rep_target
        else patients.daily_rep_target
    end,
    pain_ceiling = case
        when list_contains($present_columns, 'pain_ceiling') then incoming.pain_ceiling
        else patients.pain_ceiling
    end,
    flare_threshold = case
        when list_contains($present_columns, 'flare_threshold') then incoming.flare_threshold
        else patients.flare_threshold
    end,
    discharged_on = case
        when list_contains($present_columns, 'discharged_on') then incoming.discharged_on
        else patients.discharged_on
    end,
    acceptable_pain = case
        when list_contains($present_columns, 'acceptable_pain') then incoming.acceptable_pain
        else patients.acceptable_pain
    end
from typed_rows as incoming
where patients.patient_id = incoming.patient_id
