-- Returns: the validated staged patients rows (staged_rows) as typed values, blanks given their defaults;
--          a patient listed twice with the same details appears once.
-- Grain: one row per patient in the sheet.
-- Parameters: none
with staged as (
    select * from staged_rows
),

typed as (
    select
        line,
        blank_to_null(patient_id) as patient_id,
        blank_to_null(name) as name,
        blank_to_null(clinician) as clinician,
        blank_to_null(condition) as condition,
        cast(blank_to_null(start_date) as date) as start_date,
        coalesce(cast(cast(blank_to_null(daily_rep_target) as double) as integer), 90) as daily_rep_target,
        coalesce(cast(blank_to_null(pain_ceiling) as decimal(3, 1)), 5) as pain_ceiling,
        coalesce(cast(blank_to_null(flare_threshold) as decimal(3, 1)), 2) as flare_threshold,
        cast(blank_to_null(discharged_on) as date) as discharged_on,
        cast(blank_to_null(acceptable_pain) as decimal(3, 1)) as acceptable_pain
    from staged
),

final as (
    select * from typed
    qualify row_number() over (partition by patient_id order by line) = 1
)

select * from final
