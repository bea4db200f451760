{#- Every raw holdings row, checked: the first failing rule, then duplicates and versions. -#}

with

source as {{ not_materialized() }} (
    select * from {{ source('core_banking', 'holdings') }}
    {% if is_incremental() %}
    where {{ rows_to_recheck(source('core_banking', 'holdings'), ['customer_id', 'product_code', 'snapshot_date']) }}
    {% endif %}
),

known_customers as (
    select customer_id from {{ ref('base_core_banking__customers') }}
    where _record_status = 'staged'
),

validated as {{ materialized_if_incremental() }} (
    select
        source.snapshot_date,
        source.customer_id,
        source.product_code,
        {{ safe_cast_to('source.market_value', 'decimal(18,2)') }} as market_value,
        {{ safe_cast_to('source.updated_at', 'timestamp') }} as updated_at,
        source._source_file,
        source._row_number,
        source._extract_date,
        source._loaded_at,
        {{ row_hash(['source.snapshot_date', 'source.customer_id', 'source.product_code', 'source.market_value', 'source.updated_at']) }} as _row_hash,
        case
            when source.customer_id is null or source.product_code is null or source.snapshot_date is null
                then 'missing_key'
            when source.market_value is null
                or source.updated_at is null
                then 'missing_value'
            when {{ fails_cast('source.snapshot_date', 'date') }}
                or {{ fails_cast('source.updated_at', 'timestamp') }}
                then 'invalid_date'
            when {{ fails_cast('source.market_value', 'decimal(18,2)') }}
                then 'invalid_amount'
            when source.product_code not in (select product_code from {{ ref('products') }})
                then 'unknown_code'
            when {{ safe_cast_to('source.updated_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                or {{ safe_cast_to('source.snapshot_date', 'date') }} > source._extract_date
                then 'future_date'
            when known_customers.customer_id is null
                then 'orphan_key'
        end as _failed_rule
    from source
    left join known_customers
        on source.customer_id = known_customers.customer_id
),

final as (
    {{ classify_records('validated', ['customer_id', 'product_code', 'snapshot_date'], raw_relation='source') }}
)

select * from final
