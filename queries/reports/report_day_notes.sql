-- Returns: every note patients wrote on each day between two dates (pain, exercise and activity logs),
--          joined into one text per patient per day, for the clinic report's Daily sheet.
-- Grain: one row per patient per day with at least one note.
-- Parameters: $date_from (date), $date_to (date), $clinician_scope (clinician name, or null for everyone)
with scoped_patients as (
    select patient_id
    from patients
    where $clinician_scope::varchar is null or clinician = $clinician_scope
),

notes as (
    select patient_id, date, entry_id, note from pain_entries
    union all
    select patient_id, date, entry_id, note from exercise_entries
    union all
    select patient_id, date, entry_id, note from activity_entries
),

kept as (
    select notes.*
    from notes
    inner join scoped_patients using (patient_id)
    where notes.date between $date_from and $date_to
        and notes.note is not null
        and length(trim(notes.note)) > 0
),

final as (
    select
        patient_id,
        date,
        string_agg(distinct trim(note), '; ' order by trim(note)) as notes
    from kept
    group by patient_id, date
    order by patient_id, date
)

select * from final
