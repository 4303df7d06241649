-- Returns: a table macro giving, per visible patient, what they tolerate: for every load kind (an exercise
--          name or an activity kind, compared trimmed and case-insensitively, shown as most recently
--          written; an exercise and an activity of the same name are two kinds) done on a response day in
--          [day_from, day_to] — a loading day d whose 24-hour response exists (both mornings logged, both
--          programme days, d+1 on or before as_of) — the response days with and without it, the mean
--          response of each, their difference (null without days without), the flares among the days with
--          it, the dose (mean daily reps of an exercise, or minutes of an activity, on the days done) and a
--          verdict: 'not enough data' (fewer than 4 days done), 'likely aggravating' (at least 4 days without
--          and a difference of 1.0 or more), 'well tolerated' (mean response with it 0 or less and no flare),
--          else 'no clear signal'. An association in the patient's log, not proof of cause.
-- Grain: one row per patient per load kind.
-- Parameters: none
create or replace macro metric_tolerance(as_of, clinician_scope, patient, day_from, day_to) as table
-- The maintained days (the caller brings them up to as_of): their statuses are judged against the whole
-- usual level from any day on, so the range and the morning after it suffice.
with days as (
    select *
    from metric_stored_days(as_of, clinician_scope, patient, day_from, day_to + 1)
),

-- metric_days dates a response on the morning it is observed; here it belongs to the loading day before.
response_days as (
    select
        patient_id,
        date - 1 as day,
        response,
        response_status = 'flare' as flared
    from days
    where response is not null
        and date - 1 between day_from and day_to
),

exercise_doses as (
    select
        patient_id,
        date as day,
        'exercise' as kind,
        lower(trim(exercise)) as kind_key,
        arg_max(trim(exercise), entry_id) as written,
        sum(sets * reps)::double as dose
    from exercise_entries
    where date between day_from and day_to
        and (patient is null or patient_id = patient)
    group by patient_id, date, lower(trim(exercise))
),

activity_doses as (
    select
        patient_id,
        date as day,
        'activity' as kind,
        lower(trim(activity)) as kind_key,
        arg_max(trim(activity), entry_id) as written,
        sum(duration_min)::double as dose
    from activity_entries
    where date between day_from and day_to
        and (patient is null or patient_id = patient)
    group by patient_id, date, lower(trim(activity))
),

done as (
    select doses.*, response_days.response, response_days.flared
    from (select * from exercise_doses union all select * from activity_doses) as doses
    inner join response_days on response_days.patient_id = doses.patient_id and response_days.day = doses.day
),

per_patient as (
    select
        patient_id,
        count(*) as response_days,
        sum(response) as total_response
    from response_days
    group by patient_id
),

kinds as (
    select
        done.patient_id,
        done.kind,
        done.kind_key,
        arg_max(done.written, done.day) as name,
        max(done.day) as last_done,
        count(*) as days_done,
        avg(done.response::double) as mean_response_with,
        any_value(per_patient.response_days) - count(*) as days_without,
        case
            when any_value(per_patient.response_days) > count(*) then
                (any_value(per_patient.total_response) - sum(done.response))::double
                / (any_value(per_patient.response_days) - count(*))
        end as mean_response_without,
        count(*) filter (where done.flared) as flares_with,
        avg(done.dose) as dose,
        sum(done.response) as sum_with,
        any_value(per_patient.total_response) - sum(done.response) as sum_without
    from done
    inner join per_patient on per_patient.patient_id = done.patient_id
    group by done.patient_id, done.kind, done.kind_key
),

judged as (
    select
        *,
        mean_response_with - mean_response_without as difference,
        case
            when days_done < 4 then 'not enough data'
            -- Exact on the decimal sums: with - without >= 1 is sum_with / n - sum_without / m >= 1.
            when days_without >= 4 and sum_with * days_without - sum_without * days_done >= days_done * days_without
                then 'likely aggravating'
            when sum_with <= 0 and flares_with = 0 then 'well tolerated'
            else 'no clear signal'
        end as verdict
    from kinds
),

final as (
    select
        patient_id,
        kind,
        kind_key,
        name,
        last_done,
        days_done,
        mean_response_with,
        days_without,
        mean_response_without,
        difference,
        flares_with,
        dose,
        verdict,
        list_position(['likely aggravating', 'no clear signal', 'well tolerated', 'not enough data'], verdict)
            as verdict_order
    from judged
)

select * from final
