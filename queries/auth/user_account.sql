-- Returns: the account with this username, hash and lockout state included (for signing in), or no row.
-- Grain: one row per account (at most one).
-- Parameters: $username
with account as (
    select
        username, role, clinician, email, password_hash, disabled, failed_logins, locked_until,
        must_change_password
    from users
    where username = $username
),

final as (
    select * from account
)

select * from final
