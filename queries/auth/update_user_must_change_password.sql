-- Returns: nothing; sets whether an account must choose a new password at its next sign-in.
-- Grain: one row updated.
-- Parameters: $username, $must_change_password
update users
set must_change_password = $must_change_password
where username = $username
