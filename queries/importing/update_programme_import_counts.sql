-- Returns: nothing; stores how many rows one programme import added, skipped and replaced.
-- Grain: one programme_imports row updated.
-- Parameters: $import_id, $rows_added, $rows_skipped, $rows_replaced
update programme_imports
set rows_added = $rows_added, rows_skipped = $rows_skipped, rows_replaced = $rows_replaced
where import_id = $import_id
