with

base as (
    select * from {{ ref('base_core_banking__loan_repayments') }}
    where _record_status = 'staged'
),

final as (
    select
        repayment_id,
        loan_id,
        installment_number,
        due_date,
        paid_date,
        amount_due,
        amount_paid,
        days_past_due,
        updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
