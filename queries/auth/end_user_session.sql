-- Returns: the username of the session ended now; no row when it was unknown or had ended already.
-- Grain: one row per session updated (at most one).
-- Parameters: $session_hash, $ended_at, $end_reason
update user_sessions
set ended_at = $ended_at, end_reason = $end_reason, handoff_hash = null, handoff_expires_at = null
where session_hash = $session_hash and ended_at is null
returning username
