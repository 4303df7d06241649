-- Returns: a macro naming the patient's reference morning level in an alert's detail: "usual 3",
--          "acceptable 4 (set)", or "usual level not yet known" (fewer than 4 logged mornings in 14 days).
-- Grain: one value per call.
-- Parameters: none
create or replace macro metric_reference_words(reference, acceptable) as
    case
        when acceptable is not null then 'acceptable ' || metric_score(acceptable) || ' (set)'
        when reference is not null then 'usual ' || metric_score(reference)
        else 'usual level not yet known'
    end
