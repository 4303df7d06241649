-- Returns: nothing; creates the server-side sign-in sessions that the browser's signed cookie names.
-- Grain: one row per sign-in; a row is kept after the session ends, as a record of when and why it ended.
-- Parameters: none
create table user_sessions (
    -- The SHA-256 of the session id; the id itself lives only in the signed cookie and never in this file.
    session_hash varchar primary key,
    username varchar not null,
    started_at timestamptz not null,
    -- The idle limit counts from here; refreshed as the person uses the app.
    last_seen_at timestamptz not null,
    -- The SHA-256 of the one-time token that lets the browser fetch its cookie; cleared when used.
    handoff_hash varchar,
    handoff_expires_at timestamptz,
    ended_at timestamptz,
    -- Why it ended: signed out, idle, password changed, account disabled.
    end_reason varchar
)
