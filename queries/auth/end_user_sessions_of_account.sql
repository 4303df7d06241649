-- Returns: nothing; ends every open session of one account (its password changed, or it was disabled).
-- Grain: one row updated per open session of the account.
-- Parameters: $username, $ended_at, $end_reason
update user_sessions
set ended_at = $ended_at, end_reason = $end_reason, handoff_hash = null, handoff_expires_at = null
where username = $username and ended_at is null
