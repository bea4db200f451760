{#- Every raw service_interactions row, checked: the first failing rule, then duplicates and versions. -#}

with

source as {{ not_materialized() }} (
    select * from {{ source('core_banking', 'service_interactions') }}
    {% if is_incremental() %}
    where {{ rows_to_recheck(source('core_banking', 'service_interactions'), ['interaction_id']) }}
    {% endif %}
),

known_customers as (
    select customer_id from {{ ref('base_core_banking__customers') }}
    where _record_status = 'staged'
),

validated as {{ materialized_if_incremental() }} (
    select
        source.interaction_id,
        source.customer_id,
        {{ safe_cast_to('source.interaction_at', 'timestamp') }} as interaction_at,
        source.interaction_type,
        source.channel,
        source.topic,
        {{ safe_cast_to('source.is_resolved', 'boolean') }} as is_resolved,
        {{ safe_cast_to('source.satisfaction_score', 'integer') }} as satisfaction_score,
        {{ safe_cast_to('source.updated_at', 'timestamp') }} as updated_at,
        source._source_file,
        source._row_number,
        source._extract_date,
        source._loaded_at,
        {{ row_hash(['source.interaction_id', 'source.customer_id', 'source.interaction_at', 'source.interaction_type', 'source.channel', 'source.topic', 'source.is_resolved', 'source.satisfaction_score', 'source.updated_at']) }} as _row_hash,
        case
            when source.interaction_id is null
                then 'missing_key'
            when source.customer_id is null
                or source.interaction_at is null
                or source.interaction_type is null
                or source.updated_at is null
                then 'missing_value'
            when {{ fails_cast('source.interaction_at', 'timestamp') }}
                or {{ fails_cast('source.updated_at', 'timestamp') }}
                then 'invalid_date'
            when {{ fails_cast('source.satisfaction_score', 'integer') }}
                or {{ fails_cast('source.is_resolved', 'boolean') }}
                then 'invalid_number'
            when {{ is_unknown_code('source.interaction_type', 'interaction_type') }}
                or {{ is_unknown_code('source.channel', 'channel') }}
                or {{ is_unknown_code('source.topic', 'topic') }}
                then 'unknown_code'
            when {{ safe_cast_to('source.updated_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                or {{ safe_cast_to('source.interaction_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                then 'future_date'
            when known_customers.customer_id is null
                then 'orphan_key'
        end as _failed_rule
    from source
    left join known_customers
        on source.customer_id = known_customers.customer_id
),

final as (
    {{ classify_records('validated', ['interaction_id'], raw_relation='source') }}
)

select * from final
