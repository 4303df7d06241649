-- Returns: nothing; renames pain_entries (migration 0004) to pain_entries_before_0070, so that pain_entries
--          can be made again without its foreign keys to patients and imports: DuckDB cannot drop a
--          constraint with alter table. All pending migrations are applied in one transaction, so this
--          rebuild (0070 to 0081) is never left half done.
-- Grain: one table renamed.
-- Parameters: none
alter table pain_entries rename to pain_entries_before_0070
