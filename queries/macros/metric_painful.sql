-- Returns: a macro saying whether a morning is "painful by a rise of R": the rise reaches the flare threshold,
--          the morning is above Silbernagel's 0-2 safe zone, and, when the patient's reference level is known,
--          the morning is at least the threshold above it. Decimal arithmetic keeps every comparison exact.
-- Grain: one value per call.
-- Parameters: none
create or replace macro metric_painful(morning, rise, threshold, reference) as
    rise >= threshold
    and morning > 2
    and (reference is null or morning >= reference + threshold)
