-- Returns: the username of the open session whose unexpired one-time token this is, using the token up; no row
--          when the token is unknown, used, expired, or its session has ended.
-- Grain: one row per session updated (at most one).
-- Parameters: $handoff_hash, $session_hash, $seen_at
update user_sessions
set handoff_hash = null, handoff_expires_at = null
where handoff_hash = $handoff_hash
    and session_hash = $session_hash
    and handoff_expires_at > $seen_at
    and ended_at is null
returning username
