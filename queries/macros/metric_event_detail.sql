-- Returns: a scalar macro giving an event's detail sentence from its parts (metric_event_days): the words
--          before the run's span, the span (metric_run_span from run_from to until, "since …, ongoing" when
--          ongoing) when the rule has one, and the words after it.
-- Grain: one value.
-- Parameters: none
create or replace macro metric_event_detail(head, spanned, tail, run_from, until, ongoing) as
    head || case when spanned then metric_run_span(run_from, until, ongoing) else '' end || tail
