{#- Every raw loans row, checked: the first failing rule, then duplicates and versions. -#}

with

source as {{ not_materialized() }} (
    select * from {{ source('core_banking', 'loans') }}
    {% if is_incremental() %}
    where {{ rows_to_recheck(source('core_banking', 'loans'), ['loan_id']) }}
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
        source.loan_id,
        source.customer_id,
        source.account_id,
        source.loan_type,
        {{ safe_cast_to('source.principal_amount', 'decimal(18,2)') }} as principal_amount,
        {{ safe_cast_to('source.interest_rate', 'decimal(8,5)') }} as interest_rate,
        {{ safe_cast_to('source.term_months', 'integer') }} as term_months,
        {{ safe_cast_to('source.originated_date', 'date') }} as originated_date,
        {{ safe_cast_to('source.maturity_date', 'date') }} as maturity_date,
        source.collateral_type,
        source.status,
        {{ safe_cast_to('source.updated_at', 'timestamp') }} as updated_at,
        source._source_file,
        source._row_number,
        source._extract_date,
        source._loaded_at,
        {{ row_hash(['source.loan_id', 'source.customer_id', 'source.account_id', 'source.loan_type', 'source.principal_amount', 'source.interest_rate', 'source.term_months', 'source.originated_date', 'source.maturity_date', 'source.collateral_type', 'source.status', 'source.updated_at']) }} as _row_hash,
        case
            when source.loan_id is null
                then 'missing_key'
            when source.customer_id is null
                or source.loan_type is null
                or source.principal_amount is null
                or source.originated_date is null
                or source.updated_at is null
                then 'missing_value'
            when {{ fails_cast('source.originated_date', 'date') }}
                or {{ fails_cast('source.maturity_date', 'date') }}
                or {{ fails_cast('source.updated_at', 'timestamp') }}
                then 'invalid_date'
            when {{ fails_cast('source.principal_amount', 'decimal(18,2)') }}
                or {{ fails_cast('source.interest_rate', 'decimal(8,5)') }}
                then 'invalid_amount'
            when {{ fails_cast('source.term_months', 'integer') }}
                then 'invalid_number'
            when {{ is_unknown_code('source.loan_type', 'loan_type') }}
                or {{ is_unknown_code('source.collateral_type', 'collateral_type') }}
                or {{ is_unknown_code('source.status', 'loan_status') }}
                then 'unknown_code'
            when {{ safe_cast_to('source.updated_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                or {{ safe_cast_to('source.originated_date', 'date') }} > source._extract_date
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
    {{ classify_records('validated', ['loan_id'], raw_relation='source') }}
)

select * from final
