with

base as (
    select * from {{ ref('base_core_banking__credit_bureau_reports') }}
    where _record_status = 'staged'
),

final as (
    select
        report_id,
        customer_id,
        cast(report_date as date) as report_date,
        cast(external_debt_amount as decimal(18,2)) as external_debt_amount,
        cast(delinquencies_24m as integer) as delinquencies_24m,
        cast(inquiries_6m as integer) as inquiries_6m,
        cast(worst_days_past_due_24m as integer) as worst_days_past_due_24m,
        cast(updated_at as timestamp) as updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
