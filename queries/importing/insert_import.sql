-- Returns: the id of a new imports row for one sheet, numbered after the last one.
-- Grain: one row inserted.
-- Parameters: $source, $kind, $sha256, $imported_by, $rows_read
insert into imports (import_id, source, kind, sha256, imported_by, rows_read, rows_added, rows_skipped)
with numbered as (
    select coalesce(max(import_id), 0) + 1 as import_id from imports
),

final as (
    select import_id, $source, $kind, $sha256, $imported_by, $rows_read, 0, 0 from numbered
)

select * from final
returning import_id
