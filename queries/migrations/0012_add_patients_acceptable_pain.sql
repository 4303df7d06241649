-- Returns: nothing; adds the patients file's optional acceptable morning pain (0-10, one decimal; null means
--          "learn it from the patient's own mornings"), which holds from start_date like the other settings.
-- Grain: one value per patient.
-- Parameters: none
alter table patients add column acceptable_pain decimal(3, 1)
