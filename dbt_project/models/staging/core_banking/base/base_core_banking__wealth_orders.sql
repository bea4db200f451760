{#- Every raw wealth_orders row, checked: the first failing rule, then duplicates and versions. -#}

with

source as {{ not_materialized() }} (
    select * from {{ source('core_banking', 'wealth_orders') }}
    {% if is_incremental() %}
    where {{ rows_to_recheck(source('core_banking', 'wealth_orders'), ['order_id']) }}
    {% endif %}
),

known_customers as (
    select customer_id from {{ ref('base_core_banking__customers') }}
    where _record_status = 'staged'
),

known_accounts as (
    select account_id from {{ ref('base_core_banking__accounts') }}
    where _record_status = 'staged'
),

validated as {{ materialized_if_incremental() }} (
    select
        source.order_id,
        source.customer_id,
        source.account_id,
        source.product_code,
        source.order_type,
        {{ safe_cast_to('source.amount', 'decimal(18,2)') }} as amount,
        {{ safe_cast_to('source.ordered_at', 'timestamp') }} as ordered_at,
        {{ safe_cast_to('source.updated_at', 'timestamp') }} as updated_at,
        source._source_file,
        source._row_number,
        source._extract_date,
        source._loaded_at,
        {{ row_hash(['source.order_id', 'source.customer_id', 'source.account_id', 'source.product_code', 'source.order_type', 'source.amount', 'source.ordered_at', 'source.updated_at']) }} as _row_hash,
        case
            when source.order_id is null
                then 'missing_key'
            when source.customer_id is null
                or source.product_code is null
                or source.order_type is null
                or source.amount is null
                or source.ordered_at is null
                or source.updated_at is null
                then 'missing_value'
            when {{ fails_cast('source.ordered_at', 'timestamp') }}
                or {{ fails_cast('source.updated_at', 'timestamp') }}
                then 'invalid_date'
            when {{ fails_cast('source.amount', 'decimal(18,2)') }}
                then 'invalid_amount'
            when {{ is_unknown_code('source.order_type', 'order_type') }}
                or source.product_code not in (select product_code from {{ ref('products') }})
                then 'unknown_code'
            when {{ safe_cast_to('source.updated_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                or {{ safe_cast_to('source.ordered_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                then 'future_date'
            when known_customers.customer_id is null
                or (source.account_id is not null and known_accounts.account_id is null)
                then 'orphan_key'
        end as _failed_rule
    from source
    left join known_customers
        on source.customer_id = known_customers.customer_id
    left join known_accounts
        on source.account_id = known_accounts.account_id
),

final as (
    {{ classify_records('validated', ['order_id'], raw_relation='source') }}
)

select * from final
