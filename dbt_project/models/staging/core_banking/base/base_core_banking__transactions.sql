{#- Every raw transactions row, checked: the first failing rule, then duplicates and versions. -#}

with

source as {{ not_materialized() }} (
    select * from {{ source('core_banking', 'transactions') }}
    {% if is_incremental() %}
    where {{ rows_to_recheck(source('core_banking', 'transactions'), ['transaction_id']) }}
    {% endif %}
),

known_accounts as (
    select account_id from {{ ref('base_core_banking__accounts') }}
    where _record_status = 'staged'
),

validated as {{ materialized_if_incremental() }} (
    select
        source.transaction_id,
        source.account_id,
        {{ safe_cast_to('source.booked_at', 'timestamp') }} as booked_at,
        {{ safe_cast_to('source.amount', 'decimal(18,2)') }} as amount,
        source.currency,
        source.channel,
        source.mcc,
        source.counterparty_type,
        source.counterparty_id,
        {{ safe_cast_to('source.balance_after', 'decimal(18,2)') }} as balance_after,
        {{ safe_cast_to('source.updated_at', 'timestamp') }} as updated_at,
        source._source_file,
        source._row_number,
        source._extract_date,
        source._loaded_at,
        {{ row_hash(['source.transaction_id', 'source.account_id', 'source.booked_at', 'source.amount', 'source.currency', 'source.channel', 'source.mcc', 'source.counterparty_type', 'source.counterparty_id', 'source.balance_after', 'source.updated_at']) }} as _row_hash,
        case
            when source.transaction_id is null
                then 'missing_key'
            when source.account_id is null
                or source.booked_at is null
                or source.amount is null
                or source.updated_at is null
                then 'missing_value'
            when {{ fails_cast('source.booked_at', 'timestamp') }}
                or {{ fails_cast('source.updated_at', 'timestamp') }}
                then 'invalid_date'
            when {{ fails_cast('source.amount', 'decimal(18,2)') }}
                or {{ fails_cast('source.balance_after', 'decimal(18,2)') }}
                then 'invalid_amount'
            when {{ is_unknown_code('source.currency', 'currency') }}
                or {{ is_unknown_code('source.channel', 'channel') }}
                or {{ is_unknown_code('source.counterparty_type', 'counterparty_type') }}
                then 'unknown_code'
            when {{ safe_cast_to('source.updated_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                or {{ safe_cast_to('source.booked_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                then 'future_date'
            when known_accounts.account_id is null
                then 'orphan_key'
        end as _failed_rule
    from source
    left join known_accounts
        on source.account_id = known_accounts.account_id
),

final as (
    {{ classify_records('validated', ['transaction_id'], raw_relation='source') }}
)

select * from final
