-- Returns: a macro giving the programme stages, in rehab order.
-- Grain: one list.
-- Parameters: none
create or replace macro stage_names() as
    ['isometric', 'isotonic', 'heavy_slow', 'eccentric', 'energy_storage', 'plyometric', 'other']
