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
        cast(is_holdout as boolean) as is_holdout,
        cast(contacted_at as timestamp) as contacted_at,
        cast(responded as boolean) as responded,
        cast(responded_at as timestamp) as responded_at,
        cast(updated_at as timestamp) as updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
