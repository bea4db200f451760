{#- Every raw campaign_contacts row, checked: the first failing rule, then duplicates and versions. -#}

with

source as {{ not_materialized() }} (
    select * from {{ source('core_banking', 'campaign_contacts') }}
    {% if is_incremental() %}
    where {{ rows_to_recheck(source('core_banking', 'campaign_contacts'), ['contact_id']) }}
    {% endif %}
),

known_campaigns as (
    select campaign_id from {{ ref('base_core_banking__campaigns') }}
    where _record_status = 'staged'
),

known_customers as (
    select customer_id from {{ ref('base_core_banking__customers') }}
    where _record_status = 'staged'
),

validated as {{ materialized_if_incremental() }} (
    select
        source.contact_id,
        source.campaign_id,
        source.customer_id,
        {{ safe_cast_to('source.is_holdout', 'boolean') }} as is_holdout,
        {{ safe_cast_to('source.contacted_at', 'timestamp') }} as contacted_at,
        {{ safe_cast_to('source.responded', 'boolean') }} as responded,
        {{ safe_cast_to('source.responded_at', 'timestamp') }} as responded_at,
        {{ safe_cast_to('source.updated_at', 'timestamp') }} as updated_at,
        source._source_file,
        source._row_number,
        source._extract_date,
        source._loaded_at,
        {{ row_hash(['source.contact_id', 'source.campaign_id', 'source.customer_id', 'source.is_holdout', 'source.contacted_at', 'source.responded', 'source.responded_at', 'source.updated_at']) }} as _row_hash,
        case
            when source.contact_id is null
                then 'missing_key'
            when source.campaign_id is null
                or source.customer_id is null
                or source.is_holdout is null
                or source.updated_at is null
                then 'missing_value'
            when {{ fails_cast('source.contacted_at', 'timestamp') }}
                or {{ fails_cast('source.responded_at', 'timestamp') }}
                or {{ fails_cast('source.updated_at', 'timestamp') }}
                then 'invalid_date'
            when {{ fails_cast('source.is_holdout', 'boolean') }}
                or {{ fails_cast('source.responded', 'boolean') }}
                then 'invalid_number'
            when {{ safe_cast_to('source.updated_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                or {{ safe_cast_to('source.contacted_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                then 'future_date'
            when known_campaigns.campaign_id is null
                or known_customers.customer_id is null
                then 'orphan_key'
        end as _failed_rule
    from source
    left join known_campaigns
        on source.campaign_id = known_campaigns.campaign_id
    left join known_customers
        on source.customer_id = known_customers.customer_id
),

final as (
    {{ classify_records('validated', ['contact_id'], raw_relation='source') }}
)

select * from final
