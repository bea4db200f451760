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
        birth_date,
        id_number_hash,
        id_number_masked,
        mobile_phone_hash,
        mobile_phone_masked,
        email_hash,
        email_masked,
        address_masked,
        city,
        city_tier,
        occupation,
        employer_type,
        employer_id,
        employment_start_date,
        education,
        marital_status,
        declared_monthly_income,
        kyc_risk_tolerance,
        marketing_consent,
        do_not_contact,
        created_at,
        updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
