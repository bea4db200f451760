with

base as (
    select * from {{ ref('base_core_banking__customers') }}
    where _record_status = 'staged'
),

final as (
    select
        customer_id,
        full_name_masked,
        gender,
        cast(birth_date as date) as birth_date,
        id_number_hash,
        id_number_masked,
        mobile_phone_hash,
        mobile_phone_masked,
        email_hash,
        email_masked,
        address_masked,
        city,
        cast(city_tier as integer) as city_tier,
        occupation,
        employer_type,
        employer_id,
        cast(employment_start_date as date) as employment_start_date,
        education,
        marital_status,
        cast(declared_monthly_income as decimal(18,2)) as declared_monthly_income,
        kyc_risk_tolerance,
        cast(marketing_consent as boolean) as marketing_consent,
        cast(do_not_contact as boolean) as do_not_contact,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
