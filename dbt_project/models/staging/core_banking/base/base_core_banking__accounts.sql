{#- Every raw accounts row, checked: the first failing rule, then duplicates and versions. -#}

with

source as {{ not_materialized() }} (
    select * from {{ source('core_banking', 'accounts') }}
    {% if is_incremental() %}
    where {{ rows_to_recheck(source('core_banking', 'accounts'), ['account_id']) }}
    {% endif %}
),

known_customers as (
    select customer_id from {{ ref('base_core_banking__customers') }}
    where _record_status = 'staged'
),

validated as {{ materialized_if_incremental() }} (
    select
        source.account_id,
        source.customer_id,
        source.account_type,
        source.currency,
        {{ safe_cast_to('source.opened_date', 'date') }} as opened_date,
        {{ safe_cast_to('source.closed_date', 'date') }} as closed_date,
        {{ safe_cast_to('source.credit_limit', 'decimal(18,2)') }} as credit_limit,
        source.status,
        {{ safe_cast_to('source.updated_at', 'timestamp') }} as updated_at,
        source._source_file,
        source._row_number,
        source._extract_date,
        source._loaded_at,
        {{ row_hash(['source.account_id', 'source.customer_id', 'source.account_type', 'source.currency', 'source.opened_date', 'source.closed_date', 'source.credit_limit', 'source.status', 'source.updated_at']) }} as _row_hash,
        case
            when source.account_id is null
                then 'missing_key'
            when source.customer_id is null
                or source.account_type is null
                or source.opened_date is null
                or source.updated_at is null
                then 'missing_value'
            when {{ fails_cast('source.opened_date', 'date') }}
                or {{ fails_cast('source.closed_date', 'date') }}
                or {{ fails_cast('source.updated_at', 'timestamp') }}
                then 'invalid_date'
            when {{ fails_cast('source.credit_limit', 'decimal(18,2)') }}
                then 'invalid_amount'
            when {{ is_unknown_code('source.account_type', 'account_type') }}
                or {{ is_unknown_code('source.currency', 'currency') }}
                or {{ is_unknown_code('source.status', 'account_status') }}
                then 'unknown_code'
            when {{ safe_cast_to('source.updated_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                or {{ safe_cast_to('source.opened_date', 'date') }} > source._extract_date
                then 'future_date'
            when known_customers.customer_id is null
                then 'orphan_key'
        end as _failed_rule
    from source
    left join known_customers
        on source.customer_id = known_customers.customer_id
),

final as (
    {{ classify_records('validated', ['account_id'], raw_relation='source') }}
)

select * from final
