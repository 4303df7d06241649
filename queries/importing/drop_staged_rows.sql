-- Returns: nothing; drops this cursor's temp view staged_rows over staged CSV cells, if any.
-- Grain: one view.
-- Parameters: none
drop view if exists staged_rows
