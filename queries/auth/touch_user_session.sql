-- Returns: nothing; records that an open session was used now, which restarts its idle limit.
-- Grain: one row updated (at most one).
-- Parameters: $session_hash, $seen_at
update user_sessions
set last_seen_at = $seen_at
where session_hash = $session_hash and ended_at is null and last_seen_at < $seen_at
