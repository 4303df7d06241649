-- Returns: nothing; renames activity_entries (migration 0006) to activity_entries_before_0078, so that
--          activity_entries can be made again without its foreign keys to patients and imports: DuckDB cannot
--          drop a constraint with alter table. All pending migrations are applied in one transaction, so this
--          rebuild (0070 to 0081) is never left half done.
-- Grain: one table renamed.
-- Parameters: none
alter table activity_entries rename to activity_entries_before_0078
