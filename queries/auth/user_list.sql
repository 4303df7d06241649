-- Returns: every account without its password hash, for `rehab user list`.
-- Grain: one row per account.
-- Parameters: none
with accounts as (
    select
        username, role, clinician, email, disabled, failed_logins, locked_until, created_at, password_changed_at
    from users
),

final as (
    select * from accounts
    order by username
)

select * from final
