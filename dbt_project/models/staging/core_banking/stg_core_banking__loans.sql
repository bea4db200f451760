with

base as (
    select * from {{ ref('base_core_banking__loans') }}
    where _record_status = 'staged'
),

final as (
    select
        loan_id,
        customer_id,
        account_id,
        loan_type,
        principal_amount,
        interest_rate,
        term_months,
        originated_date,
        maturity_date,
        collateral_type,
        status,
        updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
