with

base as (
    select * from {{ ref('base_core_banking__digital_events') }}
    where _record_status = 'staged'
),

final as (
    select
        event_id,
        customer_id,
        cast(event_at as timestamp) as event_at,
        event_type,
        page,
        channel,
        cast(updated_at as timestamp) as updated_at,
        _source_file,
        _loaded_at
    from base
)

select * from final
