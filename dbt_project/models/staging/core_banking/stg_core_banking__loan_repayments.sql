with

base as (
    select * from {{ ref('base_core_banking__loan_repayments') }}
    where _record_status = 'staged'
),

final as (
    select
        repayment_id,
        loan_id,
        cast(installment_number as integer) as installment_number,
        cast(due_date as date) as due_date,
        cast(paid_date as date) as paid_date,
        cast(amount_due as decimal(18,2)) as amount_due,
        cast(amount_paid as decimal(18,2)) as amount_paid,
        cast(days_past_due as integer) as days_past_due,
        cast(updated_at as timestamp) as updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
