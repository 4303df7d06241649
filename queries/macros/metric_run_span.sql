-- Returns: a macro giving the days a run covers as a physio writes them: "16–18 Nov", or "since 26 Oct,
--          ongoing" when the run reaches the as-of date.
-- Grain: one value per call.
-- Parameters: none
create or replace macro metric_run_span(first_day, until, ongoing) as
    case
        when ongoing then 'since ' || strftime(first_day, '%-d %b') || ', ongoing'
        else metric_date_span(first_day, until)
    end
