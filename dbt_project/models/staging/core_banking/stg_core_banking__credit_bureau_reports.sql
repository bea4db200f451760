with

base as (
    select * from {{ ref('base_core_banking__credit_bureau_reports') }}
    where _record_status = 'staged'
),

final as (
    select
        report_id,
        customer_id,
        report_date,
        external_debt_amount,
        delinquencies_24m,
        inquiries_6m,
        worst_days_past_due_24m,
        updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
