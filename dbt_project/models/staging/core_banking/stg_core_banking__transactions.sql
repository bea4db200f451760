with

base as (
    select * from {{ ref('base_core_banking__transactions') }}
    where _record_status = 'staged'
),

final as (
    select
        transaction_id,
        account_id,
        booked_at,
        amount,
        currency,
        channel,
        mcc,
        counterparty_type,
        counterparty_id,
        balance_after,
        updated_at,
        _source_file,
        _loaded_at,
        _built_at
    from base
)

select * from final
