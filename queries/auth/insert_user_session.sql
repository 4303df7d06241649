-- Returns: nothing; starts a sign-in session, with the one-time token that lets the browser fetch its cookie.
-- Grain: one row inserted.
-- Parameters: $session_hash, $username, $started_at, $handoff_hash, $handoff_expires_at
insert into user_sessions (session_hash, username, started_at, last_seen_at, handoff_hash, handoff_expires_at)
values ($session_hash, $username, $started_at, $started_at, $handoff_hash, $handoff_expires_at)
