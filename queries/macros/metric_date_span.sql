-- Returns: a macro giving a date range as a physio writes it: "10 Nov", "10–13 Nov", "30 Oct–2 Nov",
--          with years only when the range crosses a new year.
-- Grain: one value per call.
-- Parameters: none
create or replace macro metric_date_span(first_day, last_day) as
    case
        when first_day = last_day then strftime(first_day, '%-d %b')
        when year(first_day) <> year(last_day) then
            strftime(first_day, '%-d %b %Y') || '–' || strftime(last_day, '%-d %b %Y')
        when month(first_day) = month(last_day) then
            strftime(first_day, '%-d') || '–' || strftime(last_day, '%-d %b')
        else strftime(first_day, '%-d %b') || '–' || strftime(last_day, '%-d %b')
    end
