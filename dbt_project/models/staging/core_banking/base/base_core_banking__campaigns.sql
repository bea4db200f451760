{#- Every raw campaigns row, checked: the first failing rule, then duplicates and versions. -#}

with

source as {{ not_materialized() }} (
    select * from {{ source('core_banking', 'campaigns') }}
    {% if is_incremental() %}
    where {{ rows_to_recheck(source('core_banking', 'campaigns'), ['campaign_id']) }}
    {% endif %}
),

validated as {{ materialized_if_incremental() }} (
    select
        source.campaign_id,
        source.campaign_name,
        source.product_code,
        source.channel,
        {{ safe_cast_to('source.start_date', 'date') }} as start_date,
        {{ safe_cast_to('source.end_date', 'date') }} as end_date,
        {{ safe_cast_to('source.holdout_share', 'decimal(5,4)') }} as holdout_share,
        {{ safe_cast_to('source.updated_at', 'timestamp') }} as updated_at,
        source._source_file,
        source._row_number,
        source._extract_date,
        source._loaded_at,
        {{ row_hash(['source.campaign_id', 'source.campaign_name', 'source.product_code', 'source.channel', 'source.start_date', 'source.end_date', 'source.holdout_share', 'source.updated_at']) }} as _row_hash,
        case
            when source.campaign_id is null
                then 'missing_key'
            when source.product_code is null
                or source.start_date is null
                or source.updated_at is null
                then 'missing_value'
            when {{ fails_cast('source.start_date', 'date') }}
                or {{ fails_cast('source.end_date', 'date') }}
                or {{ fails_cast('source.updated_at', 'timestamp') }}
                then 'invalid_date'
            when {{ fails_cast('source.holdout_share', 'decimal(5,4)') }}
                then 'invalid_amount'
            when {{ is_unknown_code('source.channel', 'channel') }}
                or source.product_code not in (select product_code from {{ ref('products') }})
                then 'unknown_code'
            when {{ safe_cast_to('source.updated_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                then 'future_date'
        end as _failed_rule
    from source
),

final as (
    {{ classify_records('validated', ['campaign_id'], raw_relation='source') }}
)

select * from final
