{#- Every raw loan_repayments row, checked: the first failing rule, then duplicates and versions. -#}

with

source as {{ not_materialized() }} (
    select * from {{ source('core_banking', 'loan_repayments') }}
    {% if is_incremental() %}
    where {{ rows_to_recheck(source('core_banking', 'loan_repayments'), ['repayment_id']) }}
    {% endif %}
),

known_loans as (
    select loan_id from {{ ref('base_core_banking__loans') }}
    where _record_status = 'staged'
),

validated as {{ materialized_if_incremental() }} (
    select
        source.repayment_id,
        source.loan_id,
        {{ safe_cast_to('source.installment_number', 'integer') }} as installment_number,
        {{ safe_cast_to('source.due_date', 'date') }} as due_date,
        {{ safe_cast_to('source.paid_date', 'date') }} as paid_date,
        {{ safe_cast_to('source.amount_due', 'decimal(18,2)') }} as amount_due,
        {{ safe_cast_to('source.amount_paid', 'decimal(18,2)') }} as amount_paid,
        {{ safe_cast_to('source.days_past_due', 'integer') }} as days_past_due,
        {{ safe_cast_to('source.updated_at', 'timestamp') }} as updated_at,
        source._source_file,
        source._row_number,
        source._extract_date,
        source._loaded_at,
        {{ row_hash(['source.repayment_id', 'source.loan_id', 'source.installment_number', 'source.due_date', 'source.paid_date', 'source.amount_due', 'source.amount_paid', 'source.days_past_due', 'source.updated_at']) }} as _row_hash,
        case
            when source.repayment_id is null
                then 'missing_key'
            when source.loan_id is null
                or source.due_date is null
                or source.amount_due is null
                or source.updated_at is null
                then 'missing_value'
            when {{ fails_cast('source.due_date', 'date') }}
                or {{ fails_cast('source.paid_date', 'date') }}
                or {{ fails_cast('source.updated_at', 'timestamp') }}
                then 'invalid_date'
            when {{ fails_cast('source.amount_due', 'decimal(18,2)') }}
                or {{ fails_cast('source.amount_paid', 'decimal(18,2)') }}
                then 'invalid_amount'
            when {{ fails_cast('source.installment_number', 'integer') }}
                or {{ fails_cast('source.days_past_due', 'integer') }}
                then 'invalid_number'
            when {{ safe_cast_to('source.updated_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                or {{ safe_cast_to('source.due_date', 'date') }} > source._extract_date
                then 'future_date'
            when known_loans.loan_id is null
                then 'orphan_key'
        end as _failed_rule
    from source
    left join known_loans
        on source.loan_id = known_loans.loan_id
),

final as (
    {{ classify_records('validated', ['repayment_id'], raw_relation='source') }}
)

select * from final
