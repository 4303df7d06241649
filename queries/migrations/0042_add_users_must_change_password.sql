-- Returns: nothing; marks accounts whose password an admin chose (a one-time password), which the person must
--          replace with their own at their next sign-in before the app opens.
-- Grain: one flag per account.
-- Parameters: none
alter table users add column must_change_password boolean not null default false
