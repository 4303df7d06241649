-- Returns: a macro giving a pain score (or other number) as short text: 6 not 6.0, 2.5 stays 2.5.
-- Grain: one value per call.
-- Parameters: none
create or replace macro metric_score(value) as format('{:g}', value::double)
