-- Returns: for patients in typed_rows who are already stored, each column the sheet has whose value differs
--          from the stored one, with both values as text.
-- Grain: one row per patient per differing column.
-- Parameters: $present_columns (the patients columns the sheet has)
with incoming as (
    select * from typed_rows
),

stored as (
    select * from patients
),

paired as (
    select
        incoming.line,
        incoming.patient_id,
        [
            {'column_name': 'name', 'stored': stored.name, 'incoming': incoming.name},
            {'column_name': 'clinician', 'stored': stored.clinician, 'incoming': incoming.clinician},
            {'column_name': 'condition', 'stored': stored.condition, 'incoming': incoming.condition},
            {
                'column_name': 'start_date',
                'stored': cast(stored.start_date as varchar),
                'incoming': cast(incoming.start_date as varchar)
            },
            {
                'column_name': 'daily_rep_target',
                'stored': cast(stored.daily_rep_target as varchar),
                'incoming': cast(incoming.daily_rep_target as varchar)
            },
            {
                'column_name': 'pain_ceiling',
                'stored': cast(stored.pain_ceiling as varchar),
                'incoming': cast(incoming.pain_ceiling as varchar)
            },
            {
                'column_name': 'flare_threshold',
                'stored': cast(stored.flare_threshold as varchar),
                'incoming': cast(incoming.flare_threshold as varchar)
            },
            {
                'column_name': 'discharged_on',
                'stored': cast(stored.discharged_on as varchar),
                'incoming': cast(incoming.discharged_on as varchar)
            },
            {
                'column_name': 'acceptable_pain',
                'stored': cast(stored.acceptable_pain as varchar),
                'incoming': cast(incoming.acceptable_pain as varchar)
            }
        ] as comparisons
    from incoming
    inner join stored on incoming.patient_id = stored.patient_id
),

compared as (
    select line, patient_id, unnest(comparisons, recursive := true)
    from paired
),

final as (
    select line, patient_id, column_name, stored, incoming
    from compared
    where list_contains($present_columns, column_name)
        and stored is distinct from incoming
    order by line, column_name
)

select * from final
