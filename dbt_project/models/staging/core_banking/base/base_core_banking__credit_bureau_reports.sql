{#- Every raw credit_bureau_reports row, checked: the first failing rule, then duplicates and versions. -#}

with

source as {{ not_materialized() }} (
    select * from {{ source('core_banking', 'credit_bureau_reports') }}
    {% if is_incremental() %}
    where {{ rows_to_recheck(source('core_banking', 'credit_bureau_reports'), ['report_id']) }}
    {% endif %}
),

known_customers as (
    select customer_id from {{ ref('base_core_banking__customers') }}
    where _record_status = 'staged'
),

validated as {{ materialized_if_incremental() }} (
    select
        source.report_id,
        source.customer_id,
        {{ safe_cast_to('source.report_date', 'date') }} as report_date,
        {{ safe_cast_to('source.external_debt_amount', 'decimal(18,2)') }} as external_debt_amount,
        {{ safe_cast_to('source.delinquencies_24m', 'integer') }} as delinquencies_24m,
        {{ safe_cast_to('source.inquiries_6m', 'integer') }} as inquiries_6m,
        {{ safe_cast_to('source.worst_days_past_due_24m', 'integer') }} as worst_days_past_due_24m,
        {{ safe_cast_to('source.updated_at', 'timestamp') }} as updated_at,
        source._source_file,
        source._row_number,
        source._extract_date,
        source._loaded_at,
        {{ row_hash(['source.report_id', 'source.customer_id', 'source.report_date', 'source.external_debt_amount', 'source.delinquencies_24m', 'source.inquiries_6m', 'source.worst_days_past_due_24m', 'source.updated_at']) }} as _row_hash,
        case
            when source.report_id is null
                then 'missing_key'
            when source.customer_id is null
                or source.report_date is null
                or source.updated_at is null
                then 'missing_value'
            when {{ fails_cast('source.report_date', 'date') }}
                or {{ fails_cast('source.updated_at', 'timestamp') }}
                then 'invalid_date'
            when {{ fails_cast('source.external_debt_amount', 'decimal(18,2)') }}
                then 'invalid_amount'
            when {{ fails_cast('source.delinquencies_24m', 'integer') }}
                or {{ fails_cast('source.inquiries_6m', 'integer') }}
                or {{ fails_cast('source.worst_days_past_due_24m', 'integer') }}
                then 'invalid_number'
            when {{ safe_cast_to('source.updated_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                or {{ safe_cast_to('source.report_date', 'date') }} > source._extract_date
                then 'future_date'
            when known_customers.customer_id is null
                then 'orphan_key'
        end as _failed_rule
    from source
    left join known_customers
        on source.customer_id = known_customers.customer_id
),

final as (
    {{ classify_records('validated', ['report_id'], raw_relation='source') }}
)

select * from final
