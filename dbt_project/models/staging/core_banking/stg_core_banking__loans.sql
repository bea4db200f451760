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
        cast(principal_amount as decimal(18,2)) as principal_amount,
        cast(interest_rate as decimal(8,5)) as interest_rate,
        cast(term_months as integer) as term_months,
        cast(originated_date as date) as originated_date,
        cast(maturity_date as date) as maturity_date,
        collateral_type,
        status,
        cast(updated_at as timestamp) as updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
