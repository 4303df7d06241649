-- Returns: nothing; records that one migration was applied.
-- Grain: one row inserted.
-- Parameters: $version (integer), $name (the migration file stem)
insert into schema_migrations (version, name) values ($version, $name)
