-- Returns: a macro giving the cell without leading and trailing whitespace of any kind (tabs, line breaks,
--          no-break and other Unicode spaces), the same characters Arrow's utf8_trim_whitespace removes.
-- Grain: one value per call.
-- Parameters: none
create or replace macro trim_whitespace(cell) as
    -- trim() with a list of characters is slow, and a cell that starts and ends with printable ASCII (or an
    -- empty one) has nothing to trim: only the others pay for it. The first byte is tested by comparing the
    -- whole cell, which DuckDB does on the string's inlined prefix, twice as fast as taking a substring.
    case
        when cell >= '!' and cell < chr(127) and substr(cell, -1, 1) between '!' and '~' then cell
        when cell = '' then cell
        else trim(
            cell,
            chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || chr(28) || chr(29) || chr(30) || chr(31)
            || chr(32) || chr(133) || chr(160) || chr(5760) || chr(8192) || chr(8193) || chr(8194)
            || chr(8195) || chr(8196) || chr(8197) || chr(8198) || chr(8199) || chr(8200) || chr(8201)
            || chr(8202) || chr(8232) || chr(8233) || chr(8239) || chr(8287) || chr(12288)
        )
    end
