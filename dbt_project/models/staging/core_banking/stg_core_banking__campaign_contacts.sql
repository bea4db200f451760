with

base as (
    select * from {{ ref('base_core_banking__campaign_contacts') }}
    where _record_status = 'staged'
),

final as (
    select
        contact_id,
        campaign_id,
        customer_id,
        is_holdout,
        contacted_at,
        responded,
        responded_at,
        updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
