with

base as (
    select * from {{ ref('base_core_banking__transactions') }}
    where _record_status = 'staged'
),

final as (
    select
        transaction_id,
        account_id,
        cast(booked_at as timestamp) as booked_at,
        cast(amount as decimal(18,2)) as amount,
        currency,
        channel,
        mcc,
        counterparty_type,
        counterparty_id,
        cast(balance_after as decimal(18,2)) as balance_after,
        cast(updated_at as timestamp) as updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
