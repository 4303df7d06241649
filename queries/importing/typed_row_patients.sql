-- Returns: the patients the sheet being written names, whose maintained metrics its rows change.
-- Grain: one list.
-- Parameters: none
with final as (
    select coalesce(list(distinct patient_id), []) as patient_ids
    from typed_rows
)

select * from final
