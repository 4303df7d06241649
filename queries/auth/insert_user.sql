-- Returns: nothing; adds one account (the password already hashed).
-- Grain: one row inserted.
-- Parameters: $username, $role, $clinician (may be null), $email (may be null), $password_hash
insert into users (username, role, clinician, email, password_hash)
values ($username, $role, $clinician, $email, $password_hash)
