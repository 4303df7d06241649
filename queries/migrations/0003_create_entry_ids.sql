-- Returns: nothing; creates the sequence that numbers every log entry across kinds.
-- Grain: one sequence.
-- Parameters: none
create sequence if not exists entry_ids start 1
