-- Returns: a macro giving adherence as a percentage rounded half up to 1 decimal: the mean over days of
--          min(daily reps, target) / target, from the sum of capped reps, the (constant) target and the
--          number of days; null when there are no days. Integer arithmetic keeps halves exact.
-- Grain: one value per call.
-- Parameters: none
create or replace macro metric_adherence_pct(capped_reps, target, day_count) as
    case
        when day_count > 0 then
            ((2000 * capped_reps::hugeint + target * day_count) // (2 * target * day_count))::bigint / 10.0
    end
