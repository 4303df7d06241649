-- Returns: a table macro giving the clinic's vocabulary of alert rules, the one place it is defined: each
--          rule's id, the words clinicians read, its severity, the risk it gives a patient in the weekly
--          review, and its order there (the app and the reports read the same rows through
--          dashboard/vocabulary.py).
-- Grain: one row per rule.
-- Parameters: none
create or replace macro metric_rules() as table
select *
from (
    values
        ('flare', 'flare', 'high', 'red', 1),
        ('rising_streak', 'rising soreness', 'high', 'red', 2),
        ('pain_above_ceiling', 'pain above ceiling', 'high', 'red', 3),
        ('load_spike', 'load spike', 'medium', 'amber', 4),
        ('not_logging', 'not logging', 'medium', 'amber', 5),
        ('low_adherence', 'low adherence', 'medium', 'amber', 6)
) as rules (rule, words, severity, risk, position)
