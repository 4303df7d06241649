-- Returns: every account for the Accounts page: role, clinician, state, lockout, last sign-in; never a hash.
-- Grain: one row per account.
-- Parameters: $now (timestamptz: a lockout ending before it is over)
with sign_ins as (
    select actor as username, max(occurred_at) as last_sign_in
    from audit_log
    where action = 'login'
    group by actor
),

accounts as (
    select
        users.username,
        users.role,
        users.clinician,
        users.disabled,
        users.locked_until,
        users.must_change_password,
        sign_ins.last_sign_in
    from users
    left join sign_ins on sign_ins.username = users.username
),

final as (
    select
        username,
        role,
        clinician,
        case
            when disabled then 'disabled'
            when locked_until is not null and locked_until > cast($now as timestamptz) then 'locked'
            when must_change_password then 'must choose a new password'
            else 'active'
        end as state,
        case when locked_until > cast($now as timestamptz) then locked_until end as locked_until,
        last_sign_in
    from accounts
    order by username
)

select * from final
