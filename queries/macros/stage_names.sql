-- Returns: a macro giving the programme stage ids in rehab order, as a list (from metric_stages).
-- Grain: one list.
-- Parameters: none
create or replace macro stage_names() as
    (select list(stage order by position) from metric_stages())
