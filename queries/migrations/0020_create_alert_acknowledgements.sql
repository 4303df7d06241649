-- Returns: nothing; creates the acknowledgements clinicians give to alerts in the app's inbox.
-- Grain: one row per acknowledged alert (patient, rule, date); an alert is acknowledged at most once.
-- Parameters: none
create table alert_acknowledgements (
    patient_id varchar not null references patients (patient_id),
    rule varchar not null check (length(trim(rule)) > 0),
    date date not null,
    acknowledged_by varchar not null check (length(trim(acknowledged_by)) > 0),
    acknowledged_at timestamptz not null default current_timestamp,
    note varchar,
    primary key (patient_id, rule, date)
)
