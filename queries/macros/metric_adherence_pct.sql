-- Returns: a macro giving adherence as a percentage rounded half up to 1 decimal from a list of days, each a
--          struct {reps, target}: the mean over the days of min(reps, target) / target; null for no days.
--          Exact: the shares are summed over the least common multiple of the targets in integers.
-- Grain: one value per call.
-- Parameters: none
create or replace macro metric_adherence_pct(days) as
    case
        when len(days) > 0 then
            metric_adherence_over(
                days,
                list_reduce(
                    list_distinct(list_transform(days, lambda day: day.target::hugeint)), lambda a, b: lcm(a, b)
                )
            )
    end
