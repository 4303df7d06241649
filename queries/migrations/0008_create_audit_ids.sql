-- Returns: nothing; creates the sequence that numbers audit rows.
-- Grain: one sequence.
-- Parameters: none
create sequence if not exists audit_ids start 1
