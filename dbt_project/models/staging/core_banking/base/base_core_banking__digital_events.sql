{#- Every raw digital_events row, checked: the first failing rule, then duplicates and versions. -#}

with

source as {{ not_materialized() }} (
    select * from {{ source('core_banking', 'digital_events') }}
    {% if is_incremental() %}
    where {{ rows_to_recheck(source('core_banking', 'digital_events'), ['event_id']) }}
    {% endif %}
),

known_customers as (
    select customer_id from {{ ref('base_core_banking__customers') }}
    where _record_status = 'staged'
),

validated as {{ materialized_if_incremental() }} (
    select
        source.event_id,
        source.customer_id,
        {{ safe_cast_to('source.event_at', 'timestamp') }} as event_at,
        source.event_type,
        source.page,
        source.channel,
        {{ safe_cast_to('source.updated_at', 'timestamp') }} as updated_at,
        source._source_file,
        source._row_number,
        source._extract_date,
        source._loaded_at,
        {{ row_hash(['source.event_id', 'source.customer_id', 'source.event_at', 'source.event_type', 'source.page', 'source.channel', 'source.updated_at']) }} as _row_hash,
        case
            when source.event_id is null
                then 'missing_key'
            when source.customer_id is null
                or source.event_at is null
                or source.event_type is null
                or source.updated_at is null
                then 'missing_value'
            when {{ fails_cast('source.event_at', 'timestamp') }}
                or {{ fails_cast('source.updated_at', 'timestamp') }}
                then 'invalid_date'
            when {{ is_unknown_code('source.event_type', 'event_type') }}
                or {{ is_unknown_code('source.page', 'page') }}
                or {{ is_unknown_code('source.channel', 'channel') }}
                then 'unknown_code'
            when {{ safe_cast_to('source.updated_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                or {{ safe_cast_to('source.event_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                then 'future_date'
            when known_customers.customer_id is null
                then 'orphan_key'
        end as _failed_rule
    from source
    left join known_customers
        on source.customer_id = known_customers.customer_id
),

final as (
    {{ classify_records('validated', ['event_id'], raw_relation='source') }}
)

select * from final
