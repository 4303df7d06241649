-- Returns: nothing; replaces an account's password hash and clears its lockout.
-- Grain: one row updated.
-- Parameters: $username, $password_hash
update users
set password_hash = $password_hash, password_changed_at = current_timestamp, failed_logins = 0, locked_until = null
where username = $username
