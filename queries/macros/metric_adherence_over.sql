-- Returns: a macro giving metric_adherence_pct's rounded percentage once the common multiple of the days'
--          targets is known: floor((1000 * sum of shares / days) + 1/2) / 10 in integer arithmetic.
-- Grain: one value per call.
-- Parameters: none
create or replace macro metric_adherence_over(days, common) as
    (
        (
            2000 * list_sum(list_transform(days, lambda day: least(day.reps, day.target)::hugeint * (common // day.target)))
            + common * len(days)
        ) // (2 * common * len(days))
    )::bigint / 10.0
