-- Returns: the accounts an identity provider's email address maps to: the email column, else a username equal
--          to the address (case-insensitive); exact email matches first.
-- Grain: one row per matching account.
-- Parameters: $email
with matched as (
    select
        username, role, clinician, email, disabled,
        case when lower(email) = lower(trim($email)) then 0 else 1 end as match_rank
    from users
    where lower(email) = lower(trim($email)) or lower(username) = lower(trim($email))
),

final as (
    select * from matched
    order by match_rank, username
)

select * from final
