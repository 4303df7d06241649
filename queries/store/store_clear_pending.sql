-- Returns: nothing; forgets the patients waiting for a refresh, once their days are computed again.
-- Grain: the whole table.
-- Parameters: none
delete from metric_store_pending
