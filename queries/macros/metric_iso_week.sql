-- Returns: a macro giving the ISO week a date falls in, written like 2026-W46.
-- Grain: one value per call.
-- Parameters: none
create or replace macro metric_iso_week(day) as strftime(day, '%G-W%V')
