with

base as (
    select * from {{ ref('base_core_banking__accounts') }}
    where _record_status = 'staged'
),

final as (
    select
        account_id,
        customer_id,
        account_type,
        currency,
        cast(opened_date as date) as opened_date,
        cast(closed_date as date) as closed_date,
        cast(credit_limit as decimal(18,2)) as credit_limit,
        status,
        cast(updated_at as timestamp) as updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
