{#- Every raw customers row, checked: the first failing rule, then duplicates and versions. -#}

with

source as {{ not_materialized() }} (
    select * from {{ source('core_banking', 'customers') }}
    {% if is_incremental() %}
    where {{ rows_to_recheck(source('core_banking', 'customers'), ['customer_id']) }}
    {% endif %}
),

validated as {{ materialized_if_incremental() }} (
    select
        source.customer_id,
        {{ mask_name('source.full_name') }} as full_name_masked,
        source.gender,
        {{ safe_cast_to('source.birth_date', 'date') }} as birth_date,
        {{ keyed_hash('source.id_number') }} as id_number_hash,
        {{ mask_id_number('source.id_number') }} as id_number_masked,
        {{ keyed_hash('source.mobile_phone') }} as mobile_phone_hash,
        {{ mask_phone('source.mobile_phone') }} as mobile_phone_masked,
        {{ keyed_hash('source.email') }} as email_hash,
        {{ mask_email('source.email') }} as email_masked,
        {{ mask_address('source.address') }} as address_masked,
        source.city,
        {{ safe_cast_to('source.city_tier', 'integer') }} as city_tier,
        source.occupation,
        source.employer_type,
        source.employer_id,
        {{ safe_cast_to('source.employment_start_date', 'date') }} as employment_start_date,
        source.education,
        source.marital_status,
        {{ safe_cast_to('source.declared_monthly_income', 'decimal(18,2)') }} as declared_monthly_income,
        source.kyc_risk_tolerance,
        {{ safe_cast_to('source.marketing_consent', 'boolean') }} as marketing_consent,
        {{ safe_cast_to('source.do_not_contact', 'boolean') }} as do_not_contact,
        {{ safe_cast_to('source.created_at', 'timestamp') }} as created_at,
        {{ safe_cast_to('source.updated_at', 'timestamp') }} as updated_at,
        source._source_file,
        source._row_number,
        source._extract_date,
        source._loaded_at,
        {{ row_hash(['source.customer_id', 'source.full_name', 'source.gender', 'source.birth_date', 'source.id_number', 'source.mobile_phone', 'source.email', 'source.address', 'source.city', 'source.city_tier', 'source.occupation', 'source.employer_type', 'source.employer_id', 'source.employment_start_date', 'source.education', 'source.marital_status', 'source.declared_monthly_income', 'source.kyc_risk_tolerance', 'source.marketing_consent', 'source.do_not_contact', 'source.created_at', 'source.updated_at']) }} as _row_hash,
        case
            when source.customer_id is null
                then 'missing_key'
            when source.birth_date is null
                or source.created_at is null
                or source.updated_at is null
                then 'missing_value'
            when {{ fails_cast('source.birth_date', 'date') }}
                or {{ fails_cast('source.employment_start_date', 'date') }}
                or {{ fails_cast('source.created_at', 'timestamp') }}
                or {{ fails_cast('source.updated_at', 'timestamp') }}
                then 'invalid_date'
            when {{ fails_cast('source.declared_monthly_income', 'decimal(18,2)') }}
                then 'invalid_amount'
            when {{ fails_cast('source.city_tier', 'integer') }}
                or {{ fails_cast('source.marketing_consent', 'boolean') }}
                or {{ fails_cast('source.do_not_contact', 'boolean') }}
                then 'invalid_number'
            when {{ is_unknown_code('source.gender', 'gender') }}
                or {{ is_unknown_code('source.occupation', 'occupation') }}
                or {{ is_unknown_code('source.employer_type', 'employer_type') }}
                or {{ is_unknown_code('source.education', 'education') }}
                or {{ is_unknown_code('source.marital_status', 'marital_status') }}
                or {{ is_unknown_code('source.kyc_risk_tolerance', 'risk_tolerance') }}
                then 'unknown_code'
            when {{ safe_cast_to('source.birth_date', 'date') }} > source._extract_date
                or {{ dbt.datediff(safe_cast_to('source.birth_date', 'date'), 'source._extract_date', 'year') }} > {{ var('max_customer_age_years') }}
                then 'impossible_age'
            when {{ safe_cast_to('source.updated_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                or {{ safe_cast_to('source.created_at', 'timestamp') }} >= {{ dbt.dateadd('day', 1, 'source._extract_date') }}
                then 'future_date'
        end as _failed_rule
    from source
),

final as (
    {{ classify_records('validated', ['customer_id'], raw_relation='source') }}
)

select * from final
