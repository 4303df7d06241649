-- Returns: a sign-in session with the account it belongs to as stored now (role, scope, disabled); the account
--          columns are null when the account no longer exists; handoff_expires_at is set while the browser has
--          yet to fetch its cookie; no row for an unknown session.
-- Grain: one row per session (at most one).
-- Parameters: $session_hash
with session as (
    select session_hash, username, started_at, last_seen_at, handoff_expires_at, ended_at, end_reason
    from user_sessions
    where session_hash = $session_hash
),

with_account as (
    select
        session.session_hash, session.username, session.started_at, session.last_seen_at,
        session.handoff_expires_at, session.ended_at, session.end_reason, users.role, users.clinician,
        users.disabled
    from session
    left join users on users.username = session.username
),

final as (
    select * from with_account
)

select * from final
