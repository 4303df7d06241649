-- Returns: a macro giving adherence as a percentage rounded half up to 1 decimal from a list of days, each a
--          struct {reps, target}: the mean over the days of min(reps, target) / target; null for no days.
--          The caller aggregates, over the same days, the sum of min(reps, target) and the lowest and highest
--          target: when every target is the same (most weeks) the figure is integer arithmetic on those;
--          otherwise the shares are summed over the least common multiple of the targets. Exact either way.
-- Grain: one value per call.
-- Parameters: none
create or replace macro metric_adherence_pct(days, capped_reps, lowest_target, highest_target) as
    case
        when len(days) = 0 then null
        when lowest_target = highest_target then
            (
                (2000 * capped_reps::hugeint + lowest_target::hugeint * len(days))
                // (2 * lowest_target::hugeint * len(days))
            )::bigint / 10.0
        else
            metric_adherence_over(
                days,
                list_reduce(
                    list_distinct(list_transform(days, lambda day: day.target::hugeint)), lambda a, b: lcm(a, b)
                )
            )
    end
