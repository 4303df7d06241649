-- Returns: nothing; creates the dashboard's accounts: who may sign in, as what, seeing which clinician's patients.
-- Grain: one row per account.
-- Parameters: none
create table users (
    username varchar primary key,
    role varchar not null check (role in ('clinician', 'admin')),
    -- The patients.clinician value a clinician account may see; null for admins.
    clinician varchar,
    -- The address an OpenID Connect provider reports for this person, when the app signs in through one.
    email varchar,
    -- An argon2id hash in PHC form; the password itself is never stored.
    password_hash varchar not null,
    disabled boolean not null default false,
    -- Failed sign-ins since the last success or lockout; the fifth locks the account until locked_until.
    failed_logins integer not null default 0,
    locked_until timestamptz,
    created_at timestamptz not null default current_timestamp,
    password_changed_at timestamptz not null default current_timestamp
)
