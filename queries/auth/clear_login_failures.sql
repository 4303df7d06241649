-- Returns: nothing; forgets an account's failed sign-ins after a successful one.
-- Grain: one row updated.
-- Parameters: $username
update users
set failed_logins = 0, locked_until = null
where username = $username
