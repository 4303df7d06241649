-- Returns: nothing; disables or re-enables an account (re-enabling also clears its lockout).
-- Grain: one row updated.
-- Parameters: $username, $disabled
update users
set
    disabled = $disabled,
    failed_logins = case when $disabled then failed_logins else 0 end,
    locked_until = case when $disabled then locked_until else null end
where username = $username
