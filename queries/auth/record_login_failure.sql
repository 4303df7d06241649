-- Returns: the account's lockout end after counting one more failed sign-in; the count restarts when it locks.
-- Grain: one row per account updated (at most one).
-- Parameters: $username, $max_failures (integer), $locked_until (when a lockout that starts now would end)
update users
set
    failed_logins = case when failed_logins + 1 >= $max_failures then 0 else failed_logins + 1 end,
    locked_until = case when failed_logins + 1 >= $max_failures then $locked_until else locked_until end
where username = $username
returning locked_until
