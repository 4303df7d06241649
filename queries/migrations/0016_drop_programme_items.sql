-- Returns: nothing; drops programme_items as migration 0014 made it, its import_id referring to imports,
--          which cannot log a programme sheet (see 0015). Nothing could write the table before programme
--          imports and `rehab programme set` existed, so it is empty; 0017 makes it again.
-- Grain: one table dropped.
-- Parameters: none
drop table programme_items
