-- Returns: a table macro giving the programme stages, the one place they are defined: each stage's id, the
--          words clinicians read, its rank in the loading progression (isometric 1; isotonic, heavy slow
--          resistance and eccentric 2; energy storage 3; plyometric 4; other has none) and its position in
--          rehab order. dashboard/vocabulary.py reads the same rows for the app, the importer and reports.
-- Grain: one row per stage.
-- Parameters: none
create or replace macro metric_stages() as table
select *
from (
    values
        ('isometric', 'Isometric', 1, 1),
        ('isotonic', 'Isotonic', 2, 2),
        ('heavy_slow', 'Heavy slow resistance', 2, 3),
        ('eccentric', 'Eccentric', 2, 4),
        ('energy_storage', 'Energy storage', 3, 5),
        ('plyometric', 'Plyometric', 4, 6),
        ('other', 'Other', null, 7)
) as stages (stage, words, rank, position)
