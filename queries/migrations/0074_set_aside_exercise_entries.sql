-- Returns: nothing; renames exercise_entries (migration 0005) to exercise_entries_before_0074, so that
--          exercise_entries can be made again without its foreign keys to patients and imports: DuckDB cannot
--          drop a constraint with alter table. All pending migrations are applied in one transaction, so this
--          rebuild (0070 to 0081) is never left half done.
-- Grain: one table renamed.
-- Parameters: none
alter table exercise_entries rename to exercise_entries_before_0074
