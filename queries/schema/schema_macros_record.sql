-- Returns: nothing; stores the digest of the macro definitions just applied (kept as version 0).
-- Grain: one row upserted.
-- Parameters: $digest (sha256 of the macro files)
insert or replace into schema_migrations (version, name, applied_at) values (0, $digest, current_timestamp)
