-- Returns: nothing; exposes staged_csv_cells to this cursor's import queries as the temp view staged_rows,
--          each row with the editor line it is on (the header is line 1), wholly blank rows left out.
-- Grain: one row per non-blank data line.
-- Parameters: none
create or replace temp view staged_rows as
-- One insert stored the cells in file order, one row per line, with consecutive row ids (staging checks
-- both), so a row's distance from the first row id gives its line. Row ids of a table made inside a
-- transaction start far from zero, hence the subtraction rather than rowid + 2.
with numbered as (
    select rowid - (select min(rowid) from staged_csv_cells) + 2 as line, *
    from staged_csv_cells
),

final as (
    select * exclude (blank) from numbered
    where not blank
)

select * from final
