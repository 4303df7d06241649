-- Returns: the number of pain scores deleted; only ever called after archive_pain_entries kept them.
-- Grain: one row per deleted score.
-- Parameters: $entry_ids (the pain entries being replaced)
delete from pain_entries where list_contains($entry_ids, entry_id)
