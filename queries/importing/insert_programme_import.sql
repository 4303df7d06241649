-- Returns: the id of a new programme_imports row for one programme sheet, numbered after the last one.
-- Grain: one row inserted.
-- Parameters: $source, $sha256, $imported_by, $rows_read
insert into programme_imports (import_id, source, sha256, imported_by, rows_read, rows_added, rows_skipped)
with numbered as (
    select coalesce(max(import_id), 0) + 1 as import_id from programme_imports
),

final as (
    select import_id, $source, $sha256, $imported_by, $rows_read, 0, 0 from numbered
)

select * from final
returning import_id
