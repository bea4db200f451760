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
        opened_date,
        closed_date,
        credit_limit,
        status,
        updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
