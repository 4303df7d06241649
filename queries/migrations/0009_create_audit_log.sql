-- Returns: nothing; creates the audit trail: who did what, when, to which patient.
-- Grain: one row per recorded action.
-- Parameters: none
create table audit_log (
    audit_id bigint primary key default nextval('audit_ids'),
    occurred_at timestamptz not null default current_timestamp,
    actor varchar not null,
    action varchar not null,
    patient_id varchar,
    detail varchar
)
